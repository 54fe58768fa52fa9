import type { DatabaseCpuMeter } from './database-cpu.js';
import { median, type Call, type Figures } from './load.js';
import type { MeterSample } from './meter.js';
import { probe, settled, shown, type Child } from './probe.js';
import type { Measured } from './report.js';

// How run.ts measures one load: the load's figures with the serving process's round trips, memory and CPU, and
// PostgreSQL's CPU meanwhile; and the summary of a contender's rounds.

/**
 * Load figures; the peak RSS and CPU of `served` (the process that served the load) meanwhile, and PostgreSQL's CPU;
 * and, when `call` is given, the round trips of one probe request (its statements kept in `traces` under the label).
 */
export function measurer(databaseCpu: DatabaseCpuMeter, traces: Record<string, string[]>) {
  return async function measured(work: () => Promise<Figures>, served?: Child, label = '', base = '', call?: Call): Promise<Measured> {
    const sent = served && call ? await probe(served, base, call) : undefined;
    if (sent) traces[label] = sent.map(shown);
    const before = served ? await settled(served) : undefined;
    const databaseMsBefore = await databaseCpu.ms();
    const figures = await work();
    const databaseMs = await databaseCpu.ms() - databaseMsBefore;
    const after: MeterSample | undefined = served ? await served.sample(true) : undefined;
    // Every statement the process sent for the load (requests cut off at its end finish first), per request sent:
    // the rate limiter's leases included.
    const done = served ? await settled(served) : undefined;
    const roundTrips = before && done ? (done.roundTrips - before.roundTrips) / figures.sent : NaN;
    return { ...figures, roundTrips, probeRoundTrips: sent?.length ?? NaN, rssMb: after ? after.peakRss / 2 ** 20 : NaN,
      cpuMsPerRequest: after ? after.cpuMs / figures.sent : NaN,
      // A backend that ends within the window takes its CPU with it: only a served load's pooled connections count.
      databaseCpuMsPerRequest: served ? databaseMs / figures.sent : NaN,
      ...(after ? { atPeak: after.atPeak, retained: after.now,
        shapes: Object.fromEntries(Object.entries(after.shapes).map(([shape, count]) => [shape, count / figures.sent])) } : {}) };
  };
}

/** Rounds of one contender: the medians of rps, p50, p99 and round trips; the RSS (and its breakdown) of the round with the highest peak. */
export function summary(runs: readonly Measured[]): Measured | undefined {
  if (!runs.length) return undefined;
  const peak = runs.reduce((a, b) => (b.rssMb > a.rssMb ? b : a), runs[0] as Measured);
  return { ...peak, rps: median(runs.map((run) => run.rps)), p50: median(runs.map((run) => run.p50)),
    p99: median(runs.map((run) => run.p99)), roundTrips: median(runs.map((run) => run.roundTrips)),
    cpuMsPerRequest: median(runs.map((run) => run.cpuMsPerRequest)), databaseCpuMsPerRequest: median(runs.map((run) => run.databaseCpuMsPerRequest)),
    failed: runs.reduce((sum, run) => sum + run.failed, 0) };
}
