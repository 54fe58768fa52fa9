import { inOwnerTransaction } from '../../src/db/privileged.js';
import { withClient } from '../../src/db/roles.js';
import { enterTenant, MAX_AGENT_ORDER, type Tx } from '../../src/db/scope.js';
import type { AppDeps } from '../../src/deps.js';
import type { TenantRecord } from '../../src/tenants/repository.js';
import { assignRoles, insertUser } from '../../src/users/repository.js';

// The one seeding module of the benches (`npm run bench`, `bench:book`, `bench:policies`): an agent book at scale,
// set-based (one INSERT ... SELECT per level and table, no row loops), by the owner in one transaction.
// 5 regional managers BM-m over 2,000 agents each (40 seniors BS-m-s with 49 juniors BJ-m-s-j), 10,005 agents;
// `perJunior` policyholders per junior; then, by `policies`, one policy per policyholder and its payments:
// - 'opd-yearly' (`npm run bench`): OPD health plan PLUM_OPD_2024, yearly premium PREMIUM, 20 instalments, 3 paid,
//   and those 3 payments;
// - 'monthly' (`bench:policies`): a monthly endowment started up to 511 days ago with 0 to 17 instalments paid
//   (some due, some overdue) and one payment;
// - 'none' (`bench:book`).
//
// Speed (README "Bench", seeding): the audit triggers are off for the load (the trail of 400k seeded rows is not
// what the bench measures); on PostgreSQL the non-unique indexes and the foreign keys of the four tables are
// dropped before the load and put back after it with their own definitions (one sorted build per index, one join
// per key to validate, instead of a b-tree insertion and an RI lookup per row), then VACUUM ANALYZE: the bench's
// plans are those of a database with statistics and a visibility map. On Citus the owner lifts FORCE ROW LEVEL
// SECURITY for the load (Citus runs INSERT ... SELECT into a distributed table as COPY, which it refuses under RLS)
// and puts it back before commit; triggers there need `citus.enable_unsafe_triggers` to be switched off and on.

export const MANAGERS = 5;
export const SENIORS = 40;
export const JUNIORS = 49;
export const PREMIUM = 12_000;
const TABLES = ['agents', 'policyholders', 'policies', 'premium_payments'] as const;

export type PolicyShape = 'opd-yearly' | 'monthly' | 'none';

export interface SeedOptions {
  readonly perJunior: number;
  readonly policies: PolicyShape;
}

export interface SeedReport {
  readonly counts: Record<string, number>;
  /** Wall-clock seconds of the whole seed, commit and VACUUM ANALYZE included. */
  readonly seconds: number;
  /** Seconds per step, in order (each INSERT, the index and key rebuilds, the commit, VACUUM ANALYZE). */
  readonly steps: Record<string, number>;
}

const subtree = 1 + SENIORS * (1 + JUNIORS);
const unit = Math.floor(MAX_AGENT_ORDER / (MANAGERS * subtree + 1));
const numbers = (rank: string, size: number) => `1 + (${rank})::bigint * ${unit}, ((${rank})::bigint + ${size}) * ${unit}`;

