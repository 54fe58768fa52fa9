import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Call } from './load.js';
import type { MeterSample, Sent } from './meter.js';

// run.ts's handle on its child processes (the seeder, seeder.ts; the API's, target.ts; the bare server's,
// bare-main.ts): requests over IPC, each answered by the next message, and the probe that records the statements
// one request sends.

export interface Child {
  readonly process: ChildProcess;
  ask<T>(request: object | null): Promise<T>;
  /** The meter's figures since the last sample; with `gc`, garbage collected first (`now` is then what is retained). */
  sample(gc?: boolean): Promise<MeterSample>;
}

/**
 * The children run compiled, as production runs `node dist/server.js` (the tsx loader alone is ~35 MB of RSS):
 * build() compiles them with src, schemas, migrations and seeds (test/bench/tsconfig.build.json) into BUILT, once
 * per run. BENCH_TSX=1 runs the TypeScript sources under tsx instead.
 */
const TSX = process.env.BENCH_TSX === '1';
const BUILT = new URL('../../.data/bench-dist/', import.meta.url);

export function build(): void {
  if (TSX) return;
  rmSync(BUILT, { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', fileURLToPath(new URL('tsconfig.build.json', import.meta.url)), '--outDir', fileURLToPath(BUILT)],
    { stdio: 'inherit' });
}

/**
 * Forks the child `name` (target, seeder, bare-main) with --expose-gc, `execArgv` and `env` added to this process's
 * environment; `advanced` IPC keeps bound values' types (Date, Buffer).
 */
export function forkChild(name: string, { env = {}, execArgv = [] }: { env?: Record<string, string>; execArgv?: string[] } = {}): Child {
  const file = TSX ? new URL(`${name}.ts`, import.meta.url) : new URL(`test/bench/${name}.js`, BUILT);
  const child = fork(fileURLToPath(file), [], { execArgv: ['--expose-gc', ...execArgv, ...(TSX ? ['--import', 'tsx'] : [])],
    env: { ...process.env, ...env }, stdio: 'inherit', serialization: 'advanced' });
  const replies: ((message: unknown) => void)[] = [];
  child.on('message', (message) => replies.shift()?.(message));
  child.on('exit', (code) => { if (code) { console.error(`${name} exited with ${code}`); process.exit(1); } });
  const ask = <T>(request: object | null): Promise<T> => new Promise((resolve) => {
    replies.push(resolve as (message: unknown) => void);
    if (request) child.send(request);
  });
  return { process: child, ask, sample: (gc = false) => ask<MeterSample>({ type: 'sample', gc }) };
}

/** Stops a child (it closes its server and pool) and waits for it to exit. */
export async function stopChild(child: Child): Promise<void> {
  child.process.removeAllListeners('exit');
  child.process.send({ type: 'stop' });
  await new Promise((resolve) => child.process.once('exit', resolve));
}

/** Waits until `child` has sent no statement for 100 ms; returns the statements it sent meanwhile and its count. */
export async function settled(child: Child): Promise<{ statements: Sent[]; roundTrips: number }> {
  const statements: Sent[] = [];
  let last = -1;
  for (;;) {
    const now = await child.sample();
    statements.push(...now.statements);
    if (now.roundTrips === last) return { statements, roundTrips: now.roundTrips };
    last = now.roundTrips;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The statements one request makes, sent alone on an idle process: its exact database round trips. Sent twice, the
 * second one recorded: the first warms what a steady load has warm (the tenant registry, a prepared statement).
 */
export async function probe(child: Child, base: string, call: Call): Promise<Sent[]> {
  const send = async () => {
    const res = await fetch(`${base}${call.path}`, { method: call.method ?? 'GET',
      headers: { ...call.headers, ...(call.body ? { 'content-type': 'application/json' } : {}) }, ...(call.body ? { body: call.body } : {}) });
    await res.arrayBuffer();
  };
  await settled(child);
  await send();
  await settled(child);
  await send();
  return (await settled(child)).statements;
}

/**
 * The request's (last) transaction in `sent`: from its BEGIN to its COMMIT on that connection. Statements outside it
 * (the tenant rate limiter's lease, one per ~200 ms of traffic under load) are not part of it.
 */
export function transactionOf(sent: readonly Sent[]): Sent[] | undefined {
  let begin = sent.length - 1;
  while (begin >= 0 && !/^BEGIN\b/i.test(sent[begin]?.text ?? '')) begin -= 1;
  const own = sent.slice(Math.max(begin, 0)).filter((statement) => statement.conn === sent[begin]?.conn);
  const end = own.findIndex((statement) => /\bCOMMIT;?\s*$/i.test(statement.text));
  return begin >= 0 && end >= 0 ? own.slice(0, end + 1) : undefined;
}

/** A statement for a trace: its text on one line (cut at 300 characters) and its bound values. */
export const shown = (statement: Sent): string => {
  const text = statement.text.replace(/\s+/g, ' ').trim();
  return `${text.length > 300 ? `${text.slice(0, 300)}...` : text}${statement.values.length ? `  -- ${JSON.stringify(statement.values)}` : ''}`;
};
