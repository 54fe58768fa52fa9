import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dockerCmd } from '../helpers/docker-cmd.js';
import { SUPER_ADMIN } from '../helpers/test-config.js';
import { withoutPrepares, type BareSetup, type Statement } from './bare-server.js';
import { hammer, median, pgbench, pgbenchScript, type Call } from './load.js';
import type { MeterSample } from './meter.js';
import { databaseCpuMeter } from './database-cpu.js';
import { measurer, summary } from './measure.js';
import { build, forkChild, probe, shown, stopChild, transactionOf } from './probe.js';
import { PREMIUM } from './seed.js';
import type { Seeded } from './seeder.js';
import { untilQuiet, type Quiet } from './quiet.js';
import { printReport, type Measured, type OnboardingFigures, type Row } from './report.js';
import type { TargetReady } from './target.js';

// `npm run bench`: the API against what the machine allows, as ratios (README "Bench"). A child process seeds the
// book and holds the database (seeder.ts); the API runs in another (target.ts), compiled, on that book, the bare
// node:http + pg server in a third (bare-main.ts), each measuring its own memory and statements; autocannon drives
// them from here. List-my-book alternates the contenders (API, bare
// server, pgbench) over short rounds and reports the median of the per-round ratios.

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const TENANTS = Number(process.env.BENCH_TENANTS ?? 500);
/** Policyholders in each onboarded tenant's book (one agent's), so an onboarded admin's page is not empty. */
const TENANT_POLICYHOLDERS = Number(process.env.BENCH_TENANT_POLICYHOLDERS ?? 20);
/** `BENCH_ONLY=tenants`: only onboarding and the many-tenants scenario (no bare server, pgbench or other scenarios). */
const ONLY_TENANTS = process.env.BENCH_ONLY === 'tenants';
const ONBOARD_SAMPLE = 5;
/**
 * The spread's uncounted first run of B, in seconds (A's is BENCH_SECONDS): long enough for each of the pool's
 * connections to meet each tenant (README "Bench", many tenants: a (connection, tenant) pair's first request is cold).
 */
const SPREAD_WARM_SECONDS = Number(process.env.BENCH_SPREAD_WARM_SECONDS ?? 120);
const RESULTS = process.env.BENCH_RESULTS ?? '.data/bench-results.json';
/**
 * The API process's V8 flags: by default those production runs with (docker/Dockerfile's CMD, `npm start`; README
 * "Bench", memory); BENCH_TARGET_FLAGS (space-separated, `none` for none) to measure others.
 */
const TARGET_FLAGS = process.env.BENCH_TARGET_FLAGS?.split(' ').filter((flag) => flag && flag !== 'none') ?? dockerCmd().slice(1, -1);
const PGBENCH = process.env.BENCH_PGBENCH ?? (() => {
  try { return execFileSync('which', ['pgbench']).toString().trim() || undefined; } catch { return undefined; }
})();


build();
const seeder = forkChild('seeder');
const seed = await seeder.ask<Seeded>(null);
const target = forkChild('target', { env: seed.env, execArgv: TARGET_FLAGS });
const traces: Record<string, string[]> = {};

async function json<T>(res: Response, status: number): Promise<T> {
  const text = await res.text();
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

const ready = { ...seed, ...await target.ask<TargetReady>(null) };
const databaseCpu = await databaseCpuMeter(ready.appUrl);
const measured = measurer(databaseCpu, traces);
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
const LIST = '/policyholders?limit=50';
const pageOf = (token: string): Call => ({ path: `/api/v1${LIST}`, headers: bearer(token) });

/**
 * What the API sends for one caller's page (its transaction: BEGIN ... COMMIT), for the bare server and pgbench to
 * replay: texts and bound values as pg received them, src/db/knex.ts's PREPAREs taken out (each replayer prepares
 * on its own connections).
 */
async function captured(token: string): Promise<Statement[]> {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    const sent = await probe(target, ready.base, pageOf(token));
    const transaction = transactionOf(sent);
    if (transaction) return transaction.map(({ text, values }) => ({ text: withoutPrepares(text), values }));
    console.error(`a page's probe caught no transaction, again:\n${sent.map(shown).join('\n')}`);
  }
  throw new Error('no clean capture of a page');
}

