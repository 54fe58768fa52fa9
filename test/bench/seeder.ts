import crypto from 'node:crypto';
import { boot } from '../../src/boot.js';
import { inOwnerTransaction } from '../../src/db/privileged.js';
import { enterTenant } from '../../src/db/scope.js';
import { createLogger } from '../../src/logger.js';
import { onboardTenant } from '../../src/tenants/onboarding.js';
import type { TenantRecord } from '../../src/tenants/repository.js';
import { persistedSecret } from '../../src/config.js';
import { PLATFORM_GROUP, RUNTIME_GROUP, withClient } from '../../src/db/roles.js';
import { benchConfig } from './bench-config.js';
import { JUNIORS, MANAGERS, SENIORS, seedBook, seedSmallBook, seedSummary, seedUser, type SeedReport } from './seed.js';

// The seeding's own process in `npm run bench` (run.ts forks it first): boots the database (an embedded throwaway
// cluster, or DATABASE_URL), onboards the bench's tenant and seeds its book, then stays up, holding the cluster, to
// seed the onboarded tenants' small books on request (`fill`) until `stop`. The API's process (target.ts) connects
// to that database by URL, as production does, and seeds nothing: what the seeding allocated is not in the API's
// RSS (README "Bench", the API process's memory).

export type SeederRequest = { type: 'fill'; tenantCode: string; policyholders: number } | { type: 'stop' };

export interface Seeded {
  type: 'seeded';
  tenantCode: string;
  adminEmail: string;
  password: string;
  juniors: string[];
  manager: string;
  policyIds: string[];
  policyholderIds: string[];
  /**
   * Where run.ts watches pg_stat_activity for autovacuum workers: the embedded cluster's superuser (who sees every
   * backend's type); under DATABASE_URL the owner (who may not: quiet.ts then also watches the tables' counters).
   */
  monitorUrl: string;
  schema: string;
  tenantId: string;
  seeded: SeedReport;
  /** The environment the API's process boots with: this database (its three roles' URLs) and this master key. */
  env: Record<string, string>;
}

const PASSWORD = 'Bench#Password2026';
const JUNIOR_USERS = Number(process.env.BENCH_JUNIORS ?? 50);

const masterKey = crypto.randomBytes(32).toString('base64');
const config = benchConfig('.data/bench', { MASTER_KEY: masterKey });
const deps = await boot(config, createLogger(config), 'throwaway');
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

/** The embedded cluster's `role` with its persisted password, in the app's database. */
const embeddedUrl = (role: string, secret: string) => {
  const url = new URL(deps.db.appUrl);
  url.username = role;
  url.password = encodeURIComponent(persistedSecret(config.dataDir, secret));
  return url.toString();
};
const monitorUrl = config.databaseUrl ? deps.db.ownerUrl : embeddedUrl('postgres', 'pg-superuser-password');
// Under DATABASE_URL the API's process inherits it (and DATABASE_APP_URL ...) from run.ts. On the embedded cluster
// it gets the owner's URL as DATABASE_URL, as a deployment does, with the runtime and platform roles' URLs (their
// names in src/db/roles.ts, provisionFromSuperuser): it creates no role and changes no password, but grants each
// group to its role again, which needs the ADMIN option on the groups that the superuser created (a deployment's
// owner has it on the roles it created): given here, without membership.
if (!config.databaseUrl) {
  await withClient(embeddedUrl('postgres', 'pg-superuser-password'), (client) => client.query(`GRANT ${RUNTIME_GROUP}, ${PLATFORM_GROUP} `
    + `TO ${client.escapeIdentifier(decodeURIComponent(new URL(deps.db.ownerUrl).username))} WITH ADMIN TRUE, INHERIT FALSE, SET FALSE`));
}
const env: Record<string, string> = { MASTER_KEY: masterKey, ...(config.databaseUrl ? {} : { DATABASE_URL: deps.db.ownerUrl,
  DATABASE_APP_URL: deps.db.appUrl, DATABASE_PLATFORM_URL: embeddedUrl('agent_mitra_platform_app', 'pg-platform-password') }) };

let stopping: Promise<void> | undefined;
const stop = () => (stopping ??= deps.db.close().then(() => process.exit(0)));
process.on('message', async (message: SeederRequest) => {
  if (message.type === 'fill') {
    // An onboarded tenant's small book (the many-tenants scenario); answered when committed.
    await seedSmallBook(deps, await deps.tenants.byCode(message.tenantCode) as TenantRecord, message.policyholders);
    process.send?.({ type: 'filled' });
  } else await stop();
});
// run.ts gone (it stopped on an error): the throwaway cluster goes too.
process.on('disconnect', () => void stop());

process.send?.({
  type: 'seeded', tenantCode: code, adminEmail, password: PASSWORD, juniors: juniorEmails, manager: seeded.result.manager,
  policyIds: picked.policyIds, policyholderIds: picked.policyholderIds, monitorUrl, schema: tenant.schema_name, tenantId: tenant.tenant_id,
  seeded: { counts: seeded.counts, seconds: seeded.seconds, steps: seeded.steps }, env,
} satisfies Seeded);
