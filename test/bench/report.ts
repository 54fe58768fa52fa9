import type { Figures } from './load.js';
import type { MemoryFigures, MeterSample } from './meter.js';
import type { Quiet } from './quiet.js';
import { seedSummary, type SeedReport } from './seed.js';

// What `npm run bench` prints at the end (run.ts measures; this formats): the table of scenarios, the memory of each
// process, the ratios, onboarding and the many-tenants details. The same figures go to the JSON file.
export interface Measured extends Figures {
  /** Statements per request under load; probeRoundTrips: those of one request alone on an idle process. */
  readonly roundTrips: number;
  readonly probeRoundTrips: number;
  /** The peak RSS of the process that served the load, during the load only (NaN for pgbench). */
  readonly rssMb: number;
  /** The CPU time (ms) that process spent during the load, per request sent (NaN for pgbench). */
  readonly cpuMsPerRequest: number;
  /** PostgreSQL's CPU time (ms) meanwhile, per request sent (test/bench/database-cpu.ts; NaN for a server elsewhere). */
  readonly databaseCpuMsPerRequest: number;
  readonly atPeak?: MemoryFigures;
  /** The same process right after the load, garbage collected: what it retains. */
  readonly retained?: MemoryFigures;
  /** The statements it sent during the load by shape (meter.ts shapeOf), per request sent. */
  readonly shapes?: Record<string, number>;
}

export interface Row { scenario: string; contender: string; figures: Measured | { note: string } }

/** POST /tenants timings: per request (ms) and the loop's wall clock (s). */
export interface OnboardingFigures {
  readonly tenants: number;
  readonly 'mean ms': number;
  readonly 'p50 ms': number;
  readonly 'max ms': number;
  readonly 'first 5 mean ms': number;
  readonly 'last 5 mean ms': number;
  readonly 'total s': number;
}

export interface BenchReport {
  readonly setting: { database: string; node: string; cpus: number; rounds: number; seconds: number; connections: number;
    poolMax: number; loadAverageAtEnd: number | undefined };
  readonly ready: { execArgv: string[]; idle: MeterSample['now']; seeded: SeedReport; registryTtlMs: number };
  readonly bareIdle: MeterSample['now'];
  readonly rows: readonly Row[];
  readonly ratios: Record<string, Record<string, number>>;
  readonly onboarding: OnboardingFigures;
  readonly quietWaits: Record<string, Quiet>;
  readonly tenantPolicyholders: number;
  readonly onboardedAdmins: number;
  readonly spreadShapes: { few: Record<string, number>; all: Record<string, number> };
}