// The callers, in the bare server's order: the juniors, the manager, the admin.
const sequences: Statement[][] = [];
for (const token of [...tokens.juniors, tokens.manager, tokens.admin]) sequences.push(await captured(token));
const { prepares } = await target.sample();
for (const name of new Set(sequences.flat().flatMap(({ text }) => [...text.matchAll(/\bEXECUTE (\w+)/g)].map((match) => match[1] as string)))) {
  if (!prepares[name]) throw new Error(`the API EXECUTEs ${name} but was never seen preparing it`);
}
const bareSetup: BareSetup = { url: ready.appUrl, poolMax: ready.poolMax, prepares, callers: sequences };
const bare = forkChild('bare-main');
const { port, idle: bareIdle } = await bare.ask<{ port: number; idle: MeterSample['now'] }>({ type: 'start', setup: bareSetup });
const bareBase = `http://127.0.0.1:${port}`;
/** Opens every pooled connection (and prepares its statements) before the first round, the API's and the bare's alike. */
const warm = (base: string, call: (n: number) => Call) => Promise.all(Array.from({ length: 2 * ready.poolMax }, async (_, n) => {
  await (await fetch(`${base}${call(n).path}`, { headers: call(n).headers })).arrayBuffer();
}));
const J = tokens.juniors.length;
const kinds = {
  'junior agents (rotating)': { api: (n: number) => tokens.juniors[n % J] as string, bare: (n: number) => n % J, pg: sequences.slice(0, J) },
  'regional manager (2,000 agents)': { api: () => tokens.manager, bare: () => J, pg: [sequences[J] as Statement[]] },
  'provider admin (whole tenant)': { api: () => tokens.admin, bare: () => J + 1, pg: [sequences[J + 1] as Statement[]] },
};
const listCall = (kind: keyof typeof kinds) => (n: number): Call => pageOf(kinds[kind].api(n));
await warm(ready.base, listCall('junior agents (rotating)'));
await warm(bareBase, (n) => ({ path: LIST, headers: { 'x-bench-caller': String(n % J) } }));

const rows: Row[] = [];
const ratios: Record<string, Record<string, number>> = {};
const rounds: Record<string, unknown[]> = {};

for (const kind of (ONLY_TENANTS ? [] : Object.keys(kinds)) as (keyof typeof kinds)[]) {
  const per: { api: Measured; bare: Measured; pg?: Measured }[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const bareCall = (n: number): Call => ({ path: LIST, headers: { 'x-bench-caller': String(kinds[kind].bare(n)) } });
    const runApi = () => measured(() => hammer(ready.base, SECONDS, CONNECTIONS, listCall(kind)), target, `API ${kind}`, ready.base, listCall(kind)(0));
    const runBare = () => measured(() => hammer(bareBase, SECONDS, CONNECTIONS, bareCall), bare, `bare ${kind}`, bareBase, bareCall(0));
    // A B A B ... with the order swapped every other round, so neither always runs on a warmer machine.
    const [first, second] = round % 2 ? [await runBare(), await runApi()] : [await runApi(), await runBare()];
    const [apiRun, bareRun] = round % 2 ? [second, first] : [first, second];
    const pgRun = PGBENCH ? { ...await measured(() => pgbench(PGBENCH, ready.appUrl, `.data/bench-pgbench-${process.pid}/${kind.split(' ')[0]}`,
      kinds[kind].pg.map((sequence) => pgbenchScript(sequence, prepares)), SECONDS, CONNECTIONS)), roundTrips: kinds[kind].pg[0]?.length ?? NaN,
      probeRoundTrips: kinds[kind].pg[0]?.length ?? NaN } : undefined;
    per.push({ api: apiRun, bare: bareRun, ...(pgRun ? { pg: pgRun } : {}) });
    process.stdout.write(`list my book, ${kind}, round ${round + 1}/${ROUNDS}: API ${apiRun.rps.toFixed(0)}/s, bare ${bareRun.rps.toFixed(0)}/s`
      + `${pgRun ? `, pgbench ${pgRun.rps.toFixed(0)} tx/s` : ''}\n`);
  }
  rounds[`list my book, ${kind}`] = per;
  const best = (pick: (r: typeof per[number]) => Measured | undefined) => summary(per.map(pick).filter((run): run is Measured => Boolean(run)));
  rows.push({ scenario: `list my book: ${kind}`, contender: 'API', figures: best((r) => r.api) as Measured });
  rows.push({ scenario: '', contender: 'bare node:http + pg', figures: best((r) => r.bare) as Measured });
  const pgFigures = best((r) => r.pg);
  rows.push({ scenario: '', contender: 'pgbench (same transaction)', figures: pgFigures ?? { note: 'pgbench not installed' } });
  ratios[`list my book: ${kind}`] = {
    'API/bare req/s': median(per.map((r) => r.api.rps / r.bare.rps)),
    'API/bare p99': median(per.map((r) => r.api.p99 / r.bare.p99)),
    'API/bare CPU ms/req': median(per.map((r) => r.api.cpuMsPerRequest / r.bare.cpuMsPerRequest)),
    'API/bare PostgreSQL CPU ms/req': median(per.map((r) => r.api.databaseCpuMsPerRequest / r.bare.databaseCpuMsPerRequest)),
    ...(pgFigures ? { 'API/pgbench tx/s': median(per.map((r) => (r.pg ? r.api.rps / r.pg.rps : NaN))) } : {}),
  };
}
const junior = rows.find((row) => row.scenario.includes('junior'))?.figures as Measured;
for (const kind of ONLY_TENANTS ? [] : ['regional manager', 'provider admin']) {
  const figures = rows.find((row) => row.scenario.includes(kind))?.figures as Measured;
  (ratios[`list my book: ${Object.keys(kinds).find((name) => name.startsWith(kind))}`] as Record<string, number>)['p99 / junior p99'] = figures.p99 / junior.p99;
}

