import type { AgentDashboard, DashboardQuery } from '../../schemas/dashboard.js';
import { authorize } from '../auth/ability.js';
import type { Actor } from '../auth/actor.js';
import type { Tx } from '../db/scope.js';
import { NotFoundError } from '../errors.js';
import { toPaise, toRupees } from '../money.js';
import { addDays, businessToday, firstOfMonth, firstOfYear } from '../policies/calendar.js';
import { dashboardFigures, findVisibleAgent } from './repository.js';

const rupees = (numeric: string): number => toRupees(toPaise(numeric));

/** An agent's dashboard (and, with include_team, its whole subtree's), computed from the rows as of today. */
export async function agentDashboard(tx: Tx, actor: Actor, agentId: string, query: DashboardQuery): Promise<AgentDashboard> {
  authorize(actor.ability, 'read', 'Agent');
  authorize(actor.ability, 'read', 'Policy');
  const agent = await findVisibleAgent(tx, agentId);
  if (!agent) throw new NotFoundError('No such agent.', { code: 'agent.not_found' });
  const asOf = businessToday();
  const figures = await dashboardFigures(tx,
    { lo: agent.pre_order, hi: query.include_team ? agent.subtree_hi : agent.pre_order },
    { asOf, monthFrom: firstOfMonth(asOf), yearFrom: firstOfYear(asOf), dueUntil: addDays(asOf, query.due_within_days) });
  return {
    agent_id: agent.agent_id,
    include_team: query.include_team,
    as_of: asOf,
    policyholders: figures.policyholders,
    policies: { active: figures.active, lapsed: figures.lapsed, total: figures.total },
    premium_collected: {
      this_month: rupees(figures.collected_month),
      this_year: rupees(figures.collected_year),
      payments_this_month: figures.payments_month,
      payments_this_year: figures.payments_year,
    },
    due: { within_days: query.due_within_days, count: figures.due_count, amount: rupees(figures.due_amount) },
    overdue: { count: figures.overdue_count, amount: rupees(figures.overdue_amount) },
  };
}
