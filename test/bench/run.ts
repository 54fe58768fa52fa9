import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { SUPER_ADMIN } from '../helpers/test-config.js';
import type { BareCaller } from './bare-server.js';
import { settingsOf } from './bare-server.js';
import { hammer, inlined, median, pgbench, type Call, type Figures } from './load.js';
import { PREMIUM, seedSummary } from './seed.js';
import type { TargetReady, TargetRequest, TargetSample } from './target.js';

// `npm run bench`: the API against what the machine allows, as ratios (README "Bench"). The app runs in a child
// process (target.ts) on a seeded book; autocannon drives it from here. List-my-book alternates the contenders
// (API, bare node:http + pg server, pgbench) over short rounds and reports the median of the per-round ratios.

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const TENANTS = Number(process.env.BENCH_TENANTS ?? 100);
const ONBOARD_SAMPLE = 5;
const RESULTS = process.env.BENCH_RESULTS ?? '.data/bench-results.json';
const PGBENCH = process.env.BENCH_PGBENCH ?? (() => {
  try { return execFileSync('which', ['pgbench']).toString().trim() || undefined; } catch { return undefined; }
})();

interface Measured extends Figures {
  readonly roundTrips: number;
  readonly rssMb: number;
}

const child: ChildProcess = fork(new URL('./target.ts', import.meta.url).pathname, [], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
const replies: ((message: Record<string, unknown>) => void)[] = [];
child.on('message', (message: Record<string, unknown>) => replies.shift()?.(message));
child.on('exit', (code) => { if (code) { console.error(`the target process exited with ${code}`); process.exit(1); } });
const ask = <T>(request: TargetRequest | null): Promise<T> => new Promise((resolve) => {
  replies.push(resolve as (message: Record<string, unknown>) => void);
  if (request) child.send(request);
});

/** Waits until the target has sent no statement for 300 ms (requests cut off by the last load have finished). */
async function settled(): Promise<TargetSample> {
  let last = await ask<TargetSample>({ type: 'sample' });
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const now = await ask<TargetSample>({ type: 'sample' });
    if (now.roundTrips === last.roundTrips) return now;
    last = now;
  }
}

/** The statements one request makes, sent alone on an idle process: its exact database round trips. */
const traces: Record<string, string[]> = {};
async function probe(label: string, base: string, call: Call | undefined): Promise<number> {
  if (!call) return NaN;
  const send = async () => (await fetch(`${base}${call.path}`, { method: call.method ?? 'GET',
    headers: { ...call.headers, ...(call.body ? { 'content-type': 'application/json' } : {}) }, ...(call.body ? { body: call.body } : {}) })).arrayBuffer();
  // Once to warm the tenant registry (a miss adds a platform transaction, three round trips), then counted.
  await settled();
  await send();
  const before = await ask<TargetSample>({ type: 'sample' });
  await send();
  const after = await ask<TargetSample>({ type: 'sample' });
  traces[label] = after.statements;
  return after.roundTrips - before.roundTrips;
}

/** Load figures, the peak RSS of the target process meanwhile, and (when `call` is given) one probe's round trips. */
async function measured(work: () => Promise<Figures>, label = '', base = '', call?: Call): Promise<Measured> {
  const roundTrips = await probe(label, base, call);
  await ask<TargetSample>({ type: 'sample' });
  const figures = await work();
  const after = await ask<TargetSample>({ type: 'sample' });
  return { ...figures, roundTrips, rssMb: after.peakRss / 2 ** 20 };
}