export function printReport(report: BenchReport): void {
  const fmt = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '-');
  console.log(`\nAgent Mitra core bench: ${report.setting.database}, Node ${report.setting.node}, ${report.setting.cpus} CPUs, ${report.setting.rounds} rounds of ${report.setting.seconds} s, `
    + `${report.setting.connections} connections, pool ${report.setting.poolMax}; load average ${fmt(report.setting.loadAverageAtEnd ?? NaN)} at the end`);
  console.log(`${seedSummary(report.ready.seeded)}\n`);
  console.log('| scenario | contender | req/s | p50 ms | p99 ms | round trips/req | CPU ms/req | PostgreSQL CPU ms/req | peak RSS MB | failed |\n| --- | --- | --: | --: | --: | --: | --: | --: | --: | --: |');
  for (const { scenario, contender, figures } of report.rows) {
    if ('note' in figures) console.log(`| ${scenario} | ${contender} | ${figures.note} | | | | | | | |`);
    else console.log(`| ${scenario} | ${contender} | ${fmt(figures.rps, 0)} | ${fmt(figures.p50)} | ${fmt(figures.p99)} | ${fmt(figures.roundTrips, 2)} | `
      + `${fmt(figures.cpuMsPerRequest, 2)} | ${fmt(figures.databaseCpuMsPerRequest, 2)} | ${fmt(figures.rssMb, 0)} | ${figures.failed} |`);
  }
  const mb = (bytes: number) => fmt(bytes / 2 ** 20, 0);
  const breakdown = (m: MemoryFigures) => `RSS ${mb(m.rss)} MB = V8 heap ${mb(m.heapTotal)} (${mb(m.heapUsed)} used) + external ${mb(m.external)} `
    + `(array buffers ${mb(m.arrayBuffers)}) + the rest (code, stacks, native libraries, malloc) ${mb(m.rss - m.heapTotal - m.external)}`
    + ` [heap spaces MB: ${Object.entries(m.spaces).filter(([, size]) => size >= 2 ** 20).map(([name, size]) => `${name.replace('_space', '')} ${mb(size)}`).join(', ')}]`;
  console.log(`\nmemory, each process its own. The API (${report.ready.execArgv.join(' ') || 'no V8 flags'}) at idle after boot, garbage collected: ${breakdown(report.ready.idle)}; `
    + `V8 malloced ${mb(report.ready.idle.mallocedMemory)} MB, ${report.ready.idle.nativeContexts} native contexts. The bare server at idle: ${breakdown(report.bareIdle)}.`);
  let scenarioOf = '';
  for (const { scenario, contender, figures } of report.rows) {
    scenarioOf = scenario || scenarioOf;
    if (!('atPeak' in figures) || !figures.atPeak || !figures.retained) continue;
    console.log(`- ${scenarioOf}, ${contender}, at its peak: ${breakdown(figures.atPeak)}; garbage collected after the load: `
      + `heap ${mb(figures.retained.heapUsed)} MB used, RSS ${mb(figures.retained.rss)} MB`);
  }
  console.log('\n| ratio (median of per-round ratios) | value |\n| --- | --: |');
  for (const [scenario, values] of Object.entries(report.ratios)) {
    for (const [name, value] of Object.entries(values)) console.log(`| ${scenario}: ${name} | ${fmt(value, 2)} |`);
  }
  console.log(`\nonboarding (POST /tenants, ${report.onboarding.tenants} tenants): mean ${fmt(report.onboarding['mean ms'])} ms, `
    + `p50 ${fmt(report.onboarding['p50 ms'])} ms, max ${fmt(report.onboarding['max ms'])} ms, first 5 ${fmt(report.onboarding['first 5 mean ms'])} ms, `
    + `last 5 ${fmt(report.onboarding['last 5 mean ms'])} ms; ${fmt(report.onboarding['total s'])} s for the loop, the small books' fills included`);
  console.log(`many tenants: ${report.tenantPolicyholders} policyholders in each onboarded tenant's book; waits for a quiet database (no autovacuum `
    + `worker for 5 s): ${Object.entries(report.quietWaits).map(([label, waited]) => `${label} ${fmt(waited.seconds)} s${waited.quiet ? '' : ' (cap reached, not quiet)'}`
      + ` (worker seen in ${waited.busySamples}/${waited.samples} samples)`).join(', ')}`);
  const perTenant = (run: Measured | undefined, tenants: number) => (run ? run.rps / tenants : NaN);
  const [fewRate, allRate] = [perTenant(report.rows.find((row) => row.scenario.endsWith('(A)'))?.figures as Measured, 2),
    perTenant(report.rows.find((row) => row.scenario.endsWith('(B)'))?.figures as Measured, report.onboardedAdmins)];
  console.log(`\nstatements per request, onboarded admins (median over the rounds); each tenant's rate: ${fmt(fewRate, 1)}/s in A, `
    + `${fmt(allRate, 2)}/s in B (one request every ${fmt(1 / allRate, 1)} s; the registry keeps a record ${fmt(report.ready.registryTtlMs / 1000, 1)} s):\n`
    + `  2 tenants (A) | ${report.onboardedAdmins} tenants (B) | statement`);
  for (const shape of [...new Set([...Object.keys(report.spreadShapes.few), ...Object.keys(report.spreadShapes.all)])]
    .sort((a, b) => (report.spreadShapes.all[b] ?? 0) - (report.spreadShapes.all[a] ?? 0))) {
    if ((report.spreadShapes.few[shape] ?? 0) < 0.005 && (report.spreadShapes.all[shape] ?? 0) < 0.005) continue;
    console.log(`  ${fmt(report.spreadShapes.few[shape] ?? 0, 2)} | ${fmt(report.spreadShapes.all[shape] ?? 0, 2)} | ${shape}`);
  }
}