function bookStatements(perJunior: number): Record<string, string> {
  return {
    'agents (managers)': `INSERT INTO agents (agent_id, agent_code, hierarchy_level, pre_order, subtree_hi, territory)
      SELECT md5('m' || m)::uuid, 'BM-' || m, 1, ${numbers(`m * ${subtree}`, subtree)}, 'Region ' || m FROM generate_series(0, ${MANAGERS - 1}) m`,
    'agents (seniors)': `INSERT INTO agents (agent_id, agent_code, parent_agent_id, hierarchy_level, pre_order, subtree_hi, territory)
      SELECT md5('s' || m || '-' || s)::uuid, 'BS-' || m || '-' || s, md5('m' || m)::uuid, 2,
             ${numbers(`m * ${subtree} + 1 + s * ${1 + JUNIORS}`, 1 + JUNIORS)}, 'Region ' || m
        FROM generate_series(0, ${MANAGERS - 1}) m, generate_series(0, ${SENIORS - 1}) s`,
    'agents (juniors)': `INSERT INTO agents (agent_id, agent_code, parent_agent_id, hierarchy_level, pre_order, subtree_hi, territory)
      SELECT md5('j' || m || '-' || s || '-' || j)::uuid, 'BJ-' || m || '-' || s || '-' || j, md5('s' || m || '-' || s)::uuid, 3,
             ${numbers(`m * ${subtree} + 1 + s * ${1 + JUNIORS} + 1 + j`, 1)}, 'Region ' || m
        FROM generate_series(0, ${MANAGERS - 1}) m, generate_series(0, ${SENIORS - 1}) s, generate_series(0, ${JUNIORS - 1}) j`,
    policyholders: `INSERT INTO policyholders (agent_id, agent_order, first_name, last_name, email, phone_number, customer_id, created_at)
      SELECT a.agent_id, a.pre_order,
             (ARRAY['Asha','Ravi','Kavya','Arjun','Meera','Vikram','Priya','Rahul','Sneha','Anil'])[1 + (g % 10)],
             (ARRAY['Sharma','Iyer','Patel','Reddy','Nair','Gupta','Singh','Das','Menon','Rao'])[1 + (abs(hashtext(a.agent_code)) + g) % 10],
             lower(a.agent_code) || '.' || g || '@example.in', '+91' || (7000000000 + row_number() OVER ())::text,
             a.agent_code || '-' || g, now() - (random() * interval '730 days')
        FROM agents a CROSS JOIN generate_series(1, ${perJunior}) g WHERE a.hierarchy_level = 3`,
  };
}

const POLICY_STATEMENTS: Record<PolicyShape, Record<string, string>> = {
  'opd-yearly': {
    policies: `INSERT INTO policies (agent_id, agent_order, policyholder_id, policy_number, policy_type, category, plan_name, plan_code,
        sum_assured, premium_amount, premium_frequency, premium_mode, policy_term_years, premium_paying_term_years, grace_period_days,
        revival_period_months, application_date, start_date, maturity_date, renewal_date, status, installments_total, installments_paid,
        total_payments, total_premium_paid, last_payment_date, next_payment_date, created_at)
      SELECT agent_id, agent_order, policyholder_id, 'B-' || customer_id, 'health', 'health', 'OPD', 'PLUM_OPD_2024',
             500000, ${PREMIUM}, 'yearly', 'regular', 20, 20, 30, 24, '2024-01-01', '2024-01-01', '2044-01-01', '2027-01-01', 'active',
             20, 3, 3, ${3 * PREMIUM}, '2026-01-01', '2027-01-01', created_at
        FROM policyholders`,
    premium_payments: `INSERT INTO premium_payments (agent_id, agent_order, policy_id, policyholder_id, amount, payment_date, due_date,
        installments_covered, payment_method, request_fingerprint, status, created_at)
      SELECT p.agent_id, p.agent_order, p.policy_id, p.policyholder_id, p.premium_amount, make_date(2024 + y, 1, 1), make_date(2024 + y, 1, 1),
             1, 'upi', repeat('0', 64), 'completed', p.created_at
        FROM policies p CROSS JOIN generate_series(0, 2) y`,
  },
  monthly: {
    policies: `INSERT INTO policies (agent_id, agent_order, policyholder_id, policy_number, policy_type, category, plan_name,
        sum_assured, premium_amount, premium_frequency, premium_mode, policy_term_years, premium_paying_term_years,
        grace_period_days, revival_period_months, application_date, start_date, maturity_date, renewal_date, status,
        installments_total, installments_paid, next_payment_date, created_at)
      SELECT h.agent_id, h.agent_order, h.policyholder_id, 'B' || h.customer_id, 'endowment', 'life', 'Bench plan',
        500000, 1000 + (hashtext(h.customer_id) & 4095), 'monthly', 'regular', 20, 20, 15, 60, s.start, s.start,
        s.start + interval '20 years', s.start + interval '1 year', 'active', 240, s.paid,
        s.start + make_interval(months => s.paid), h.created_at
        FROM policyholders h,
        LATERAL (SELECT (current_date - (hashtext(h.policyholder_id::text) & 511))::date AS start,
                        ((hashtext(h.customer_id) & 1023) % 18) AS paid) s`,
    premium_payments: `INSERT INTO premium_payments (agent_id, agent_order, policy_id, policyholder_id, amount, payment_date,
        installments_covered, payment_method, request_fingerprint, status, created_at)
      SELECT p.agent_id, p.agent_order, p.policy_id, p.policyholder_id, p.premium_amount,
        current_date - (hashtext(p.policy_id::text) & 255), 1, 'upi', repeat('0', 64), 'completed', p.created_at
        FROM policies p`,
  },
  none: {},
};

