import { fork } from 'node:child_process';
import crypto from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import { insertAgentRow } from '../../src/agents/repository.js';
import { createApp } from '../../src/app.js';
import { boot } from '../../src/boot.js';
import { inOwnerTransaction } from '../../src/db/privileged.js';
import { enterTenant } from '../../src/db/scope.js';
import { JOBS_SCHEMA } from '../../src/jobs/definition.js';
import { createLogger } from '../../src/logger.js';
import { benchConfig } from './bench-config.js';
import { DATABASE_PIDS_SQL, processCpuMs } from './database-cpu.js';
import { SUPER_ADMIN } from '../helpers/test-config.js';
import { recordStatements } from '../helpers/statement-recorder.js';

// npx tsx test/bench/claims-api.ts: POST /claims throughput through the whole stack (HTTP, auth, the tenant
// transaction, family lock, history, engine, inserts), production behaviour, on a throwaway embedded cluster.

const FAMILIES = 300;
const CONCURRENCY = 8;
const SECONDS = 6;

// The load comes from a child process (this file again, with CLAIMS_CLIENT set), so that the CPU this process reports
// is the server's alone; the client's is reported beside it.
interface LoadJob { readonly kind: 'claims' | 'me'; readonly base: string; readonly token: string; readonly families: string[]; readonly seconds: number }
interface LoadResult { readonly latencies: number[]; readonly decisions: Record<string, number>; readonly cpuMs: number; readonly seconds: number }

