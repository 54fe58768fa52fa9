import { boot } from '../../src/boot.js';
import { createLogger } from '../../src/logger.js';
import { onboardTenant } from '../../src/tenants/onboarding.js';
import type { TenantRecord } from '../../src/tenants/repository.js';
import { benchConfig } from './bench-config.js';
import { seedBook, seedSummary, type PolicyShape } from './seed.js';

// `npm run bench:seed`: only the seeding of `npm run bench` (its book, per step) and the time to onboard a tenant
// (BENCH_ONBOARD tenants, default 10), on an embedded cluster or DATABASE_URL. BENCH_SEED_KEEP_INDEXES=1 seeds with
// the indexes and foreign keys kept in place, for comparison; BENCH_SEED_SHAPE=monthly|none seeds the other benches' books.

const config = benchConfig('.data/bench-seed');
const deps = await boot(config, createLogger(config), 'throwaway');
try {
  const onboarded: number[] = [];
  let tenant: TenantRecord | undefined;
  for (let index = 0; index < Number(process.env.BENCH_ONBOARD ?? 10); index += 1) {
    const code = `SEED${index}X${Date.now() % 100000}`;
    const started = performance.now();
    const created = await onboardTenant(deps, { tenant_code: code, tenant_name: 'Seed bench', tenant_type: 'insurance_provider',
      admin: { email: `admin@${code.toLowerCase()}.bench`, password: 'Bench#Password2026', first_name: 'Bench', last_name: 'Admin' } } as never);
    onboarded.push(performance.now() - started);
    tenant ??= await deps.tenants.byId(created.tenant_id) as TenantRecord;
  }
  const sorted = [...onboarded].sort((a, b) => a - b);
  console.log(`onboarding ${onboarded.length} tenants: mean ${(onboarded.reduce((a, b) => a + b, 0) / onboarded.length).toFixed(0)} ms, `
    + `p50 ${sorted[Math.floor(sorted.length / 2)]?.toFixed(0)} ms, max ${sorted.at(-1)?.toFixed(0)} ms`);
  if (!tenant) throw new Error('BENCH_ONBOARD must be at least 1');
  const report = await seedBook(deps, tenant, { perJunior: Number(process.env.BENCH_PER_JUNIOR ?? 10),
    policies: (process.env.BENCH_SEED_SHAPE ?? 'opd-yearly') as PolicyShape }, async () => undefined);
  console.log(seedSummary(report));
} finally {
  await deps.db.close();
}
