import v8 from 'node:v8';
import pg from 'pg';

// What a bench child process (the API target, the bare server) reports to run.ts over IPC: every statement its pg
// clients send (text, bound values, which connection), so a probe request's round trips can be counted and its
// SQL replayed, and its own resident memory: the peak since the last sample, with the breakdown at that peak.

/** One statement as pg received it. `conn` numbers the connection; `app` is its application_name. */
export interface Sent { readonly text: string; readonly values: unknown[]; readonly conn: number; readonly app: string }

export interface MemoryFigures {
  readonly rss: number;
  readonly heapTotal: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
  readonly spaces: Record<string, number>;
}

export interface MeterSample {
  readonly type: 'sample';
  /** Statements since the process started, the job queue's excluded. */
  readonly roundTrips: number;
  /** The statements since the last sample (the first MAX_KEPT): a probe request's, when the process is otherwise idle. */
  readonly statements: Sent[];
  /** Every prepared statement seen so far, by name: `PREPARE <name> AS <text>` as the process sent it. */
  readonly prepares: Record<string, string>;
  /** Statements since the last sample by shape (shapeOf): what the round trips were, all of them, not the first MAX_KEPT. */
  readonly shapes: Record<string, number>;
  readonly peakRss: number;
  /** The process's CPU time (user + system, ms) since the last sample, up to the moment the sample was asked for. */
  readonly cpuMs: number;
  /** process.memoryUsage() when the peak was reached. */
  readonly atPeak: MemoryFigures;
  readonly now: MemoryFigures & { readonly mallocedMemory: number; readonly nativeContexts: number };
}

const MAX_KEPT = 200;
/** pg-boss's connections poll on their own: not part of any request. */
const JOBS = /^agent-mitra-jobs/;

/** `PREPARE <name> AS <text>` up to the `; EXECUTE <name>` that follows it in the same simple query (src/db/knex.ts). */
export const PREPARE = /PREPARE (\w+) AS ([\s\S]*?); (?=EXECUTE \1\b)/g;

let roundTrips = 0;
let statements: Sent[] = [];
let shapes: Record<string, number> = {};

/**
 * A statement's shape: its first words, a tenant schema's name and quoted values blanked, so that one kind of
 * round trip (a tenant scope's opening, the registry's platform scope, the rate limiter's lease, a COMMIT with
 * its riders) counts under one name whichever tenant sent it.
 */
export function shapeOf(text: string): string {
  return text.replace(/\s+/g, ' ').trim().replace(/"[a-z0-9_]+_schema"/g, '"<tenant>"').replace(/'[^']*'/g, "'…'").slice(0, 72);
}
const prepares: Record<string, string> = {};
const connections = new WeakMap<object, number>();
let connected = 0;
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function metered(this: pg.Client, ...args: unknown[]) {
  const config = args[0] as string | { text?: string; values?: unknown[] } | undefined;
  const text = typeof config === 'string' ? config : config?.text ?? '';
  const values = Array.isArray(args[1]) ? args[1] : (typeof config === 'object' && config?.values) || [];
  const app = (this as unknown as { connectionParameters: { application_name?: string } }).connectionParameters.application_name ?? '';
  if (!connections.has(this)) connections.set(this, (connected += 1));
  if (!JOBS.test(app)) {
    roundTrips += 1;
    const shape = shapeOf(text);
    shapes[shape] = (shapes[shape] ?? 0) + 1;
    if (statements.length < MAX_KEPT) statements.push({ text, values: [...values], conn: connections.get(this) as number, app });
    if (text.includes('PREPARE ')) for (const match of text.matchAll(PREPARE)) prepares[match[1] as string] = `PREPARE ${match[1]} AS ${match[2]}`;
  }
  return (query as (...a: unknown[]) => unknown).apply(this, args);
} as typeof pg.Client.prototype.query;

/** With the V8 heap's size per space (new, old, code, large objects ...): which part of the heap grew. */
const figures = (usage: NodeJS.MemoryUsage): MemoryFigures => ({ rss: usage.rss, heapTotal: usage.heapTotal, heapUsed: usage.heapUsed,
  external: usage.external, arrayBuffers: usage.arrayBuffers,
  spaces: Object.fromEntries(v8.getHeapSpaceStatistics().map((space) => [space.space_name, space.space_size])) });

let peak = figures(process.memoryUsage());
setInterval(() => { if (process.memoryUsage.rss() > peak.rss) peak = figures(process.memoryUsage()); }, 50).unref();

/** The process's memory now: process.memoryUsage() and what V8 has malloc'ed outside its heap. */
export function memoryNow(): MeterSample['now'] {
  const heap = v8.getHeapStatistics();
  return { ...figures(process.memoryUsage()), mallocedMemory: heap.malloced_memory, nativeContexts: heap.number_of_native_contexts };
}

let cpuAtSample = process.cpuUsage();

/**
 * The figures since the last sample; starts a new window (the peak restarts from the current RSS). `cpuUntil`: the
 * process's CPU usage when the sample was asked for, before any garbage collection done for it (not the load's).
 */
export function sample(cpuUntil = process.cpuUsage()): MeterSample {
  const now = memoryNow();
  const cpuMs = (cpuUntil.user - cpuAtSample.user + cpuUntil.system - cpuAtSample.system) / 1000;
  const answer: MeterSample = { type: 'sample', roundTrips, statements, prepares: { ...prepares }, shapes, peakRss: Math.max(peak.rss, now.rss),
    cpuMs, atPeak: peak, now };
  cpuAtSample = cpuUntil;
  statements = [];
  shapes = {};
  peak = now;
  return answer;
}

/** Collects garbage when the process runs with --expose-gc (run.ts forks its children so). */
export function collectGarbage(): void {
  (globalThis as { gc?: () => void }).gc?.();
}
