import crypto from 'node:crypto';
import type { Server } from 'node:http';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { createApp } from '../../src/app.js';
import { PasswordHasher } from '../../src/auth/passwords.js';
import { boot } from '../../src/boot.js';
import { loadConfig } from '../../src/config.js';
import { SUPER_ADMIN, testConfig } from '../helpers/test-config.js';
import type { AppDeps } from '../../src/deps.js';
import { PostgresRateLimitStore } from '../../src/limits/postgres-rate-limit-store.js';
import { createLogger } from '../../src/logger.js';

// `npm run bench`: speed figures, kept out of the timed tests. Boots like the test root hooks (a throwaway
// embedded cluster, or DATABASE_URL; argon2 at a low cost) and drives the API over loopback with fetch.

const PASSWORD = 'Bench#Password2026';
const ONBOARDINGS = 5;
const LOGINS = 30;
const CONCURRENCY = 16;
const THROUGHPUT_SECONDS = 5;
const THROUGHPUT_MAX_REQUESTS = 200_000;
const COUNTER_ROUND_TRIPS = 1000;

interface Running {
  readonly deps: AppDeps;
  readonly server: Server;
  readonly base: string;
}

type Row = [string, string];

async function start(): Promise<Running> {
  // Production behaviour (no test-only reply checks); only argon2's cost stays lowered for the login loop.
  const config = testConfig('.data/bench', { NODE_ENV: 'production' });
  const deps = await boot(config, createLogger(config), 'throwaway');
  const server = createApp(deps).listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  return { deps, server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function stop({ deps, server }: Running): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
  await deps.db.close();
}

async function call(base: string, method: string, path: string, body?: unknown, token?: string): Promise<Response> {
  return fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function expectJson<T>(res: Response, status: number): Promise<T> {
  const text = await res.text();
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

async function login(base: string, body: Record<string, string>): Promise<string> {
  return (await expectJson<{ access_token: string }>(await call(base, 'POST', '/api/v1/auth/login', body), 200)).access_token;
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

function summary(samples: number[]): { mean: number; min: number; max: number; p50: number; p95: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  const mean = sorted.reduce((sum, value) => sum + value, 0) / sorted.length;
  return { mean, min: sorted[0] ?? NaN, max: sorted.at(-1) ?? NaN, p50: at(0.5), p95: at(0.95) };
}

const ms = (value: number) => `${value.toFixed(1)} ms`;

/** argon2id at the configured production cost (the rest of the bench uses the lowered test cost). */
async function realCostHashing(): Promise<Row[]> {
  const production = loadConfig({ NODE_ENV: 'test', JWT_SECRET: 'x'.repeat(32) });
  const defaults = production.argon2;
  const hasher = new PasswordHasher(defaults, production.hashing);
  const hash = await timed(() => hasher.hash(PASSWORD));
  const verify = await timed(() => hasher.verify(hash.value, PASSWORD));
  const cost = `${defaults.memoryCost} KiB, t=${defaults.timeCost}, p=${defaults.parallelism}`;
  return [[`argon2id hash, real cost (${cost})`, ms(hash.ms)], ['argon2id verify, real cost', ms(verify.ms)]];
}

async function onboarding(base: string, superToken: string, count = ONBOARDINGS): Promise<{ rows: Row[]; tenantCode: string; adminEmail: string }> {
  const samples: number[] = [];
  let tenantCode = '';
  for (let i = 0; i < count; i += 1) {
    tenantCode = `B${crypto.randomBytes(5).toString('hex').toUpperCase()}`;
    const body = {
      tenant_code: tenantCode, tenant_name: `Bench ${tenantCode}`, tenant_type: 'insurance_provider', api_rate_limit: 1_000_000,
      admin: { email: `admin@${tenantCode.toLowerCase()}.bench`, password: PASSWORD, first_name: 'Bench', last_name: 'Admin' },
    };
    const { ms: took, value } = await timed(() => call(base, 'POST', '/api/v1/tenants', body, superToken));
    await expectJson(value, 201);
    samples.push(took);
  }
  const s = summary(samples);
  return {
    rows: [[`onboard a tenant, POST /tenants (n=${count}) mean / min / max`, `${ms(s.mean)} / ${ms(s.min)} / ${ms(s.max)}`]],
    tenantCode,
    adminEmail: `admin@${tenantCode.toLowerCase()}.bench`,
  };
}

async function loginLatency(base: string, credentials: Record<string, string>): Promise<{ rows: Row[]; token: string }> {
  const samples: number[] = [];
  let token = '';
  for (let i = 0; i < LOGINS; i += 1) {
    const { ms: took, value } = await timed(() => login(base, credentials));
    samples.push(took);
    token = value;
  }
  const s = summary(samples);
  return {
    rows: [[`tenant login, low argon2 cost (n=${LOGINS}) mean / p50 / p95`, `${ms(s.mean)} / ${ms(s.p50)} / ${ms(s.p95)}`]],
    token,
  };
}

/** CONCURRENCY workers call GET `path` back to back until the time or the request budget runs out. */
async function throughput(base: string, path: string, token?: string): Promise<Row[]> {
  const latencies: number[] = [];
  let failures = 0;
  const deadline = performance.now() + THROUGHPUT_SECONDS * 1000;
  const worker = async () => {
    while (performance.now() < deadline && latencies.length + failures < THROUGHPUT_MAX_REQUESTS) {
      const started = performance.now();
      const res = await call(base, 'GET', path, undefined, token);
      await res.arrayBuffer();
      if (res.status === 200) latencies.push(performance.now() - started);
      else failures += 1;
    }
  };
  const { ms: elapsed } = await timed(() => Promise.all(Array.from({ length: CONCURRENCY }, worker)));
  const s = summary(latencies);
  return [
    [`GET ${path}, concurrency ${CONCURRENCY}, ${(elapsed / 1000).toFixed(1)} s`, `${(latencies.length / (elapsed / 1000)).toFixed(0)} req/s`],
    [`GET ${path} latency p50 / p95`, `${ms(s.p50)} / ${ms(s.p95)}`],
    [`GET ${path} requests ok / failed`, `${latencies.length} / ${failures}`],
  ];
}

/** What the tenant quota adds to a request: one counter upsert, against the floor of one `SELECT 1` on the same pool. */
async function rateLimitCost(deps: AppDeps): Promise<Row[]> {
  const store = new PostgresRateLimitStore(deps.db.app, 'bench:');
  store.init({ windowMs: 60_000 } as Parameters<typeof store.init>[0]);
  const perCall = async (work: () => Promise<unknown>) => (await timed(async () => {
    for (let i = 0; i < COUNTER_ROUND_TRIPS; i += 1) await work();
  })).ms / COUNTER_ROUND_TRIPS;
  const floor = await perCall(() => deps.db.app.raw('SELECT 1'));
  const increment = await perCall(() => store.increment('tenant'));
  store.shutdown();
  await store.resetAll();
  return [
    [`rate-limit counter increment, sequential (n=${COUNTER_ROUND_TRIPS})`, `${ms(increment)} each`],
    ['  against SELECT 1 on the same pool', `${ms(floor)} each`],
  ];
}

/** Every statement any pg client sends, with the time until its answer: where a request's database time goes. */
const statements: { kind: string; ms: number }[] = [];
const originalQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function timedQuery(this: pg.Client, ...args: unknown[]) {
  const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | undefined)?.text ?? '';
  const started = performance.now();
  const record = () => statements.push({ kind: statementKind(text), ms: performance.now() - started });
  const callback = args.at(-1);
  if (typeof callback === 'function') { // Knex passes a callback
    args[args.length - 1] = (...results: unknown[]) => {
      record();
      return (callback as (...r: unknown[]) => unknown)(...results);
    };
  }
  const result = (originalQuery as (...a: unknown[]) => unknown).apply(this, args);
  if (result instanceof Promise) result.then(record, () => undefined);
  return result;
} as typeof pg.Client.prototype.query;

function statementKind(text: string): string {
  const [first = '', second = ''] = text.trim().toUpperCase().split(/\s+/);
  if (first === 'BEGIN;' && second === 'SET') return 'BEGIN + SET LOCAL';
  if (['CREATE', 'ALTER', 'GRANT', 'REVOKE', 'DROP', 'COMMENT'].includes(first)) return `DDL ${first}`;
  return first.replace(/;$/, '');
}

/** Round trips and database time of one call of `work`, by statement kind. */
async function profiled(label: string, work: () => Promise<unknown>): Promise<Row[]> {
  statements.length = 0;
  const { ms: took } = await timed(work);
  const byKind = new Map<string, { n: number; ms: number }>();
  for (const { kind, ms: spent } of statements) {
    const entry = byKind.get(kind) ?? { n: 0, ms: 0 };
    byKind.set(kind, { n: entry.n + 1, ms: entry.ms + spent });
  }
  const total = statements.reduce((sum, entry) => sum + entry.ms, 0);
  const top = [...byKind].sort((a, b) => b[1].ms - a[1].ms).slice(0, 6)
    .map(([kind, { n, ms: spent }]) => `${kind} ${n}x ${spent.toFixed(0)} ms`).join(', ');
  return [[`${label}: wall / in the database / round trips`, `${ms(took)} / ${ms(total)} / ${statements.length}`],
    [`${label}: by statement kind`, top]];
}

const FLOOD = 28;

/**
 * The flood of issue 5 at the real argon2 cost: FLOOD bad sign-ins to an unknown tenant from one address, and a
 * good sign-in from another address once they are queued. The good one's latency is the figure that matters.
 */
async function signInFlood(running: Running, credentials: { tenant: string; adminEmail: string }, adminToken: string): Promise<Row[]> {
  const production = loadConfig({ NODE_ENV: 'test', JWT_SECRET: 'x'.repeat(32) });
  const config = { ...running.deps.config, trustProxy: 1, hashing: production.hashing };
  const passwords = new PasswordHasher(production.argon2, production.hashing);
  const server = createApp({ ...running.deps, config, passwords }).listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const email = `flood.${crypto.randomBytes(4).toString('hex')}@bench.test`;
    await expectJson(await call(base, 'POST', '/api/v1/users', { email, password: PASSWORD, first_name: 'Flood', last_name: 'Victim' }, adminToken), 201);
    const signIn = (address: string, body: Record<string, string>) => fetch(`${base}/api/v1/auth/login`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': address }, body: JSON.stringify(body),
    });
    const good = () => timed(() => signIn('198.51.100.9', { tenant: credentials.tenant, email, password: PASSWORD }));
    const quiet = await good();
    const burst = Promise.all(Array.from({ length: FLOOD }, (_, index) =>
      signIn('203.0.113.7', { tenant: 'NOSUCHTENANT', email: `guess${index}@flood.bench`, password: 'Wrong#Password1' })));
    while (passwords.gate.waitingJobs < FLOOD / 2) await new Promise((resolve) => setTimeout(resolve, 5));
    const flooded = await good();
    const statuses = (await burst).map((res) => res.status);
    const count = (status: number) => statuses.filter((value) => value === status).length;
    return [
      ['real-cost sign-in, quiet', `${ms(quiet.ms)} (${quiet.value.status})`],
      [`real-cost sign-in during ${FLOOD} bad ones from one address (${config.hashing.maxConcurrent} hashes at once)`,
        `${ms(flooded.ms)} (${flooded.value.status})`],
      ['the flood: 401 / 503 (queue wait over) / 429', `${count(401)} / ${count(503)} / ${count(429)}`],
      ['peak argon2 computations at once (memory: peak x 64 MiB)', String(passwords.gate.peakConcurrency)],
    ];
  } finally {
    await new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
  }
}

function printTable(rows: Row[]): void {
  const width = Math.max(...rows.map(([label]) => label.length));
  const line = `${'-'.repeat(width + 2)}+${'-'.repeat(28)}`;
  console.log(line);
  for (const [label, value] of rows) console.log(` ${label.padEnd(width)} | ${value}`);
  console.log(line);
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const { ms: bootMs, value: running } = await timed(start);
  try {
    const { base, deps } = running;
    rows.push([`boot: ${deps.config.databaseUrl ? 'DATABASE_URL' : 'embedded PostgreSQL'}, migrate, listen`, ms(bootMs)]);
    rows.push(...await realCostHashing());
    const superToken = await login(base, SUPER_ADMIN);
    const tenants = await onboarding(base, superToken);
    rows.push(...tenants.rows);
    const logins = await loginLatency(base, { tenant: tenants.tenantCode, email: tenants.adminEmail, password: PASSWORD });
    rows.push(...logins.rows);
    rows.push(...await profiled('one onboarding', () => onboarding(base, superToken, 1)));
    rows.push(...await profiled('one GET /auth/me', async () => expectJson(await call(base, 'GET', '/api/v1/auth/me', undefined, logins.token), 200)));
    rows.push(...await signInFlood(running, { tenant: tenants.tenantCode, adminEmail: tenants.adminEmail }, logins.token));
    rows.push(...await throughput(base, '/api/v1/auth/me', logins.token));
    rows.push(...await rateLimitCost(deps));
    // The floor: the same HTTP stack and client without the database, to read the line above against.
    rows.push(...await throughput(base, '/healthz'));
    rows.push(['database pool (DB_POOL_MAX)', String(deps.config.dbPoolMax)]);
  } finally {
    await stop(running);
  }
  const load = os.loadavg()[0]?.toFixed(1);
  console.log(`\nAgent Mitra core bench: Node ${process.version}, ${os.cpus().length} CPUs, load average ${load} at the end`);
  printTable(rows);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
