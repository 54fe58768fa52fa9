import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/app.js';
import { boot } from '../../src/boot.js';
import { inOwnerTransaction } from '../../src/db/privileged.js';
import { enterTenant } from '../../src/db/scope.js';
import { createLogger } from '../../src/logger.js';
import { onboardTenant } from '../../src/tenants/onboarding.js';
import type { TenantRecord } from '../../src/tenants/repository.js';
import { persistedSecret } from '../../src/config.js';
import { benchConfig } from './bench-config.js';
import { collectGarbage, memoryNow, sample, type MeterSample } from './meter.js';
import { JUNIORS, MANAGERS, SENIORS, seedBook, seedSmallBook, seedSummary, seedUser } from './seed.js';

// The API's process in `npm run bench` (run.ts forks it with --expose-gc and drives it over IPC): boots the app on
// an embedded cluster (or DATABASE_URL), seeds the book, collects the seeding's garbage and serves the API. The
// meter (meter.ts) records every statement its pg clients send and samples its resident memory. The bare server
// runs in a process of its own (bare-main.ts).

export type TargetRequest = { type: 'sample'; gc?: boolean } | { type: 'fill'; tenantCode: string; policyholders: number } | { type: 'stop' };

export interface TargetReady {
  type: 'ready';
  base: string;
  tenantCode: string;
  adminEmail: string;
  password: string;
  juniors: string[];
  manager: string;
  policyIds: string[];
  policyholderIds: string[];
  appUrl: string;
  /**
   * Where run.ts watches pg_stat_activity for autovacuum workers: the embedded cluster's superuser (who sees every
   * backend's type); under DATABASE_URL the owner (who may not: quiet.ts then also watches the tables' counters).
   */
  monitorUrl: string;
  schema: string;
  tenantId: string;
  isCitus: boolean;
  poolMax: number;
  /** TENANT_CACHE_TTL_MS: how long the registry keeps a tenant's record (a tenant idle longer pays a registry load). */
  registryTtlMs: number;
  seeded: { counts: Record<string, number>; seconds: number; steps: Record<string, number> };
  bootSeconds: number;
  /** This process's memory at idle after seeding, garbage collected. */
  idle: MeterSample['now'];
}

const PASSWORD = 'Bench#Password2026';
const JUNIOR_USERS = Number(process.env.BENCH_JUNIORS ?? 50);

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
  const policies = await tx.raw('SELECT policy_id, policyholder_id FROM policies TABLESAMPLE SYSTEM (2) LIMIT 1000');
  return {
    policyIds: policies.rows.map((row: { policy_id: string }) => row.policy_id),
    policyholderIds: policies.rows.map((row: { policyholder_id: string }) => row.policyholder_id),
  };
});

const monitorUrl = config.databaseUrl ? deps.db.ownerUrl : (() => {
  const url = new URL(deps.db.ownerUrl);
  url.username = 'postgres';
  url.password = encodeURIComponent(persistedSecret(config.dataDir, 'pg-superuser-password'));
  return url.toString();
})();

const server = createApp(deps).listen(0, '127.0.0.1');
await new Promise<void>((resolve) => server.once('listening', resolve));
process.on('message', async (message: TargetRequest) => {
  if (message.type === 'sample') {
    if (message.gc) collectGarbage();
    send(sample());
  } else if (message.type === 'fill') {
    // An onboarded tenant's small book (the many-tenants scenario); answered when committed.
    await seedSmallBook(deps, await deps.tenants.byCode(message.tenantCode) as TenantRecord, message.policyholders);
    send({ type: 'filled' });
  } else {
    await new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
    await deps.db.close();
    process.exit(0);
  }
});

collectGarbage();
sample();
send({
  type: 'ready', base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, tenantCode: code, adminEmail, password: PASSWORD,
  juniors: juniorEmails, manager: seeded.result.manager,
  policyIds: picked.policyIds, policyholderIds: picked.policyholderIds, appUrl: deps.db.appUrl, monitorUrl, schema: tenant.schema_name,
  tenantId: tenant.tenant_id, isCitus: deps.db.isCitus, poolMax: config.dbPoolMax, registryTtlMs: config.tenantCacheTtlMs,
  seeded: { counts: seeded.counts, seconds: seeded.seconds, steps: seeded.steps }, bootSeconds, idle: memoryNow(),
} satisfies TargetReady);
