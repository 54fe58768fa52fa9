import type { Knex } from 'knex';
import { PAYABLE_STATUSES, type PolicyStatus } from './lifecycle.js';
import type { Tx } from '../db/scope.js';
import { paginate, type Page } from '../db/pagination.js';
import type { IsoDate } from './calendar.js';

// SQL for policies and their status history. NUMERIC comes back as strings and DATE as 'YYYY-MM-DD'; the service
// turns money into paise. Row-level security already limits every statement to the caller's part of the book.

export interface PolicyRow {
  readonly policy_id: string;
  readonly tenant_id: string;
  readonly agent_id: string;
  readonly agent_order: number;
  readonly policyholder_id: string;
  readonly policy_number: string;
  readonly provider_policy_id: string | null;
  readonly policy_type: string;
  readonly category: string;
  readonly plan_name: string;
  readonly plan_code: string | null;
  readonly sum_assured: string;
  readonly premium_amount: string;
  readonly premium_frequency: string;
  readonly premium_mode: string;
  readonly policy_term_years: number;
  readonly premium_paying_term_years: number;
  readonly grace_period_days: number;
  readonly revival_period_months: number;
  readonly application_date: IsoDate;
  readonly approval_date: IsoDate | null;
  readonly approved_by: string | null;
  readonly start_date: IsoDate;
  readonly maturity_date: IsoDate;
  readonly renewal_date: IsoDate;
  readonly status: PolicyStatus;
  readonly status_changed_at: Date;
  readonly lapsed_on: IsoDate | null;
  readonly installments_total: number;
  readonly installments_paid: number;
  readonly total_payments: number;
  readonly total_premium_paid: string;
  readonly last_payment_date: IsoDate | null;
  readonly next_payment_date: IsoDate | null;
  readonly coverage_details: Record<string, unknown> | null;
  readonly exclusions: string[] | null;
  readonly nominee_details: Record<string, unknown> | null;
  readonly created_by: string | null;
  readonly created_at: Date;
  readonly updated_at: Date;
}

/** A policy with what is computed as it is read: the premium fallen due and unpaid as of the read's date. */
export interface PolicyRecord extends PolicyRow {
  readonly grace_period_ends: IsoDate | null;
  readonly outstanding_amount: string;
}

export type PolicyValues = Partial<Omit<PolicyRow, 'policy_id' | 'tenant_id' | 'created_at' | 'updated_at' | 'status_changed_at'
  | 'exclusions' | 'coverage_details' | 'nominee_details'>> & {
  exclusions?: string | null; coverage_details?: string | null; nominee_details?: string | null; updated_by?: string | null;
  status_changed_at?: Knex.Raw;
};

const MONTHS = "CASE p.premium_frequency WHEN 'monthly' THEN 1 WHEN 'quarterly' THEN 3 WHEN 'half_yearly' THEN 6 ELSE 12 END";
// date_part (float8) rather than extract (numeric): the same whole numbers, at a fraction of the cost per row (the
// team dashboard evaluates this for every overdue policy of a manager's range).
const MONTHS_SINCE_START = "((date_part('year', :as_of::date) - date_part('year', p.start_date)) * 12 "
  + "+ date_part('month', :as_of::date) - date_part('month', p.start_date))::int";
const PERIODS_SINCE_START = `(${MONTHS_SINCE_START}) / (${MONTHS})`;

/**
 * SQL (with a :as_of binding): how many instalments of policy `p` have fallen due on or before :as_of. With k whole
 * periods of calendar months since the start, instalment k is due when start + k periods is not after :as_of
 * (month ends clamp as in premium-schedule.ts, and as PostgreSQL's date + interval does).
 */
export const INSTALLMENTS_DUE_SQL = `CASE WHEN p.start_date > :as_of::date THEN 0
  WHEN p.premium_frequency = 'single' THEN 1
  ELSE least(p.installments_total, ${PERIODS_SINCE_START}
    + CASE WHEN p.start_date + make_interval(months => ${PERIODS_SINCE_START} * (${MONTHS})) <= :as_of::date
      THEN 1 ELSE 0 END) END`;

/**
 * SQL (with a :as_of binding): premium fallen due and unpaid on :as_of, NUMERIC; 0 for a policy that takes no
 * payments (a proposal, or one surrendered, matured, claimed or cancelled): nothing there can be collected.
 */
export const OUTSTANDING_SQL = `CASE WHEN p.status IN (${PAYABLE_STATUSES.map((status) => `'${status}'`).join(', ')})
  THEN greatest(0, (${INSTALLMENTS_DUE_SQL}) - p.installments_paid) * p.premium_amount ELSE 0 END`;