await stopChild(bare);

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
  // The juniors in turn: one account signing in from 16 connections at once would meet its own lock (at most four
  // of an identity's password checks run at once; README "Bench", sign in).
  'sign in (POST /auth/login, lowered argon2 cost)': (n) => ({ method: 'POST', path: '/api/v1/auth/login',
    body: JSON.stringify({ tenant: ready.tenantCode, email: nth(ready.juniors, n), password: ready.password }) }),
};
for (const [scenario, next] of ONLY_TENANTS ? [] : Object.entries(scenarios)) {
  rows.push({ scenario, contender: 'API', figures: await measured(() => hammer(ready.base, SECONDS, CONNECTIONS, next), target, scenario, ready.base, next(1_000_000)) });
}

// Onboarding, and list-my-book with 2 tenants against TENANTS tenants (README "Bench", many tenants), two measures:
// (a) the seeded tenant's juniors: ROUNDS rounds with 2 tenants (the seeded one and one onboarded) before the rest
//     is onboarded, ROUNDS rounds with TENANTS tenants after; before and after cannot alternate;
// (b) after onboarding, the provider admins of 2 onboarded tenants (A) against those of every onboarded tenant (B),
//     in rotation, A B / B A over ROUNDS rounds: the median of the per-round ratios. Each onboarded tenant has a
//     small book (TENANT_POLICYHOLDERS policyholders of one agent), so its admin's page is not empty.
// Each measure starts once the database is quiet (quiet.ts: no autovacuum worker for 5 s in a row, at most 3
// minutes); the bench itself never vacuums or analyzes the onboarded tenants.
// POST /tenants needs a sign-in within the last 10 minutes (step-up): the super admin signs in again every 5.
let superAdmin = { token: tokens.superAdmin, at: performance.now() };
const onboarded: { code: string; admin: string }[] = [];
const onboard = async () => {
  if (performance.now() - superAdmin.at > 5 * 60_000) superAdmin = { token: await signIn(SUPER_ADMIN.email), at: performance.now() };
  const code = `B${crypto.randomBytes(5).toString('hex').toUpperCase()}`;
  const admin = `admin@${code.toLowerCase()}.bench`;
  const started = performance.now();
  // A raised rate limit (the seeded tenant has one too): in (A) two tenants carry the whole load, 1,000 requests
  // a minute (the default) would be gone in the first second.
  await json(await post('/tenants', { tenant_code: code, tenant_name: `Bench ${code}`, tenant_type: 'insurance_provider', api_rate_limit: 1_000_000,
    admin: { email: admin, password: ready.password, first_name: 'Bench', last_name: 'Admin' } }, superAdmin.token), 201);
  const ms = performance.now() - started;
  onboarded.push({ code, admin });
  if (TENANT_POLICYHOLDERS > 0) await seeder.ask({ type: 'fill', tenantCode: code, policyholders: TENANT_POLICYHOLDERS });
  return ms;
};
const quietWaits: Record<string, Quiet> = {};
const quiet = async (label: string) => {
  const waited = await untilQuiet(ready.monitorUrl);
  quietWaits[label] = waited;
  process.stdout.write(`${label}: ${waited.quiet ? 'quiet' : 'NOT quiet (cap reached)'} after ${waited.seconds.toFixed(1)} s, an autovacuum worker seen in `
    + `${waited.busySamples} of ${waited.samples} samples${waited.seen.length ? ` (${waited.seen.slice(0, 3).join('; ')}${waited.seen.length > 3 ? '; ...' : ''})` : ''}\n`);
};
/** Signs each in (argon2 at the test cost), a few at a time. */
const signInAll = async (who: readonly { email: string; tenant: string }[]) => {
  const signed: string[] = [];
  for (let at = 0; at < who.length; at += 8) signed.push(...await Promise.all(who.slice(at, at + 8).map(({ email, tenant }) => signIn(email, tenant))));
  return signed;
};
/** The juniors sign in again before each measure of (a): access tokens live 15 minutes, the bench longer. */
const freshJuniors = async () => { tokens.juniors = await signInAll(ready.juniors.map((email) => ({ email, tenant: ready.tenantCode }))); };
const roundsOf = async (label: string, call: (n: number) => Call) => {
  const runs: Measured[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    runs.push(await measured(() => hammer(ready.base, SECONDS, CONNECTIONS, call), target, label, ready.base, call(0)));
    process.stdout.write(`${label}, round ${round + 1}/${ROUNDS}: ${(runs.at(-1) as Measured).rps.toFixed(0)}/s\n`);
  }
  return runs;
};
const juniorsPage = listCall('junior agents (rotating)');

