import { pathToFileURL } from 'node:url';
import type { Knex } from 'knex';
import { boot } from '../../src/boot.js';
import { dashboardFigures } from '../../src/dashboard/repository.js';
import { inOwnerTransaction } from '../../src/db/privileged.js';
import { enterTenant, inTenantScope, MAX_AGENT_ORDER, setBookRange, type Tx } from '../../src/db/scope.js';
import type { AppDeps } from '../../src/deps.js';
import { createLogger } from '../../src/logger.js';
import { addDays, businessToday, firstOfMonth, firstOfYear } from '../../src/policies/calendar.js';
import { listPolicies } from '../../src/policies/repository.js';
import { listPayments } from '../../src/payments/repository.js';
import { listPolicyholders } from '../../src/policyholders/repository.js';
import { onboardTenant } from '../../src/tenants/onboarding.js';
import type { TenantRecord } from '../../src/tenants/repository.js';
import { benchConfig } from './bench-config.js';
import { seedBook, seedSummary } from './seed.js';

// `npm run bench:policies`: policies, payments and the dashboard at scale. One tenant with 10,005 agents (5 regional
// managers over 2,000 agents each) and 196,000 policyholders, each with a monthly policy and a payment (test/bench/seed.ts). For
// a junior, a manager and a tenant-wide caller it prints the mean time of a scoped transaction (runtime role, RLS on
// the caller's agent range) running the newest-50 policy page, the overdue list, the payment page and the team
// dashboard, and EXPLAIN (ANALYZE, BUFFERS) of each. Callers are given their range directly (no sign-in).

// BENCH_KEEP=1 keeps the cluster under .data/bench-policies (persistent) and BENCH_TENANT=<code> measures a tenant
// seeded by an earlier run instead of seeding again; with DATABASE_URL set (a Citus cluster), that server is used.

const RUNS = Number(process.env.BENCH_RUNS ?? 50);

interface Caller { readonly lo: number; readonly hi: number; readonly agent: { pre_order: number; subtree_hi: number } }

function inRange<T>(deps: AppDeps, tenant: TenantRecord, caller: Caller, work: (tx: Tx) => Promise<T>): Promise<T> {
  return inTenantScope(deps.db, tenant, { system: 'bench' }, async (tx) => {
    await setBookRange(deps.db, tx, { lo: caller.lo, hi: caller.hi, policyholder_id: null });
    return work(tx);
  });
}

async function explain(deps: AppDeps, tenant: TenantRecord, caller: Caller, work: (tx: Tx) => Promise<unknown>): Promise<string> {
  return inRange(deps, tenant, caller, async (tx) => {
    const sent: { sql: string; bindings: readonly Knex.Value[] }[] = [];
    const record = (query: { sql: string; bindings?: readonly Knex.Value[] }) => sent.push({ sql: query.sql, bindings: query.bindings ?? [] });
    deps.db.app.on('query', record);
    try {
      await work(tx);
    } finally {
      deps.db.app.off('query', record);
    }
    const last = sent.at(-1) as { sql: string; bindings: readonly Knex.Value[] };
    const { rows } = await tx.raw(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${last.sql.replace(/\$\d+/g, '?')}`, last.bindings as Knex.Value[]);
    return rows.map((row: Record<string, string>) => row['QUERY PLAN']).join('\n');
  });
}

async function meanMs(deps: AppDeps, tenant: TenantRecord, caller: Caller, work: (tx: Tx) => Promise<unknown>): Promise<number> {
  for (let index = 0; index < 5; index += 1) await inRange(deps, tenant, caller, work);
  const started = performance.now();
  for (let index = 0; index < RUNS; index += 1) await inRange(deps, tenant, caller, work);
  return (performance.now() - started) / RUNS;
}

async function seededTenant(deps: AppDeps): Promise<TenantRecord> {
  if (process.env.BENCH_TENANT) return await deps.tenants.byCode(process.env.BENCH_TENANT) as TenantRecord;
  const code = `POL${Date.now() % 100000}`;
  const created = await onboardTenant(deps, { tenant_code: code, tenant_name: 'Policies bench', tenant_type: 'insurance_provider',
    admin: { email: `admin@${code.toLowerCase()}.bench`, password: 'Bench#Password2026', first_name: 'Bench', last_name: 'Admin' } } as never);
  const tenant = await deps.tenants.byId(created.tenant_id) as TenantRecord;
  const seeded = await seedBook(deps, tenant, { perJunior: 20, policies: 'monthly' }, async () => undefined);
  console.log(`tenant ${code}: ${seedSummary(seeded)}`);
  return tenant;
}

async function main(): Promise<void> {
  const config = benchConfig('.data/bench-policies');
  const deps = await boot(config, createLogger(config), process.env.BENCH_KEEP ? 'persistent' : 'throwaway');
  try {
    const tenant = await seededTenant(deps);
    const agents = await inOwnerTransaction(deps.db, async (tx) => {
      await enterTenant(tx, tenant, 'bench');
      const pick = (agentCode: string) => tx('agents').first('pre_order', 'subtree_hi').where({ agent_code: agentCode });
      return { junior: await pick('BJ-2-7-3'), manager: await pick('BM-2') };
    });
    const today = businessToday();
    const callers: Record<string, Caller> = {
      junior: { lo: agents.junior.pre_order, hi: agents.junior.pre_order, agent: agents.junior },
      manager: { lo: agents.manager.pre_order, hi: agents.manager.subtree_hi, agent: agents.manager },
      admin: { lo: 0, hi: MAX_AGENT_ORDER, agent: agents.manager },
    };
    const work: Record<string, (tx: Tx, caller: Caller) => Promise<unknown>> = {
      'GET /policies?limit=50': (tx) => listPolicies(tx, { limit: 50, due_within_days: 30 }, today),
      'GET /policies?due=overdue': (tx) => listPolicies(tx, { limit: 50, due: 'overdue', due_within_days: 30 }, today),
      'GET /payments?limit=50': (tx) => listPayments(tx, { limit: 50 }),
    'GET /policyholders?q=asha (10% of rows match)': (tx) => listPolicyholders(tx, { limit: 50, q: 'asha' }),
      'dashboard (team of the manager)': (tx, caller) => dashboardFigures(tx, { lo: caller.agent.pre_order, hi: caller.agent.subtree_hi },
        { asOf: today, monthFrom: firstOfMonth(today), yearFrom: firstOfYear(today), dueUntil: addDays(today, 30) }),
    };
    console.log(`\n| caller | ${Object.keys(work).join(' | ')} |\n| --- |${' --- |'.repeat(Object.keys(work).length)}`);
    for (const [name, caller] of Object.entries(callers)) {
      const times: string[] = [];
      for (const run of Object.values(work)) times.push(`${(await meanMs(deps, tenant, caller, (tx) => run(tx, caller))).toFixed(2)} ms`);
      console.log(`| ${name} | ${times.join(' | ')} |`);
    }
    for (const [name, caller] of Object.entries(callers)) {
      for (const [label, run] of Object.entries(work)) {
        console.log(`\n### ${name}: ${label}\n\n\`\`\`\n${await explain(deps, tenant, caller, (tx) => run(tx, caller))}\n\`\`\``);
      }
    }
  } finally {
    await deps.db.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
