import { inOwnerTransaction } from '../../src/db/privileged.js';
import { withClient } from '../../src/db/roles.js';
import { enterTenant, MAX_AGENT_ORDER, type Tx } from '../../src/db/scope.js';
import type { AppDeps } from '../../src/deps.js';
import type { TenantRecord } from '../../src/tenants/repository.js';
import { assignRoles, insertUser } from '../../src/users/repository.js';

// The book `npm run bench` measures, seeded set-based (a handful of INSERT ... SELECT statements, no row loops):
// 5 regional managers over 2,000 agents each (40 seniors with 49 juniors), 10,005 agents in all; PER_JUNIOR
// policyholders per junior (10: 98,000), one OPD health policy each (plan PLUM_OPD_2024, yearly premium 12,000,
// 20 instalments, 3 paid) and those 3 payments (294,000). Then the users the bench signs in as: JUNIOR_USERS junior
// agents, the manager of region 2, and the tenant's provider admin (made at onboarding).

const MANAGERS = 5;
const SENIORS = 40;
const JUNIORS = 49;
const PER_JUNIOR = Number(process.env.BENCH_PER_JUNIOR ?? 10);
export const PREMIUM = 12_000;

export interface SeededBook {
  readonly juniors: string[];
  readonly manager: string;
  readonly counts: Record<string, number>;
  readonly seconds: number;
}

async function seedBook(tx: Tx, isCitus: boolean): Promise<void> {
  const subtree = 1 + SENIORS * (1 + JUNIORS);
  const unit = Math.floor(MAX_AGENT_ORDER / (MANAGERS * subtree + 1));
  const numbers = (rank: string, size: number) => `1 + (${rank})::bigint * ${unit}, ((${rank})::bigint + ${size}) * ${unit}`;
  // Citus refuses DISABLE TRIGGER on distributed tables: there the audit trail records the seed too (slower).
  const tables = isCitus ? [] : ['agents', 'policyholders', 'policies', 'premium_payments'];
  for (const table of tables) await tx.raw(`ALTER TABLE ${table} DISABLE TRIGGER ${table}_audit`);
  await tx.raw(`INSERT INTO agents (agent_id, agent_code, hierarchy_level, pre_order, subtree_hi, territory)
    SELECT md5('m' || m)::uuid, 'BM-' || m, 1, ${numbers(`m * ${subtree}`, subtree)}, 'Region ' || m FROM generate_series(0, ${MANAGERS - 1}) m`);
  await tx.raw(`INSERT INTO agents (agent_id, agent_code, parent_agent_id, hierarchy_level, pre_order, subtree_hi, territory)
    SELECT md5('s' || m || '-' || s)::uuid, 'BS-' || m || '-' || s, md5('m' || m)::uuid, 2,
           ${numbers(`m * ${subtree} + 1 + s * ${1 + JUNIORS}`, 1 + JUNIORS)}, 'Region ' || m
      FROM generate_series(0, ${MANAGERS - 1}) m, generate_series(0, ${SENIORS - 1}) s`);
  await tx.raw(`INSERT INTO agents (agent_id, agent_code, parent_agent_id, hierarchy_level, pre_order, subtree_hi, territory)
    SELECT md5('j' || m || '-' || s || '-' || j)::uuid, 'BJ-' || m || '-' || s || '-' || j, md5('s' || m || '-' || s)::uuid, 3,
           ${numbers(`m * ${subtree} + 1 + s * ${1 + JUNIORS} + 1 + j`, 1)}, 'Region ' || m
      FROM generate_series(0, ${MANAGERS - 1}) m, generate_series(0, ${SENIORS - 1}) s, generate_series(0, ${JUNIORS - 1}) j`);
  await tx.raw(`INSERT INTO policyholders (agent_id, agent_order, first_name, last_name, email, phone_number, customer_id, created_at)
    SELECT a.agent_id, a.pre_order,
           (ARRAY['Asha','Ravi','Kavya','Arjun','Meera','Vikram','Priya','Rahul','Sneha','Anil'])[1 + (g % 10)],
           (ARRAY['Sharma','Iyer','Patel','Reddy','Nair','Gupta','Singh','Das','Menon','Rao'])[1 + (abs(hashtext(a.agent_code)) + g) % 10],
           lower(a.agent_code) || '.' || g || '@example.in', '+91' || (7000000000 + row_number() OVER ())::text,
           a.agent_code || '-' || g, now() - (random() * interval '730 days')
      FROM agents a CROSS JOIN generate_series(1, ${PER_JUNIOR}) g WHERE a.hierarchy_level = 3`);
  await tx.raw(`INSERT INTO policies (agent_id, agent_order, policyholder_id, policy_number, policy_type, category, plan_name, plan_code,
      sum_assured, premium_amount, premium_frequency, premium_mode, policy_term_years, premium_paying_term_years, grace_period_days,
      revival_period_months, application_date, start_date, maturity_date, renewal_date, status, installments_total, installments_paid,
      total_payments, total_premium_paid, last_payment_date, next_payment_date, created_at)
    SELECT agent_id, agent_order, policyholder_id, 'B-' || customer_id, 'health', 'health', 'OPD', 'PLUM_OPD_2024',
           500000, ${PREMIUM}, 'yearly', 'regular', 20, 20, 30, 24, '2024-01-01', '2024-01-01', '2044-01-01', '2027-01-01', 'active',
           20, 3, 3, ${3 * PREMIUM}, '2026-01-01', '2027-01-01', created_at
      FROM policyholders`);
  await tx.raw(`INSERT INTO premium_payments (agent_id, agent_order, policy_id, policyholder_id, amount, payment_date, due_date,
      installments_covered, payment_method, request_fingerprint, status, created_at)
    SELECT p.agent_id, p.agent_order, p.policy_id, p.policyholder_id, p.premium_amount, make_date(2024 + y, 1, 1), make_date(2024 + y, 1, 1),
           1, 'upi', repeat('0', 64), 'completed', p.created_at
      FROM policies p CROSS JOIN generate_series(0, 2) y`);
  for (const table of tables) await tx.raw(`ALTER TABLE ${table} ENABLE TRIGGER ${table}_audit`);
}

