import { readFileSync } from 'node:fs';
import os from 'node:os';
import { hammer, median, type Call, type Figures } from './load.js';
import { build, forkChild, settled, stopChild, type Child } from './probe.js';
import type { Seeded } from './seeder.js';
import type { TargetReady } from './target.js';

// `npm run bench:v8-flags`: what V8 heap flags cost and gain on the API process, in the same run window. One seeder
// (seeder.ts) seeds the bench's book; one API process (target.ts, compiled) per variant serves it: BENCH_V8_VARIANTS,
// comma-separated sets of space-separated flags, `default` for none (default:
// `default,--max-semi-space-size=8,--max-semi-space-size=4`). List my book (the juniors in rotation, the manager, the
// admin) runs against each variant in turn, the order rotated every round, BENCH_ROUNDS rounds of BENCH_SECONDS: per
// variant the median req/s and p99, the CPU time the process used per 1,000 requests (utime + stime from /proc),
// and the highest peak RSS with the heap (total, new space) and the rest at that peak (README "Bench", memory).

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const VARIANTS = (process.env.BENCH_V8_VARIANTS ?? 'default,--max-semi-space-size=8,--max-semi-space-size=4').split(',');
const LIST = '/api/v1/policyholders?limit=50';

build();
const seeder = forkChild('seeder');
const seed = await seeder.ask<Seeded>(null);
const cpuSeconds = (child: Child) => {
  const fields = readFileSync(`/proc/${child.process.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
};
const signIn = async (base: string, email: string) => {
  const res = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant: seed.tenantCode, email, password: seed.password }) });
  if (res.status !== 200) throw new Error(`sign-in ${email}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { access_token: string }).access_token;
};

interface Variant { variant: string; child: Child; ready: TargetReady; calls: Record<'juniors' | 'manager' | 'admin', (n: number) => Call> }
const targets: Variant[] = [];
for (const variant of VARIANTS) {
  const child = forkChild('target', { env: seed.env, execArgv: variant === 'default' ? [] : variant.split(' ') });
  const ready = await child.ask<TargetReady>(null);
  const juniors = await Promise.all(seed.juniors.map((email) => signIn(ready.base, email)));
  const [manager, admin] = [await signIn(ready.base, seed.manager), await signIn(ready.base, seed.adminEmail)];
  const calls = {
    juniors: (n: number): Call => ({ path: LIST, headers: { authorization: `Bearer ${juniors[n % juniors.length]}` } }),
    manager: (): Call => ({ path: LIST, headers: { authorization: `Bearer ${manager}` } }),
    admin: (): Call => ({ path: LIST, headers: { authorization: `Bearer ${admin}` } }),
  };
  // Every pooled connection opened and prepared before the first round.
  await Promise.all(Array.from({ length: 2 * ready.poolMax }, async (_, n) => (await fetch(`${ready.base}${calls.juniors(n).path}`,
    { headers: calls.juniors(n).headers })).arrayBuffer()));
  targets.push({ variant, child, ready, calls });
}

interface Run extends Figures { cpuMsPerK: number; peakRss: number; newSpace: number; heapTotal: number; rest: number }
const runs: Record<string, Record<string, Run[]>> = {};
for (const kind of ['juniors', 'manager', 'admin'] as const) {
  for (let round = 0; round < ROUNDS; round += 1) {
    const order = targets.map((_, i) => targets[(i + round) % targets.length] as Variant);
    for (const { variant, child, ready, calls } of order) {
      await settled(child);
      const cpu = cpuSeconds(child);
      const figures = await hammer(ready.base, SECONDS, CONNECTIONS, calls[kind]);
      const used = cpuSeconds(child) - cpu;
      const { peakRss, atPeak } = await child.sample(true);
      const run = { ...figures, cpuMsPerK: (used * 1e6) / figures.sent, peakRss: peakRss / 2 ** 20,
        newSpace: (atPeak.spaces.new_space ?? 0) / 2 ** 20, heapTotal: atPeak.heapTotal / 2 ** 20,
        rest: (atPeak.rss - atPeak.heapTotal - atPeak.external) / 2 ** 20 };
      ((runs[kind] ??= {})[variant] ??= []).push(run);
      process.stdout.write(`${kind}, round ${round + 1}/${ROUNDS}, ${variant}: ${run.rps.toFixed(0)}/s, p99 ${run.p99} ms, ${run.failed} failed, `
        + `${run.cpuMsPerK.toFixed(0)} CPU ms/1k, peak RSS ${run.peakRss.toFixed(0)} MB (new space ${run.newSpace.toFixed(0)})\n`);
    }
  }
}
for (const target of targets) await stopChild(target.child);
await stopChild(seeder);

console.log(`\nV8 flags: ${ROUNDS} rounds of ${SECONDS} s, ${CONNECTIONS} connections, Node ${process.version}, `
  + `load average ${os.loadavg().map((load) => load.toFixed(1)).join(' ')} at the end, ${new Date().toISOString()}`);
console.log(`idle after boot, garbage collected: ${targets.map(({ variant, ready }) => `${variant} ${(ready.idle.rss / 2 ** 20).toFixed(0)} MB RSS `
  + `(heap ${(ready.idle.heapTotal / 2 ** 20).toFixed(0)}, ${(ready.idle.heapUsed / 2 ** 20).toFixed(0)} used)`).join('; ')}`);
console.log('| list my book | flags | req/s | p99 ms | CPU ms per 1k req | peak RSS MB | heap MB at peak | new space MB | rest MB | failed |');
console.log('| --- | --- | --: | --: | --: | --: | --: | --: | --: | --: |');
for (const [kind, byVariant] of Object.entries(runs)) {
  for (const [variant, list] of Object.entries(byVariant)) {
    const peak = list.reduce((a, b) => (b.peakRss > a.peakRss ? b : a));
    console.log(`| ${kind} | ${variant} | ${median(list.map((r) => r.rps)).toFixed(0)} | ${median(list.map((r) => r.p99)).toFixed(0)} | `
      + `${median(list.map((r) => r.cpuMsPerK)).toFixed(0)} | ${peak.peakRss.toFixed(0)} | ${peak.heapTotal.toFixed(0)} | ${peak.newSpace.toFixed(0)} | `
      + `${peak.rest.toFixed(0)} | ${list.reduce((sum, r) => sum + r.failed, 0)} |`);
  }
}
