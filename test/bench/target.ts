import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { createApp } from '../../src/app.js';
import { boot } from '../../src/boot.js';
import { inOwnerTransaction } from '../../src/db/privileged.js';
import { enterTenant, MAX_AGENT_ORDER } from '../../src/db/scope.js';
import { createLogger } from '../../src/logger.js';
import { onboardTenant } from '../../src/tenants/onboarding.js';
import type { TenantRecord } from '../../src/tenants/repository.js';
import { benchConfig } from './bench-config.js';
import { startBareServer, type BareCaller } from './bare-server.js';
import { JUNIORS, MANAGERS, SENIORS, seedBook, seedSummary, seedUser } from './seed.js';

// The process under load in `npm run bench` (run.ts starts it and drives it over IPC): boots the app on an
// embedded cluster (or DATABASE_URL), seeds the book, serves the API and, on request, the bare server; counts every
// statement any pg client in the process sends (its database round trips) and samples its resident memory.

export type TargetRequest =
  | { type: 'start-bare'; callers: BareCaller[] }
  | { type: 'sample' }
  | { type: 'stop' };

export interface TargetReady {
  type: 'ready';
  base: string;
  tenantCode: string;
  adminEmail: string;
  password: string;
  juniors: string[];
  manager: string;
  ranges: { juniors: BareCaller[]; manager: BareCaller; admin: BareCaller };
  policyIds: string[];
  policyholderIds: string[];
  appUrl: string;
  schema: string;
  tenantId: string;
  isCitus: boolean;
  poolMax: number;
  seeded: { counts: Record<string, number>; seconds: number; steps: Record<string, number> };
  bootSeconds: number;
}

export interface TargetSample {
  type: 'sample';
  roundTrips: number;
  statements: string[];
  peakRss: number;
  listSql: { sql: string; values: unknown[] } | null;
}

const PASSWORD = 'Bench#Password2026';
const JUNIOR_USERS = Number(process.env.BENCH_JUNIORS ?? 50);

let roundTrips = 0;
/** The first statements since the last sample (a probe request's, when the process is otherwise idle). */
let statements: string[] = [];
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function counted(this: pg.Client, ...args: unknown[]) {
  roundTrips += 1;
  const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | undefined)?.text ?? '';
  if (statements.length < 20) statements.push(text.replace(/\s+/g, ' ').trim().slice(0, 100));
  return (query as (...a: unknown[]) => unknown).apply(this, args);
} as typeof pg.Client.prototype.query;

let peakRss = 0;
setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage.rss()); }, 50).unref();

const send = (message: unknown) => process.send?.(message);

const started = performance.now();
const config = benchConfig('.data/bench');
const deps = await boot(config, createLogger(config), 'throwaway');
const bootSeconds = (performance.now() - started) / 1000;
const code = `SCALE${Date.now() % 100000}`;
const adminEmail = 'admin@scale.bench';
const created = await onboardTenant(deps, { tenant_code: code, tenant_name: 'Scale bench', tenant_type: 'insurance_provider',
  api_rate_limit: 1_000_000_000, admin: { email: adminEmail, password: PASSWORD, first_name: 'Bench', last_name: 'Admin' } } as never);
const tenant = await deps.tenants.byId(created.tenant_id) as TenantRecord;
// The junior users spread over the regions and teams (BJ-<m>-<s>-<j>), the manager of region 2.
const juniorEmails = Array.from({ length: JUNIOR_USERS }, (_, index) => `junior${index}@scale.bench`);
const seeded = await seedBook(deps, tenant, { perJunior: Number(process.env.BENCH_PER_JUNIOR ?? 10), policies: 'opd-yearly' }, async (tx) => {
  const passwordHash = await deps.passwords.hash(PASSWORD);
  for (const [index, email] of juniorEmails.entries()) {
    const code = `BJ-${index % MANAGERS}-${(index * 7) % SENIORS}-${(index * 13) % JUNIORS}`;
    await tx('agents').where({ agent_code: code }).update({ user_id: await seedUser(tx, passwordHash, email, 'junior_agent') });
  }
  await tx('agents').where({ agent_code: 'BM-2' }).update({ user_id: await seedUser(tx, passwordHash, 'manager@scale.bench', 'regional_manager') });
  return { juniors: juniorEmails, manager: 'manager@scale.bench' };
});
process.stdout.write(`${seedSummary(seeded)}\n`);
const picked = await inOwnerTransaction(deps.db, async (tx) => {
  await enterTenant(tx, tenant, 'bench');
  const juniors = await tx('agents').join('users', 'users.user_id', 'agents.user_id').whereIn('users.email', juniorEmails)
    .select('agents.pre_order', 'users.email');
  const manager = await tx('agents').first('pre_order', 'subtree_hi').where({ agent_code: 'BM-2' });
  const policies = await tx.raw('SELECT policy_id, policyholder_id FROM policies TABLESAMPLE SYSTEM (2) LIMIT 1000');
  const order = new Map(juniors.map((row: { email: string; pre_order: number }) => [row.email, row.pre_order]));
  return {
    juniors: juniorEmails.map((email) => ({ lo: order.get(email) as number, hi: order.get(email) as number })),
    manager: { lo: manager.pre_order, hi: manager.subtree_hi },
    policyIds: policies.rows.map((row: { policy_id: string }) => row.policy_id),
    policyholderIds: policies.rows.map((row: { policyholder_id: string }) => row.policyholder_id),
  };
});

// The SQL the API sends for GET /policyholders, as pg receives it, for the bare server and pgbench to run verbatim.
let listSql: TargetSample['listSql'] = null;
deps.db.app.on('query', (sent: { sql: string; bindings?: unknown[] }) => {
  if (!listSql && /from "policyholders"/i.test(sent.sql) && /order by/i.test(sent.sql)) listSql = { sql: sent.sql, values: sent.bindings ?? [] };
});

const server = createApp(deps).listen(0, '127.0.0.1');
await new Promise<void>((resolve) => server.once('listening', resolve));
let bare: Awaited<ReturnType<typeof startBareServer>> | undefined;

process.on('message', async (message: TargetRequest) => {
  if (message.type === 'sample') {
    send({ type: 'sample', roundTrips, statements, peakRss, listSql } satisfies TargetSample);
    peakRss = process.memoryUsage.rss();
    statements = [];
  } else if (message.type === 'start-bare') {
    if (!listSql) throw new Error('no GET /policyholders seen yet');
    bare = await startBareServer({ url: deps.db.appUrl, poolMax: config.dbPoolMax, schema: tenant.schema_name, tenantId: tenant.tenant_id,
      callers: message.callers, sql: listSql.sql, values: listSql.values, citus: deps.db.isCitus });
    send({ type: 'bare', port: bare.port });
  } else {
    await bare?.close();
    await new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
    await deps.db.close();
    process.exit(0);
  }
});

send({
  type: 'ready', base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, tenantCode: code, adminEmail, password: PASSWORD,
  juniors: juniorEmails, manager: seeded.result.manager,
  ranges: { juniors: picked.juniors, manager: picked.manager, admin: { lo: 0, hi: MAX_AGENT_ORDER } },
  policyIds: picked.policyIds, policyholderIds: picked.policyholderIds, appUrl: deps.db.appUrl, schema: tenant.schema_name,
  tenantId: tenant.tenant_id, isCitus: deps.db.isCitus, poolMax: config.dbPoolMax,
  seeded: { counts: seeded.counts, seconds: seeded.seconds, steps: seeded.steps }, bootSeconds,
} satisfies TargetReady);