async function user(tx: Tx, passwordHash: string, email: string, role: string): Promise<string> {
  const row = await insertUser(tx, { email, password_hash: passwordHash, first_name: 'Bench', last_name: role });
  const roleRow = await tx('roles').first('role_id').where({ role_name: role });
  await assignRoles(tx, row.user_id, [roleRow.role_id], null);
  return row.user_id;
}

/** Seeds the book into `tenant` and returns the e-mails of the junior users and of the regional manager. */
export async function seedScaleBook(deps: AppDeps, tenant: TenantRecord, password: string, juniorUsers: number): Promise<SeededBook> {
  const started = performance.now();
  const passwordHash = await deps.passwords.hash(password);
  const juniors: string[] = [];
  await inOwnerTransaction(deps.db, async (tx) => {
    await enterTenant(tx, tenant, 'bench');
    await seedBook(tx, deps.db.isCitus);
    for (let index = 0; index < juniorUsers; index += 1) {
      const email = `junior${index}@scale.bench`;
      const userId = await user(tx, passwordHash, email, 'junior_agent');
      // Juniors spread over the regions and teams: BJ-<m>-<s>-<j>.
      const code = `BJ-${index % MANAGERS}-${(index * 7) % SENIORS}-${(index * 13) % JUNIORS}`;
      await tx('agents').where({ agent_code: code }).update({ user_id: userId });
      juniors.push(email);
    }
    const managerId = await user(tx, passwordHash, 'manager@scale.bench', 'regional_manager');
    await tx('agents').where({ agent_code: 'BM-2' }).update({ user_id: managerId });
  });
  await withClient(deps.db.ownerUrl, async (client) => {
    for (const table of ['agents', 'policyholders', 'policies', 'premium_payments']) await client.query(`VACUUM ANALYZE "${tenant.schema_name}".${table}`);
  });
  const counts = await inOwnerTransaction(deps.db, async (tx) => {
    await enterTenant(tx, tenant, 'bench');
    return (await tx.raw(`SELECT (SELECT count(*) FROM agents) AS agents, (SELECT count(*) FROM policyholders) AS policyholders,
      (SELECT count(*) FROM policies) AS policies, (SELECT count(*) FROM premium_payments) AS payments`)).rows[0] as Record<string, number>;
  });
  return { juniors, manager: 'manager@scale.bench', counts, seconds: (performance.now() - started) / 1000 };
}