function selectPolicies(tx: Tx, asOf: IsoDate): Knex.QueryBuilder {
  return tx({ p: 'policies' }).select('p.*', tx.raw(`(${OUTSTANDING_SQL})::numeric(14, 2) AS outstanding_amount`, { as_of: asOf }),
    tx.raw('p.next_payment_date + p.grace_period_days AS grace_period_ends'));
}

export async function insertPolicy(tx: Tx, values: PolicyValues): Promise<string> {
  const [row] = await tx('policies').insert(values).returning('policy_id');
  return row.policy_id as string;
}

export async function findPolicy(tx: Tx, policyId: string, asOf: IsoDate,
  options: { forUpdate?: boolean } = {}): Promise<PolicyRecord | undefined> {
  const query = selectPolicies(tx, asOf).where('p.policy_id', policyId).first();
  // FOR UPDATE OF p: the row lock that serialises payments, refunds and status changes of one policy.
  return options.forUpdate ? query.forUpdate('p') : query;
}

export async function updatePolicy(tx: Tx, policyId: string, values: PolicyValues): Promise<void> {
  await tx('policies').where({ policy_id: policyId }).update({ ...values, updated_at: tx.fn.now() });
}

export interface PolicyListFilter {
  readonly limit: number;
  readonly cursor?: string | undefined;
  readonly status?: string | undefined;
  readonly policyholder_id?: string | undefined;
  readonly agent_id?: string | undefined;
  readonly policy_type?: string | undefined;
  readonly category?: string | undefined;
  readonly due?: 'upcoming' | 'overdue' | undefined;
  readonly due_within_days: number;
}

export async function listPolicies(tx: Tx, filter: PolicyListFilter, asOf: IsoDate): Promise<Page<PolicyRecord>> {
  // A sub-select keeps the computed columns and the cursor's created_at unambiguous for paginate().
  const inner = selectPolicies(tx, asOf);
  for (const column of ['status', 'policyholder_id', 'agent_id', 'policy_type', 'category'] as const) {
    if (filter[column]) inner.where(`p.${column}`, filter[column]);
  }
  if (filter.due) {
    inner.where('p.status', 'active');
    if (filter.due === 'overdue') inner.where('p.next_payment_date', '<', asOf);
    else inner.whereRaw('p.next_payment_date BETWEEN ?::date AND ?::date + ?::int', [asOf, asOf, filter.due_within_days]);
  }
  return paginate<PolicyRecord>(tx.from(inner.as('policies')), 'policy_id', { ...filter, newestFirst: true });
}

export interface StatusChangeRow {
  readonly history_id: string;
  readonly from_status: PolicyStatus | null;
  readonly to_status: PolicyStatus;
  readonly reason: string | null;
  readonly source: 'api' | 'payment' | 'refund' | 'lapse_job';
  readonly changed_by: string | null;
  readonly changed_at: Date;
}

export type NewStatusChange = Omit<StatusChangeRow, 'history_id' | 'changed_at'> & {
  policy_id: string; agent_id: string; agent_order: number; policyholder_id: string;
};

/**
 * changed_at is the clock's time, not the transaction's (now()): several moves of one policy in one transaction (the
 * demo book's seeding) keep their order in the history instead of tying and falling back on random ids.
 */
export async function insertStatusChanges(tx: Tx, changes: readonly NewStatusChange[]): Promise<void> {
  if (changes.length) await tx('policy_status_history').insert(changes.map((change) => ({ ...change, changed_at: tx.raw('clock_timestamp()') })));
}

export async function statusHistoryOf(tx: Tx, policyId: string): Promise<StatusChangeRow[]> {
  return tx('policy_status_history').where({ policy_id: policyId })
    .select('history_id', 'from_status', 'to_status', 'reason', 'source', 'changed_by', 'changed_at')
    .orderBy([{ column: 'changed_at' }, { column: 'history_id' }]);
}

/** Whether a policy number is taken (the unique key decides under races; this gives the clear 409 first). */
export async function policyNumberTaken(tx: Tx, policyNumber: string): Promise<boolean> {
  return Boolean(await tx('policies').first('policy_id').where({ policy_number: policyNumber }));
}

/**
 * Lapses, in one statement, every active policy of the transaction's book whose first unpaid premium's grace
 * period ended before :as_of; returns what it changed. A second run finds nothing left to do.
 */
export async function lapseOverdue(tx: Tx, asOf: IsoDate): Promise<Pick<PolicyRow, 'policy_id' | 'agent_id' | 'agent_order' | 'policyholder_id'>[]> {
  return tx('policies')
    .where({ status: 'active' })
    .whereRaw('next_payment_date + grace_period_days < ?::date', [asOf])
    .update({ status: 'lapsed', lapsed_on: asOf, status_changed_at: tx.fn.now(), updated_at: tx.fn.now() })
    .returning(['policy_id', 'agent_id', 'agent_order', 'policyholder_id']);
}