/** Drops what the load would maintain row by row (non-unique indexes, foreign keys); returns what puts them back. */
async function deferIndexesAndKeys(tx: Tx): Promise<{ indexes: string[]; keys: string[] }> {
  const tables = TABLES.map((table) => `'${table}'`).join(', ');
  const { rows: indexes } = await tx.raw(`SELECT i.indexrelid::regclass::text AS name, pg_get_indexdef(i.indexrelid) AS definition
      FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
     WHERE t.relnamespace = current_schema()::regnamespace AND t.relname IN (${tables}) AND NOT i.indisunique
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)`);
  const { rows: keys } = await tx.raw(`SELECT c.conrelid::regclass::text AS on_table, quote_ident(c.conname) AS name,
           pg_get_constraintdef(c.oid) AS definition
      FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
     WHERE t.relnamespace = current_schema()::regnamespace AND t.relname IN (${tables}) AND c.contype = 'f'`);
  for (const index of indexes) await tx.raw(`DROP INDEX ${index.name}`);
  for (const key of keys) await tx.raw(`ALTER TABLE ${key.on_table} DROP CONSTRAINT ${key.name}`);
  return {
    indexes: indexes.map((index: { definition: string }) => index.definition),
    keys: keys.map((key: { on_table: string; name: string; definition: string }) => `ALTER TABLE ${key.on_table} ADD CONSTRAINT ${key.name} ${key.definition}`),
  };
}