const onboardings: number[] = [await onboard()];
await quiet('2 tenants');
await freshJuniors();
const twoTenantRuns = await roundsOf('seeded juniors, 2 tenants', juniorsPage);
const onboardStarted = performance.now();
while (onboardings.length < TENANTS - 1) {
  onboardings.push(await onboard());
  if ((onboardings.length + 1) % 50 === 0) process.stdout.write(`onboarded ${onboardings.length + 1} tenants\n`);
}
const onboardSeconds = (performance.now() - onboardStarted) / 1000;
const admins = await signInAll(onboarded.map(({ code, admin }) => ({ email: admin, tenant: code })));
const adminPage = await json<{ data: unknown[] }>(await fetch(`${api}${LIST}`, { headers: bearer(admins[0] as string) }), 200);
process.stdout.write(`${admins.length} onboarded admins signed in; the first one's page holds ${adminPage.data.length} policyholders\n`);
await quiet(`${TENANTS} tenants`);
await freshJuniors();
const manyTenantRuns = await roundsOf(`seeded juniors, ${TENANTS} tenants`, juniorsPage);
const two = summary(twoTenantRuns) as Measured;
const many = summary(manyTenantRuns) as Measured;
rows.push({ scenario: 'list my book, seeded tenant\'s juniors, 2 tenants (before onboarding)', contender: 'API', figures: two });
rows.push({ scenario: `list my book, seeded tenant's juniors, ${TENANTS} tenants (after onboarding)`, contender: 'API', figures: many });
ratios[`seeded tenant's juniors, ${TENANTS} tenants against 2 (medians of ${ROUNDS} rounds each, not alternated)`] = {
  'req/s': many.rps / two.rps, p50: many.p50 / two.p50, p99: many.p99 / two.p99 };
rounds[`seeded tenant's juniors, 2 then ${TENANTS} tenants`] = [...twoTenantRuns, ...manyTenantRuns];

const rotating = (tokensOf: readonly string[]) => (n: number): Call => pageOf(tokensOf[n % tokensOf.length] as string);
const spread = { few: rotating(admins.slice(0, 2)), all: rotating(admins) };
const fewLabel = 'onboarded admins, 2 tenants';
const allLabel = `onboarded admins, ${admins.length} tenants`;
await quiet(`${TENANTS} tenants, before the spread`);
// One run of each first, not counted: every pooled connection meets every tenant's schema once (its catalog caches,
// the prepared opening) and the registry loads every tenant; the rounds measure the steady state.
const warmRuns = { few: await measured(() => hammer(ready.base, SECONDS, CONNECTIONS, spread.few), target),
  all: await measured(() => hammer(ready.base, SPREAD_WARM_SECONDS, CONNECTIONS, spread.all), target) };
process.stdout.write(`the spread's warm-up (not counted): 2 tenants ${warmRuns.few.rps.toFixed(0)}/s for ${SECONDS} s, `
  + `${admins.length} tenants ${warmRuns.all.rps.toFixed(0)}/s for ${SPREAD_WARM_SECONDS} s\n`);
