import type { Tx } from '../db/scope.js';
import type { IsoDate } from '../policies/calendar.js';
import { OUTSTANDING_SQL } from '../policies/repository.js';

// The dashboard's figures, each one aggregate over the raw rows of an agent-number range (RLS narrows further).
// Sums are NUMERIC(15, 2): a book's total may pass the 10^12 of one NUMERIC(14, 2) amount, up to the 10^13 money.ts reads.

export interface AgentNumbers {
  readonly agent_id: string;
  readonly pre_order: number;
  readonly subtree_hi: number;
}

/** The agent, if its number is within the caller's range. */
export async function findVisibleAgent(tx: Tx, agentId: string): Promise<AgentNumbers | undefined> {
  return tx('agents').first('agent_id', 'pre_order', 'subtree_hi').where({ agent_id: agentId })
    .whereRaw("pre_order BETWEEN current_setting('app.agent_lo')::bigint AND current_setting('app.agent_hi')::bigint");
}

export interface Range { readonly lo: number; readonly hi: number }

export interface DashboardFigures {
  readonly policyholders: number;
  readonly active: number;
  readonly lapsed: number;
  readonly total: number;
  readonly collected_month: string;
  readonly collected_year: string;
  readonly payments_month: number;
  readonly payments_year: number;
  readonly due_count: number;
  readonly due_amount: string;
  readonly overdue_count: number;
  readonly overdue_amount: string;
}

export async function dashboardFigures(tx: Tx, range: Range, dates: { asOf: IsoDate; monthFrom: IsoDate; yearFrom: IsoDate;
  dueUntil: IsoDate }): Promise<DashboardFigures> {
  const bindings = { lo: range.lo, hi: range.hi, as_of: dates.asOf, month_from: dates.monthFrom, year_from: dates.yearFrom,
    due_until: dates.dueUntil };
  const { rows } = await tx.raw(`
    SELECT
      (SELECT count(*) FROM policyholders h WHERE h.agent_order BETWEEN :lo AND :hi AND h.status = 'active')::int AS policyholders,
      pol.active, pol.lapsed, pol.total, pol.due_count, pol.due_amount, pol.overdue_count, pol.overdue_amount,
      pay.collected_month, pay.collected_year, pay.payments_month, pay.payments_year
    FROM (
      SELECT count(*) FILTER (WHERE p.status = 'active')::int AS active,
             count(*) FILTER (WHERE p.status = 'lapsed')::int AS lapsed,
             count(*)::int AS total,
             count(*) FILTER (WHERE p.status = 'active' AND p.next_payment_date BETWEEN :as_of::date AND :due_until::date)::int AS due_count,
             coalesce(sum(p.premium_amount) FILTER (WHERE p.status = 'active'
               AND p.next_payment_date BETWEEN :as_of::date AND :due_until::date), 0)::numeric(15, 2) AS due_amount,
             count(*) FILTER (WHERE p.status = 'active' AND p.next_payment_date < :as_of::date)::int AS overdue_count,
             coalesce(sum(${OUTSTANDING_SQL}) FILTER (WHERE p.status = 'active' AND p.next_payment_date < :as_of::date), 0)
               ::numeric(15, 2) AS overdue_amount
        FROM policies p WHERE p.agent_order BETWEEN :lo AND :hi
    ) pol, (
      SELECT coalesce(sum(m.amount) FILTER (WHERE m.payment_date >= :month_from::date), 0)::numeric(15, 2) AS collected_month,
             coalesce(sum(m.amount), 0)::numeric(15, 2) AS collected_year,
             count(*) FILTER (WHERE m.payment_date >= :month_from::date)::int AS payments_month,
             count(*)::int AS payments_year
        FROM premium_payments m
       WHERE m.agent_order BETWEEN :lo AND :hi AND m.status = 'completed'
         AND m.payment_date BETWEEN :year_from::date AND :as_of::date
    ) pay`, bindings);
  return rows[0] as DashboardFigures;
}
