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

// `npm run bench:policies`: policies, payments and the dashboard at scale. One tenant with 10,005 agents (5 regional
// managers over 2,000 agents each) and 196,000 policyholders, each with a policy and a payment, seeded in SQL. For
// a junior, a manager and a tenant-wide caller it prints the mean time of a scoped transaction (runtime role, RLS on
// the caller's agent range) running the newest-50 policy page, the overdue list, the payment page and the team
// dashboard, and EXPLAIN (ANALYZE, BUFFERS) of each. Callers are given their range directly (no sign-in).

// BENCH_KEEP=1 keeps the cluster under .data/bench-policies (persistent) and BENCH_TENANT=<code> measures a tenant
// seeded by an earlier run instead of seeding again; with DATABASE_URL set (a Citus cluster), that server is used.

export const MANAGERS = 5;
const SENIORS = 40;
const JUNIORS = 49;
const PER_JUNIOR = 20;
const RUNS = Number(process.env.BENCH_RUNS ?? 50);

/**
 * Seeds the current tenant (run in an owner transaction that entered it): 10,005 agents (5 regional managers
 * BM-0..BM-4, 40 seniors BS-m-s each with 49 juniors BJ-m-s-j), 20 policyholders per junior, each with a monthly
 * policy and a payment. Audit triggers are off while seeding.
 */
/**
 * Citus refuses ALTER TABLE ... TRIGGER on a distributed table unless unsafe triggers are allowed, and an INSERT ...
 * SELECT (sent to the shards as COPY) under row-level security: on Citus the seeding transaction allows the first
 * and lifts FORCE from `tables` (the owner seeds); the returned function puts FORCE back before commit.
 */
export async function prepareSeedingOnCitus(tx: Tx, tables: readonly string[]): Promise<() => Promise<void>> {
  const { rows } = await tx.raw("SELECT current_setting('citus.enable_unsafe_triggers', true) AS setting");
  if (rows[0].setting === null) return async () => undefined;
  await tx.raw('SET LOCAL citus.enable_unsafe_triggers = on');
  for (const table of tables) await tx.raw(`ALTER TABLE ${table} NO FORCE ROW LEVEL SECURITY`);
  return async () => {
    for (const table of tables) await tx.raw(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
  };
}

export async function seedPoliciesAtScale(tx: Tx): Promise<void> {
  const subtree = 1 + SENIORS * (1 + JUNIORS);
  const unit = Math.floor(MAX_AGENT_ORDER / (MANAGERS * subtree + 1));
  const numbers = (rank: string, size: number) => `1 + (${rank})::bigint * ${unit}, ((${rank})::bigint + ${size}) * ${unit}`;
  const restore = await prepareSeedingOnCitus(tx, ['agents', 'policyholders', 'policies', 'premium_payments']);
  for (const table of ['agents', 'policyholders', 'policies', 'premium_payments']) await tx.raw(`ALTER TABLE ${table} DISABLE TRIGGER ${table}_audit`);
  await tx.raw(`INSERT INTO agents (agent_id, agent_code, hierarchy_level, pre_order, subtree_hi)
    SELECT md5('m' || m)::uuid, 'BM-' || m, 1, ${numbers(`m * ${subtree}`, subtree)} FROM generate_series(0, ${MANAGERS - 1}) m`);
  await tx.raw(`INSERT INTO agents (agent_id, agent_code, parent_agent_id, hierarchy_level, pre_order, subtree_hi)
    SELECT md5('s' || m || '-' || s)::uuid, 'BS-' || m || '-' || s, md5('m' || m)::uuid, 2, ${numbers(`m * ${subtree} + 1 + s * ${1 + JUNIORS}`, 1 + JUNIORS)}
      FROM generate_series(0, ${MANAGERS - 1}) m, generate_series(0, ${SENIORS - 1}) s`);
  await tx.raw(`INSERT INTO agents (agent_id, agent_code, parent_agent_id, hierarchy_level, pre_order, subtree_hi)
    SELECT md5('j' || m || '-' || s || '-' || j)::uuid, 'BJ-' || m || '-' || s || '-' || j, md5('s' || m || '-' || s)::uuid, 3,
           ${numbers(`m * ${subtree} + 1 + s * ${1 + JUNIORS} + 1 + j`, 1)}
      FROM generate_series(0, ${MANAGERS - 1}) m, generate_series(0, ${SENIORS - 1}) s, generate_series(0, ${JUNIORS - 1}) j`);
  await tx.raw(`INSERT INTO policyholders (agent_id, agent_order, first_name, customer_id, created_at)
    SELECT a.agent_id, a.pre_order, 'Asha', a.agent_code || '-' || g, now() - random() * interval '730 days'
      FROM agents a CROSS JOIN generate_series(1, ${PER_JUNIOR}) g WHERE a.hierarchy_level = 3`);
  // One monthly policy each, started up to two years ago, with 0 to 24 instalments paid: some due, some overdue.
  await tx.raw(`INSERT INTO policies (agent_id, agent_order, policyholder_id, policy_number, policy_type, category, plan_name,
      sum_assured, premium_amount, premium_frequency, premium_mode, policy_term_years, premium_paying_term_years,
      grace_period_days, revival_period_months, application_date, start_date, maturity_date, renewal_date, status,
      installments_total, installments_paid, next_payment_date, created_at)
    SELECT h.agent_id, h.agent_order, h.policyholder_id, 'B' || h.customer_id, 'endowment', 'life', 'Bench plan',
      500000, 1000 + (hashtext(h.customer_id) & 4095), 'monthly', 'regular', 20, 20, 15, 60, s.start, s.start,
      s.start + interval '20 years', s.start + interval '1 year', 'active', 240, s.paid,
      s.start + make_interval(months => s.paid), h.created_at
      FROM policyholders h,
      LATERAL (SELECT (current_date - (hashtext(h.policyholder_id::text) & 511))::date AS start,
                      ((hashtext(h.customer_id) & 1023) % 18) AS paid) s`);
  await tx.raw(`INSERT INTO premium_payments (agent_id, agent_order, policy_id, policyholder_id, amount, payment_date,
      installments_covered, payment_method, request_fingerprint, status, created_at)
    SELECT p.agent_id, p.agent_order, p.policy_id, p.policyholder_id, p.premium_amount,
      current_date - (hashtext(p.policy_id::text) & 255), 1, 'upi', repeat('0', 64), 'completed', p.created_at
      FROM policies p`);
  for (const table of ['agents', 'policyholders', 'policies', 'premium_payments']) await tx.raw(`ALTER TABLE ${table} ENABLE TRIGGER ${table}_audit`);
  await restore();
  await tx.raw('ANALYZE agents, policyholders, policies, premium_payments');
}

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
  const started = performance.now();
  await inOwnerTransaction(deps.db, async (tx) => {
    await enterTenant(tx, tenant, 'bench');
    await seedPoliciesAtScale(tx);
  });
  console.log(`seeded tenant ${code}: 10,005 agents, 196,000 policyholders, policies and payments in ${((performance.now() - started) / 1000).toFixed(1)} s`);
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
    'GET /policyholders?q=asha (every row matches)': (tx) => listPolicyholders(tx, { limit: 50, q: 'asha' }),
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