const spreadRuns: { few: Measured; all: Measured }[] = [];
for (let round = 0; round < ROUNDS; round += 1) {
  const runFew = () => measured(() => hammer(ready.base, SECONDS, CONNECTIONS, spread.few), target, fewLabel, ready.base, spread.few(0));
  const runAll = () => measured(() => hammer(ready.base, SECONDS, CONNECTIONS, spread.all), target, allLabel, ready.base, spread.all(0));
  const [first, second] = round % 2 ? [await runAll(), await runFew()] : [await runFew(), await runAll()];
  const [few, all] = round % 2 ? [second, first] : [first, second];
  spreadRuns.push({ few, all });
  process.stdout.write(`list my book, onboarded admins, round ${round + 1}/${ROUNDS}: 2 tenants ${few.rps.toFixed(0)}/s, `
    + `${admins.length} tenants ${all.rps.toFixed(0)}/s\n`);
}
rows.push({ scenario: `list my book, ${fewLabel} (A)`, contender: 'API', figures: summary(spreadRuns.map((run) => run.few)) as Measured });
rows.push({ scenario: `list my book, ${allLabel} (B)`, contender: 'API', figures: summary(spreadRuns.map((run) => run.all)) as Measured });
ratios[`onboarded admins, ${admins.length} tenants (B) against 2 (A), alternated`] = {
  'req/s': median(spreadRuns.map((run) => run.all.rps / run.few.rps)),
  p50: median(spreadRuns.map((run) => run.all.p50 / run.few.p50)),
  p99: median(spreadRuns.map((run) => run.all.p99 / run.few.p99)),
  'round trips/req': median(spreadRuns.map((run) => run.all.roundTrips / run.few.roundTrips)),
  'CPU ms/req': median(spreadRuns.map((run) => run.all.cpuMsPerRequest / run.few.cpuMsPerRequest)),
  'PostgreSQL CPU ms/req': median(spreadRuns.map((run) => run.all.databaseCpuMsPerRequest / run.few.databaseCpuMsPerRequest)),
};
rounds['onboarded admins, 2 against all'] = spreadRuns;
/** Per shape of statement, the median over the rounds of its count per request: where B's extra round trips go. */
const shapesOf = (runs: readonly Measured[]) => Object.fromEntries([...new Set(runs.flatMap((run) => Object.keys(run.shapes ?? {})))]
  .map((shape) => [shape, median(runs.map((run) => run.shapes?.[shape] ?? 0))]));
const spreadShapes = { few: shapesOf(spreadRuns.map((run) => run.few)), all: shapesOf(spreadRuns.map((run) => run.all)) };
const manyTenants = { quietWaits, warm: warmRuns, policyholdersPerOnboardedTenant: TENANT_POLICYHOLDERS, onboardedAdmins: admins.length,
  statementsPerRequest: spreadShapes };

const sampleOnboarding = onboardings.slice(0, ONBOARD_SAMPLE);
const onboardingFigures: OnboardingFigures = {
  tenants: onboardings.length, 'mean ms': onboardings.reduce((a, b) => a + b, 0) / onboardings.length, 'p50 ms': median(onboardings),
  'max ms': Math.max(...onboardings), 'first 5 mean ms': sampleOnboarding.reduce((a, b) => a + b, 0) / sampleOnboarding.length,
  'last 5 mean ms': onboardings.slice(-5).reduce((a, b) => a + b, 0) / Math.min(5, onboardings.length),
  /** Wall clock of the loop onboarding all but the first: the small books' fills included, the sign-ins not. */
  'total s': onboardSeconds,
};

await databaseCpu.close();
await stopChild(target);
await stopChild(seeder);

const setting = {
  when: new Date().toISOString(), node: process.version, cpus: os.cpus().length, loadAverageAtEnd: os.loadavg()[0],
  database: ready.isCitus ? 'Citus (DATABASE_URL)' : process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded PostgreSQL',
  rounds: ROUNDS, seconds: SECONDS, connections: CONNECTIONS, tenants: TENANTS, poolMax: ready.poolMax, pgbench: PGBENCH ?? null,
  seeded: ready.seeded, bootSeconds: ready.bootSeconds, targetFlags: ready.execArgv,
};
printReport({ setting, ready, bareIdle, rows, ratios, onboarding: onboardingFigures, quietWaits,
  tenantPolicyholders: TENANT_POLICYHOLDERS, onboardedAdmins: admins.length, spreadShapes });
mkdirSync('.data', { recursive: true });
writeFileSync(RESULTS, `${JSON.stringify({ setting, idle: { api: ready.idle, bare: bareIdle }, rows, ratios, onboarding: onboardingFigures, manyTenants, traces, rounds }, null, 2)}\n`);
if (process.env.BENCH_TRACE) console.log(JSON.stringify(traces, null, 2));
console.log(`\nfigures written to ${RESULTS}`);