async function json<T>(res: Response, status: number): Promise<T> {
  const text = await res.text();
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

const ready = await ask<TargetReady>(null);
const api = `${ready.base}/api/v1`;
const post = (path: string, body: unknown, token?: string) => fetch(`${api}${path}`, { method: 'POST',
  headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
const signIn = async (email: string, tenant?: string) =>
  (await json<{ access_token: string }>(await post('/auth/login', tenant ? { tenant, email, password: ready.password } : { email, password: SUPER_ADMIN.password }), 200)).access_token;

const tokens = {
  juniors: await Promise.all(ready.juniors.map((email) => signIn(email, ready.tenantCode))),
  manager: await signIn(ready.manager, ready.tenantCode),
  admin: await signIn(ready.adminEmail, ready.tenantCode),
  superAdmin: await signIn(SUPER_ADMIN.email),
};
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
await json(await fetch(`${api}/policyholders?limit=50`, { headers: bearer(tokens.juniors[0] as string) }), 200);
const { listSql } = await ask<TargetSample>({ type: 'sample' });
if (!listSql) throw new Error('the target saw no policyholder page');

// The callers, in the bare server's order: the juniors, the manager, the admin.
const callers: BareCaller[] = [...ready.ranges.juniors, ready.ranges.manager, ready.ranges.admin];
const { port } = await ask<{ port: number }>({ type: 'start-bare', callers });
const bareBase = `http://127.0.0.1:${port}`;
const LIST = '/policyholders?limit=50';
const kinds = {
  'junior agents (rotating)': { api: (n: number) => tokens.juniors[n % tokens.juniors.length] as string, bare: (n: number) => n % tokens.juniors.length, pg: ready.ranges.juniors },
  'regional manager (2,000 agents)': { api: () => tokens.manager, bare: () => tokens.juniors.length, pg: [ready.ranges.manager] },
  'provider admin (whole tenant)': { api: () => tokens.admin, bare: () => tokens.juniors.length + 1, pg: [ready.ranges.admin] },
};
const listCall = (kind: keyof typeof kinds) => (n: number): Call => ({ path: `/api/v1${LIST}`, headers: bearer(kinds[kind].api(n)) });

function pgbenchScripts(ranges: readonly BareCaller[]): string[] {
  const statement = inlined(listSql?.sql ?? '', listSql?.values ?? []).replace(/\s+/g, ' ');
  return ranges.map((range) => {
    const settings = settingsOf({ schema: ready.schema, tenantId: ready.tenantId }, range).replaceAll('; ', '\\; ');
    return ready.isCitus ? `BEGIN;\n${settings};\n${statement};\nCOMMIT;\n` : `BEGIN\\; ${settings};\n${statement};\nCOMMIT;\n`;
  });
}

interface Row { scenario: string; contender: string; figures: Measured | { note: string } }
const rows: Row[] = [];
const ratios: Record<string, Record<string, number>> = {};
const rounds: Record<string, unknown[]> = {};

for (const kind of Object.keys(kinds) as (keyof typeof kinds)[]) {
  const per: { api: Measured; bare: Measured; pg?: Measured }[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const bareCall = (n: number): Call => ({ path: LIST, headers: { 'x-bench-caller': String(kinds[kind].bare(n)) } });
    const runApi = () => measured(() => hammer(ready.base, SECONDS, CONNECTIONS, listCall(kind)), `API ${kind}`, ready.base, listCall(kind)(0));
    const runBare = () => measured(() => hammer(bareBase, SECONDS, CONNECTIONS, bareCall), `bare ${kind}`, bareBase, bareCall(0));
    // A B A B ... with the order swapped every other round, so neither always runs on a warmer machine.
    const [first, second] = round % 2 ? [await runBare(), await runApi()] : [await runApi(), await runBare()];
    const [apiRun, bareRun] = round % 2 ? [second, first] : [first, second];
    const pgRun = PGBENCH ? await measured(() => pgbench(PGBENCH, ready.appUrl, `.data/bench-pgbench-${process.pid}/${kind.split(' ')[0]}`,
      pgbenchScripts(kinds[kind].pg), SECONDS, CONNECTIONS)) : undefined;
    per.push({ api: apiRun, bare: bareRun, ...(pgRun ? { pg: pgRun } : {}) });
    process.stdout.write(`list my book, ${kind}, round ${round + 1}/${ROUNDS}: API ${apiRun.rps.toFixed(0)}/s, bare ${bareRun.rps.toFixed(0)}/s`
      + `${pgRun ? `, pgbench ${pgRun.rps.toFixed(0)} tx/s` : ''}\n`);
  }
  rounds[`list my book, ${kind}`] = per;
  const best = (pick: (r: typeof per[number]) => Measured | undefined) => {
    const runs = per.map(pick).filter((run): run is Measured => Boolean(run));
    return runs.length ? { ...runs[0] as Measured, rps: median(runs.map((run) => run.rps)), p50: median(runs.map((run) => run.p50)),
      p99: median(runs.map((run) => run.p99)), roundTrips: median(runs.map((run) => run.roundTrips)), rssMb: Math.max(...runs.map((run) => run.rssMb)) } : undefined;
  };
  rows.push({ scenario: `list my book: ${kind}`, contender: 'API', figures: best((r) => r.api) as Measured });
  rows.push({ scenario: '', contender: 'bare node:http + pg', figures: best((r) => r.bare) as Measured });
  const pgFigures = best((r) => r.pg);
  rows.push({ scenario: '', contender: 'pgbench (same transaction)', figures: pgFigures ?? { note: 'pgbench not installed' } });
  ratios[`list my book: ${kind}`] = {
    'API/bare req/s': median(per.map((r) => r.api.rps / r.bare.rps)),
    'API/bare p99': median(per.map((r) => r.api.p99 / r.bare.p99)),
    ...(pgFigures ? { 'API/pgbench tx/s': median(per.map((r) => (r.pg ? r.api.rps / r.pg.rps : NaN))) } : {}),
  };
}
const junior = rows.find((row) => row.scenario.includes('junior'))?.figures as Measured;
for (const kind of ['regional manager', 'provider admin']) {
  const figures = rows.find((row) => row.scenario.includes(kind))?.figures as Measured;
  (ratios[`list my book: ${Object.keys(kinds).find((name) => name.startsWith(kind))}`] as Record<string, number>)['p99 / junior p99'] = figures.p99 / junior.p99;
}

// The other requests, API only.
const terms = JSON.parse(readFileSync(new URL('../../seeds/policy-terms/PLUM_OPD_2024.json', import.meta.url), 'utf8'));
await json(await post('/claims/policy-terms', terms, tokens.admin), 201);
const nth = <T>(list: readonly T[], n: number) => list[n % list.length] as T;
const scenarios: Record<string, (n: number) => Call> = {
  'one policy by id (GET /policies/{id})': (n) => ({ path: `/api/v1/policies/${nth(ready.policyIds, n)}`, headers: bearer(tokens.admin) }),
  'search (GET /policyholders?q=sharma, manager)': () => ({ path: '/api/v1/policyholders?limit=50&q=sharma', headers: bearer(tokens.manager) }),
  'record a payment (POST /payments)': (n) => ({ method: 'POST', path: '/api/v1/payments', headers: bearer(tokens.admin),
    body: JSON.stringify({ policy_id: nth(ready.policyIds, n), amount: PREMIUM, payment_method: 'upi' }) }),
  'submit a claim, adjudicated (POST /claims)': (n) => ({ method: 'POST', path: '/api/v1/claims', headers: bearer(tokens.admin),
    body: JSON.stringify({ policyholder_id: nth(ready.policyholderIds, n), treatment_date: `2026-11-${String(1 + (n % 28)).padStart(2, '0')}`,
      submission_date: '2026-11-30', claimed_amount: 1500, documents: {
        prescription: { doctor_name: 'Dr. A', doctor_reg: 'KA/45678/2015', diagnosis: 'Viral fever', medicines_prescribed: ['Paracetamol'] },
        bill: { consultation_fee: 1000, medicines: 500 } } }) }),
  'sign in (POST /auth/login, lowered argon2 cost)': () => ({ method: 'POST', path: '/api/v1/auth/login',
    body: JSON.stringify({ tenant: ready.tenantCode, email: ready.adminEmail, password: ready.password }) }),
};
for (const [scenario, next] of Object.entries(scenarios)) {
  rows.push({ scenario, contender: 'API', figures: await measured(() => hammer(ready.base, SECONDS, CONNECTIONS, next), scenario, ready.base, next(1_000_000)) });
}

// Onboarding, and list-my-book with 2 tenants against TENANTS tenants.
// POST /tenants needs a sign-in within the last 10 minutes (step-up): the super admin signs in again every 5.
let superAdmin = { token: tokens.superAdmin, at: performance.now() };
const onboard = async () => {
  if (performance.now() - superAdmin.at > 5 * 60_000) superAdmin = { token: await signIn(SUPER_ADMIN.email), at: performance.now() };
  const code = `B${crypto.randomBytes(5).toString('hex').toUpperCase()}`;
  const started = performance.now();
  await json(await post('/tenants', { tenant_code: code, tenant_name: `Bench ${code}`, tenant_type: 'insurance_provider',
    admin: { email: `admin@${code.toLowerCase()}.bench`, password: ready.password, first_name: 'Bench', last_name: 'Admin' } }, superAdmin.token), 201);
  return performance.now() - started;
};
const onboardings: number[] = [await onboard()];
const twoTenants = await measured(() => hammer(ready.base, SECONDS, CONNECTIONS, listCall('junior agents (rotating)')), '2 tenants', ready.base, listCall('junior agents (rotating)')(0));
const onboardStarted = performance.now();
while (onboardings.length < TENANTS - 1) {
  onboardings.push(await onboard());
  if (onboardings.length % 50 === 0) process.stdout.write(`onboarded ${onboardings.length + 1} tenants\n`);
}
const manyTenants = await measured(() => hammer(ready.base, SECONDS, CONNECTIONS, listCall('junior agents (rotating)')), 'many tenants', ready.base, listCall('junior agents (rotating)')(0));
rows.push({ scenario: 'list my book, juniors, 2 tenants', contender: 'API', figures: twoTenants });
rows.push({ scenario: `list my book, juniors, ${TENANTS} tenants`, contender: 'API', figures: manyTenants });
ratios[`${TENANTS} tenants against 2`] = { 'req/s': manyTenants.rps / twoTenants.rps, p50: manyTenants.p50 / twoTenants.p50, p99: manyTenants.p99 / twoTenants.p99 };
const sampleOnboarding = onboardings.slice(0, ONBOARD_SAMPLE);
const onboardingFigures = {
  tenants: onboardings.length, 'mean ms': onboardings.reduce((a, b) => a + b, 0) / onboardings.length, 'p50 ms': median(onboardings),
  'max ms': Math.max(...onboardings), 'first 5 mean ms': sampleOnboarding.reduce((a, b) => a + b, 0) / sampleOnboarding.length,
  'last 5 mean ms': onboardings.slice(-5).reduce((a, b) => a + b, 0) / Math.min(5, onboardings.length),
  'total s': (performance.now() - onboardStarted) / 1000,
};

child.removeAllListeners('exit');
child.send({ type: 'stop' } satisfies TargetRequest);
await new Promise((resolve) => child.once('exit', resolve));

const setting = {
  when: new Date().toISOString(), node: process.version, cpus: os.cpus().length, loadAverageAtEnd: os.loadavg()[0],
  database: ready.isCitus ? 'Citus (DATABASE_URL)' : process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded PostgreSQL',
  rounds: ROUNDS, seconds: SECONDS, connections: CONNECTIONS, tenants: TENANTS, poolMax: ready.poolMax, pgbench: PGBENCH ?? null,
  seeded: ready.seeded, bootSeconds: ready.bootSeconds,
};
const fmt = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '-');
console.log(`\nAgent Mitra core bench: ${setting.database}, Node ${setting.node}, ${setting.cpus} CPUs, ${ROUNDS} rounds of ${SECONDS} s, `
  + `${CONNECTIONS} connections, pool ${ready.poolMax}; load average ${fmt(setting.loadAverageAtEnd ?? NaN)} at the end`);
console.log(`${seedSummary(ready.seeded)}\n`);
console.log('| scenario | contender | req/s | p50 ms | p99 ms | round trips/req | peak RSS MB | failed |\n| --- | --- | --: | --: | --: | --: | --: | --: |');
for (const { scenario, contender, figures } of rows) {
  if ('note' in figures) console.log(`| ${scenario} | ${contender} | ${figures.note} | | | | | |`);
  else console.log(`| ${scenario} | ${contender} | ${fmt(figures.rps, 0)} | ${fmt(figures.p50)} | ${fmt(figures.p99)} | ${fmt(figures.roundTrips, 2)} | ${fmt(figures.rssMb, 0)} | ${figures.failed} |`);
}
console.log('\n| ratio (median of per-round ratios) | value |\n| --- | --: |');
for (const [scenario, values] of Object.entries(ratios)) {
  for (const [name, value] of Object.entries(values)) console.log(`| ${scenario}: ${name} | ${fmt(value, 2)} |`);
}
console.log(`\nonboarding (POST /tenants, ${onboardingFigures.tenants} tenants): mean ${fmt(onboardingFigures['mean ms'])} ms, `
  + `p50 ${fmt(onboardingFigures['p50 ms'])} ms, max ${fmt(onboardingFigures['max ms'])} ms, first 5 ${fmt(onboardingFigures['first 5 mean ms'])} ms, `
  + `last 5 ${fmt(onboardingFigures['last 5 mean ms'])} ms`);
mkdirSync('.data', { recursive: true });
writeFileSync(RESULTS, `${JSON.stringify({ setting, rows, ratios, onboarding: onboardingFigures, traces, rounds }, null, 2)}\n`);
if (process.env.BENCH_TRACE) console.log(JSON.stringify(traces, null, 2));
console.log(`\nfigures written to ${RESULTS}`);