async function load(tx: Tx, isCitus: boolean, options: SeedOptions, timed: (step: string, work: () => Promise<unknown>) => Promise<void>): Promise<void> {
  if (isCitus) {
    await tx.raw('SET LOCAL citus.enable_unsafe_triggers = on');
    for (const table of TABLES) await tx.raw(`ALTER TABLE ${table} NO FORCE ROW LEVEL SECURITY`);
  }
  for (const table of TABLES) await tx.raw(`ALTER TABLE ${table} DISABLE TRIGGER USER`);
  // Citus keeps every index and key: DDL on a distributed table goes to the workers, and the validation of a key
  // added back is a distributed query of its own; measured there, not assumed to pay.
  const deferred = isCitus || process.env.BENCH_SEED_KEEP_INDEXES ? { indexes: [], keys: [] } : await deferIndexesAndKeys(tx);
  const statements = { ...bookStatements(options.perJunior), ...POLICY_STATEMENTS[options.policies] };
  for (const [step, sql] of Object.entries(statements)) await timed(step, () => tx.raw(sql));
  await timed(`indexes rebuilt (${deferred.indexes.length})`, async () => { for (const sql of deferred.indexes) await tx.raw(sql); });
  // Statistics first: without them the validating joins are planned blind.
  await timed('ANALYZE', () => tx.raw(`ANALYZE ${TABLES.join(', ')}`));
  await timed(`foreign keys validated (${deferred.keys.length})`, async () => { for (const sql of deferred.keys) await tx.raw(sql); });
  for (const table of TABLES) await tx.raw(`ALTER TABLE ${table} ENABLE TRIGGER USER`);
  if (isCitus) {
    for (const table of TABLES) await tx.raw(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
  }
}

/**
 * Seeds the book into `tenant` (fresh: no agents yet), then `more` in the same owner transaction (the bench's users),
 * commits, and VACUUM ANALYZEs the four tables.
 */
export async function seedBook<T>(deps: AppDeps, tenant: TenantRecord, options: SeedOptions,
  more: (tx: Tx) => Promise<T>): Promise<SeedReport & { result: T }> {
  const started = performance.now();
  const steps: Record<string, number> = {};
  const timed = async (step: string, work: () => Promise<unknown>) => {
    const from = performance.now();
    await work();
    steps[step] = (performance.now() - from) / 1000;
  };
  let committing = 0;
  const result = await inOwnerTransaction(deps.db, async (tx) => {
    await enterTenant(tx, tenant, 'bench');
    await load(tx, deps.db.isCitus, options, timed);
    const value = await more(tx);
    committing = performance.now();
    return value;
  });
  steps.commit = (performance.now() - committing) / 1000;
  await timed('VACUUM ANALYZE', () => withClient(deps.db.ownerUrl, async (client) => {
    for (const table of TABLES) await client.query(`VACUUM ANALYZE "${tenant.schema_name}".${table}`);
  }));
  const seconds = (performance.now() - started) / 1000;
  const counts = await inOwnerTransaction(deps.db, async (tx) => {
    await enterTenant(tx, tenant, 'bench');
    const { rows } = await tx.raw(`SELECT (SELECT count(*) FROM agents)::int AS agents, (SELECT count(*) FROM policyholders)::int AS policyholders,
      (SELECT count(*) FROM policies)::int AS policies, (SELECT count(*) FROM premium_payments)::int AS payments`);
    return rows[0] as Record<string, number>;
  });
  return { counts, seconds, steps, result };
}

/** A user with one role (by name), for the benches to sign in as. */
export async function seedUser(tx: Tx, passwordHash: string, email: string, role: string): Promise<string> {
  const row = await insertUser(tx, { email, password_hash: passwordHash, first_name: 'Bench', last_name: role });
  const roleRow = await tx('roles').first('role_id').where({ role_name: role });
  await assignRoles(tx, row.user_id, [roleRow.role_id], null);
  return row.user_id;
}

/** One line per step, for the benches' output. */
export function seedSummary(report: SeedReport): string {
  const steps = Object.entries(report.steps).map(([step, seconds]) => `${step} ${seconds.toFixed(1)} s`).join(', ');
  return `seeded ${Object.entries(report.counts).map(([table, count]) => `${count} ${table}`).join(', ')} in ${report.seconds.toFixed(1)} s (${steps})`;
}

const SMALL_BOOK_NAMES = ['Asha', 'Ravi', 'Kavya', 'Arjun', 'Meera'];

/**
 * A small book for an onboarded tenant of the many-tenants scenario (run.ts): one agent over the whole range and
 * `count` policyholders of it, two INSERTs by the owner in one transaction, the same path as seedBook
 * (the audit triggers stay on: a few rows). No VACUUM or ANALYZE: the tables stay as onboarding left them.
 */
export async function seedSmallBook(deps: AppDeps, tenant: TenantRecord, count: number): Promise<void> {
  await inOwnerTransaction(deps.db, async (tx) => {
    await enterTenant(tx, tenant, 'bench');
    await tx.raw(`INSERT INTO agents (agent_id, agent_code, hierarchy_level, pre_order, subtree_hi, territory)
      VALUES (md5('small')::uuid, 'BA-0', 1, 1, ${MAX_AGENT_ORDER}, 'Region 0')`);
    // INSERT ... VALUES, not INSERT ... SELECT: Citus runs the latter as COPY, which it refuses under RLS.
    const rows = Array.from({ length: count }, (_, index) => index + 1).map((g) => `(md5('small')::uuid, 1, `
      + `'${SMALL_BOOK_NAMES[g % SMALL_BOOK_NAMES.length]}', 'Sharma', 'small.${g}@example.in', '+91${8_000_000_000 + g}', 'BA-0-${g}', `
      + `now() - ${g} * interval '1 day')`);
    await tx.raw(`INSERT INTO policyholders (agent_id, agent_order, first_name, last_name, email, phone_number, customer_id, created_at)
      VALUES ${rows.join(', ')}`);
  });
}