async function runLoad(job: LoadJob): Promise<LoadResult> {
  const latencies: number[] = [];
  const decisions: Record<string, number> = {};
  let sent = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const until = started + job.seconds * 1000;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (performance.now() < until) {
      const n = sent++;
      const begun = performance.now();
      if (job.kind === 'me') {
        const res = await fetch(`${job.base}/auth/me`, { headers: { authorization: `Bearer ${job.token}` } });
        await res.text();
        if (res.status !== 200) throw new Error(`GET /auth/me answered ${res.status}`);
      } else {
        const res = await fetch(`${job.base}/claims`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${job.token}` },
          body: JSON.stringify({ policyholder_id: job.families[n % job.families.length], treatment_date: `2026-11-${String(1 + (n % 28)).padStart(2, '0')}`,
            submission_date: '2026-11-30', claimed_amount: 1500, documents: {
              prescription: { doctor_name: 'Dr. A', doctor_reg: 'KA/45678/2015', diagnosis: 'Viral fever', medicines_prescribed: ['Paracetamol'] },
              bill: { consultation_fee: 1000, medicines: 500 } } }) });
        const body = await res.json();
        if (res.status !== 201) throw new Error(`${res.status} ${JSON.stringify(body)}`);
        decisions[body.decision] = (decisions[body.decision] ?? 0) + 1;
      }
      latencies.push(performance.now() - begun);
    }
  }));
  const cpu = process.cpuUsage(cpuBefore);
  return { latencies, decisions, cpuMs: (cpu.user + cpu.system) / 1000, seconds: (performance.now() - started) / 1000 };
}

if (process.env.CLAIMS_CLIENT) {
  process.once('message', (job: LoadJob) => {
    void runLoad(job).then((result) => process.send?.(result, () => process.exit(0)), (error: unknown) => {
      console.error(error);
      process.exit(1);
    });
  });
  process.send?.('ready');
  await new Promise(() => undefined);
}

/** Runs a load from a fresh client process once it is ready (its start-up is not measured). */
async function fromClient(job: LoadJob, measure: { start(): Promise<void> }): Promise<LoadResult> {
  const child = fork(fileURLToPath(import.meta.url), [], { execArgv: process.execArgv, env: { ...process.env, CLAIMS_CLIENT: '1' } });
  await new Promise<void>((resolve) => child.once('message', () => resolve()));
  await measure.start();
  const result = new Promise<LoadResult>((resolve, reject) => {
    child.once('message', (message) => resolve(message as LoadResult));
    child.once('exit', (code) => reject(new Error(`the load's client process ended with ${code}`)));
  });
  child.send(job);
  return result;
}

const config = benchConfig('.data/bench-claims');
const deps = await boot(config, createLogger(config), 'throwaway');
const server = createApp(deps).listen(0, '127.0.0.1');
await new Promise<void>((resolve) => server.once('listening', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
const post = async (path: string, body: unknown, token?: string) => fetch(`${base}${path}`, { method: 'POST',
  headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });

const superToken = (await (await post('/auth/login', SUPER_ADMIN)).json()).access_token;
const code = `BENCH${crypto.randomBytes(3).toString('hex').toUpperCase()}`;
const admin = { email: `admin@${code.toLowerCase()}.test`, password: 'Bench#Password2026', first_name: 'B', last_name: 'A' };
const tenant = await (await post('/tenants', { tenant_code: code, tenant_name: code, tenant_type: 'insurance_provider', admin,
  // The default quota (1,000 requests a minute) would answer 429 before a 6-second run at 500 claims/s is over.
  api_rate_limit: 1_000_000 }, superToken)).json();
const token = (await (await post('/auth/login', { tenant: code, email: admin.email, password: admin.password })).json()).access_token;
await post('/claims/policy-terms', JSON.parse(readFileSync(new URL('../../seeds/policy-terms/PLUM_OPD_2024.json', import.meta.url), 'utf8')), token);

const families: string[] = await inOwnerTransaction(deps.db, async (tx) => {
  await enterTenant(tx, tenant);
  const agent = await insertAgentRow(tx, { user_id: null, agent_code: 'BENCH-1', parent_agent_id: null });
  const { pre_order: order } = await tx('agents').first('pre_order').where({ agent_id: agent.agent_id });
  const ids: string[] = [];
  for (let i = 0; i < FAMILIES; i += 1) {
    const [holder] = await tx('policyholders').insert({ agent_id: agent.agent_id, agent_order: order, first_name: 'Member', last_name: String(i) }).returning('policyholder_id');
    const id = (holder as { policyholder_id: string }).policyholder_id;
    await tx('policies').insert({ agent_id: agent.agent_id, agent_order: order, policyholder_id: id, policy_number: `B-${i}`, policy_type: 'health',
      category: 'health', plan_name: 'OPD', plan_code: 'PLUM_OPD_2024', sum_assured: '500000', premium_amount: '12000', premium_frequency: 'yearly',
      premium_mode: 'regular', policy_term_years: 5, premium_paying_term_years: 5, grace_period_days: 30, revival_period_months: 24,
      application_date: '2025-01-01', start_date: '2025-01-01', maturity_date: '2030-01-01', renewal_date: '2026-01-01', status: 'active', installments_total: 5 });
    ids.push(id);
  }
  return ids;
});

// CLAIMS_TRACE=1: one claim's round trips as pg received them (text shortened), before the load.
if (process.env.CLAIMS_TRACE) {
  const sent: string[] = [];
  const stopRecording = recordStatements(() => sent);
  for (const n of [0, 1]) {
    sent.length = 0;
    const res = await post('/claims', { policyholder_id: families[n], treatment_date: '2026-10-01', submission_date: '2026-11-30', claimed_amount: 1500,
      documents: { prescription: { doctor_name: 'Dr. A', doctor_reg: 'KA/45678/2015', diagnosis: 'Viral fever', medicines_prescribed: ['Paracetamol'] },
        bill: { consultation_fee: 1000, medicines: 500 } } }, token);
    await res.text();
  }
  stopRecording();
  // The job queue's connections poll on their own: not the claim's.
  const claims = sent.filter((text) => !text.includes(`${JOBS_SCHEMA}.`)).map((text) => text.replace(/\s+/g, ' ').slice(0, 400));
  process.stdout.write(`one claim's round trips (${claims.length}):\n${claims.map((text, i) => `  ${i + 1}. ${text}`).join('\n')}\n`);
}

// Where the time goes: round trips per claim (Knex's query event, one per simple or extended query) and CPU per
// claim, which stay meaningful when the machine is shared and wall-clock rates are not.
let statements = 0;
/** CPU (ms) the cluster's PostgreSQL processes have used so far. */
async function databaseCpuMs(): Promise<number> {
  const { rows } = await deps.db.app.raw(DATABASE_PIDS_SQL) as { rows: { pid: number }[] };
  return processCpuMs(rows.map((row) => row.pid));
}
deps.db.app.on('query', () => { statements += 1; });
// CLAIMS_PROFILE=<file.cpuprofile>: V8's sampling profile of the server (this process) over the claims window only.
const profileTo = process.env.CLAIMS_PROFILE;
const profiler = profileTo ? new Session() : undefined;
if (profiler) {
  profiler.connect();
  await profiler.post('Profiler.enable');
}

/** A load from the client process, with what it cost the server (this process) and PostgreSQL per request. */
async function measured(job: LoadJob) {
  let cpuBefore = process.cpuUsage();
  let dbBefore = 0;
  const result = await fromClient(job, { async start() {
    dbBefore = await databaseCpuMs();
    statements = 0;
    cpuBefore = process.cpuUsage();
  } });
  const cpu = process.cpuUsage(cpuBefore);
  const count = result.latencies.length;
  const dbMs = await databaseCpuMs() - dbBefore;
  const latencies = [...result.latencies].sort((a, b) => a - b);
  return { count, rate: Math.round(count / result.seconds), seconds: result.seconds, decisions: result.decisions,
    p50: latencies[Math.floor(count / 2)]?.toFixed(1), p95: latencies[Math.floor(count * 0.95)]?.toFixed(1),
    roundTrips: (statements / count).toFixed(1), serverMs: ((cpu.user + cpu.system) / 1000 / count).toFixed(2),
    kernelMs: (cpu.system / 1000 / count).toFixed(2), clientMs: (result.cpuMs / count).toFixed(2), dbMs: (dbMs / count).toFixed(2) };
}

if (profiler) await profiler.post('Profiler.start');
const claims = await measured({ kind: 'claims', base, token, families, seconds: SECONDS });
if (profiler && profileTo) writeFileSync(profileTo, JSON.stringify((await profiler.post('Profiler.stop')).profile));
process.stdout.write(`POST /claims: ${claims.count} claims in ${claims.seconds.toFixed(1)} s = ${claims.rate} claims/s at concurrency ${CONCURRENCY}; `
  + `p50 ${claims.p50} ms, p95 ${claims.p95} ms; decisions ${JSON.stringify(claims.decisions)}\n`
  + `  per claim: ${claims.roundTrips} round trips (knex queries: the opening with BEGIN and the COMMIT included), `
  + `${claims.serverMs} ms of the server's CPU (${claims.kernelMs} of it in the kernel), ${claims.dbMs} ms of PostgreSQL's, `
  + `${claims.clientMs} ms of the bench client's (another process)\n`);
// The floor under the same load: an authenticated read that does one small query (GET /auth/me).
const me = await measured({ kind: 'me', base, token, families, seconds: 3 });
process.stdout.write(`GET /auth/me under the same conditions: ${me.rate} requests/s; per request ${me.serverMs} ms of the server's CPU, `
  + `${me.dbMs} ms of PostgreSQL's, ${me.clientMs} ms of the client's\n`);
await new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
await deps.db.close();
process.exit(0);
