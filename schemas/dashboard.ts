import { z } from 'zod';
import { IdParams, RupeeSum, Uuid } from './common.js';
import { CalendarDate } from './policies.js';

// The agent's dashboard: figures computed from the rows when asked (nothing precomputed), as of today in India.

export const DashboardParams = IdParams('agent_id');

export const DashboardQuery = z.object({
  include_team: z.enum(['true', 'false']).transform((value) => value === 'true').default(false)
    .describe("Also count the book of every agent below this one, at any depth"),
  due_within_days: z.string().regex(/^[0-9]{1,3}$/, 'must be a whole number of days from 0 to 365').transform(Number)
    .pipe(z.number().int().max(365, 'must be at most 365')).default(30),
}).strict();
export type DashboardQuery = z.infer<typeof DashboardQuery>;

const Figure = z.object({ count: z.number().int(), amount: RupeeSum });

export const AgentDashboard = z.object({
  agent_id: Uuid,
  include_team: z.boolean(),
  as_of: CalendarDate.describe('Today in India; every figure is as of this day'),
  policyholders: z.number().int().describe('Active policyholders'),
  policies: z.object({
    active: z.number().int(),
    lapsed: z.number().int(),
    total: z.number().int().describe('Every policy, proposals and closed ones included'),
  }),
  premium_collected: z.object({
    this_month: RupeeSum.describe('Completed payments dated from the first of this month to today'),
    this_year: RupeeSum.describe('Completed payments dated from January 1 to today'),
    payments_this_month: z.number().int(),
    payments_this_year: z.number().int(),
  }),
  due: Figure.extend({ within_days: z.number().int() })
    .describe('Active policies whose next premium falls due from today to today + within_days; one premium each'),
  overdue: Figure.describe('Active policies with a premium past its due date (within grace): every unpaid premium fallen due'),
});
export type AgentDashboard = z.infer<typeof AgentDashboard>;
