import { z } from 'zod';
import { businessToday } from '../src/policies/calendar.js';
import { IdParams, ListQuery, page, Rupees, Timestamp, Uuid } from './common.js';

// Policies and their lifecycle. The lists below are the vocabulary the rules in src/policies work with.

export const POLICY_STATUSES = [
  'draft', 'pending_approval', 'under_review', 'approved', 'active', 'lapsed', 'surrendered', 'matured', 'claimed', 'cancelled',
] as const;
export const PREMIUM_FREQUENCIES = ['monthly', 'quarterly', 'half_yearly', 'yearly', 'single'] as const;

/** Each product type and the line of business it belongs to (category is derived from the type). */
export const CATEGORY_OF_TYPE = {
  term_life: 'life', whole_life: 'life', endowment: 'life', money_back: 'life', ulip: 'life', pension: 'life',
  health: 'health', critical_illness: 'health', personal_accident: 'health',
  motor: 'general', home: 'general', travel: 'general',
} as const;
export const POLICY_TYPES = Object.keys(CATEGORY_OF_TYPE) as [keyof typeof CATEGORY_OF_TYPE, ...(keyof typeof CATEGORY_OF_TYPE)[]];
export const POLICY_CATEGORIES = ['life', 'health', 'general'] as const;

export const PolicyStatus = z.enum(POLICY_STATUSES);
export const PremiumFrequency = z.enum(PREMIUM_FREQUENCIES);
export const PolicyType = z.enum(POLICY_TYPES);

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isCalendarDate(text: string): boolean {
  const match = ISO_DATE.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return year >= 1900 && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** A real calendar date spelled YYYY-MM-DD, from 1900 on. */
export const CalendarDate = z.string().refine(isCalendarDate, 'must be a date YYYY-MM-DD').describe('YYYY-MM-DD');

/**
 * A calendar date not after today in India (the business day): checked with the schema, so a request with other bad
 * fields names this one too, in the same 400.
 */
export const PastCalendarDate = CalendarDate
  .refine((text) => !isCalendarDate(text) || text <= businessToday(), 'must not be in the future').describe('YYYY-MM-DD');

const PositiveRupees = Rupees.refine((value) => value > 0, 'must be more than 0');
const Text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);
const Years = z.number().int('must be a whole number of years').min(1).max(100);
const JsonObject = z.record(z.string(), z.unknown());

const PolicyTermsFields = {
  policy_type: PolicyType,
  plan_name: Text(255),
  plan_code: Text(50).nullable().optional().describe('The product code; for health cover, the claims policy terms code'),
  sum_assured: PositiveRupees,
  premium_amount: PositiveRupees.describe('One instalment, in rupees'),
  premium_frequency: PremiumFrequency,
  policy_term_years: Years,
  premium_paying_term_years: Years.optional().describe('Defaults to policy_term_years'),
  start_date: CalendarDate.describe('Risk commencement; the first premium falls due on it'),
  grace_period_days: z.number().int().min(0).max(90).optional()
    .describe('Defaults to 15 for monthly premiums and 30 otherwise'),
  revival_period_months: z.number().int().min(0).max(120).optional().describe('Defaults to 60'),
  coverage_details: JsonObject.nullable().optional().describe('Riders and benefits'),
  exclusions: z.array(z.string().max(500)).max(100).nullable().optional(),
};
const PolicyAdminFields = {
  policy_number: z.string().trim().regex(/^[A-Za-z0-9][A-Za-z0-9/_-]{2,49}$/, 'must be 3 to 50 letters, digits, /, _ or -')
    .transform((value) => value.toUpperCase()).optional().describe('Generated when left out; unique in the tenant'),
  provider_policy_id: Text(100).nullable().optional(),
  nominee_details: JsonObject.nullable().optional(),
};

export const CreatePolicyBody = z.object({
  policyholder_id: Uuid.describe("The policy goes to this policyholder's servicing agent's book"),
  application_date: PastCalendarDate.optional().describe('Defaults to today; never later'),
  ...PolicyTermsFields,
  ...PolicyAdminFields,
}).strict();
export type CreatePolicyBody = z.infer<typeof CreatePolicyBody>;

export const PatchPolicyBody = z.object({
  ...Object.fromEntries(Object.entries(PolicyTermsFields).map(([key, schema]) => [key, schema.optional()])) as {
    [K in keyof typeof PolicyTermsFields]: z.ZodOptional<(typeof PolicyTermsFields)[K]>
  },
  ...PolicyAdminFields,
}).strict().refine((body) => Object.keys(body).length > 0, { message: 'at least one field is required' })
  .describe('Premium, cover, type and dates change only before approval; number, provider id and nominee at any time');
export type PatchPolicyBody = z.infer<typeof PatchPolicyBody>;

export const PolicyStatusBody = z.object({
  status: PolicyStatus,
  reason: z.string().trim().min(1, 'must not be empty').max(500).optional(),
}).strict();
export type PolicyStatusBody = z.infer<typeof PolicyStatusBody>;

export const PolicyParams = IdParams('policy_id');

export const PolicyListQuery = ListQuery.extend({
  status: PolicyStatus.optional(),
  policyholder_id: Uuid.optional(),
  agent_id: Uuid.optional().describe("Only this agent's own policies"),
  policy_type: PolicyType.optional(),
  category: z.enum(POLICY_CATEGORIES).optional(),
  due: z.enum(['upcoming', 'overdue']).optional()
    .describe('upcoming: active, next premium due within due_within_days; overdue: active, next premium past due (in grace)'),
  due_within_days: z.string().regex(/^[0-9]{1,3}$/, 'must be a whole number of days from 0 to 365').transform(Number)
    .pipe(z.number().int().max(365, 'must be at most 365')).default(30),
}).strict();
export type PolicyListQuery = z.infer<typeof PolicyListQuery>;

export const StatusChange = z.object({
  history_id: Uuid,
  from_status: PolicyStatus.nullable(),
  to_status: PolicyStatus,
  reason: z.string().nullable(),
  source: z.enum(['api', 'payment', 'refund', 'lapse_job']),
  changed_by: Uuid.nullable().describe('null: the system (the lapse job)'),
  changed_at: Timestamp,
});

export const Policy = z.object({
  policy_id: Uuid,
  tenant_id: Uuid,
  policy_number: z.string(),
  provider_policy_id: z.string().nullable(),
  policyholder_id: Uuid,
  agent_id: Uuid,
  policy_type: PolicyType,
  category: z.enum(POLICY_CATEGORIES),
  plan_name: z.string(),
  plan_code: z.string().nullable(),
  sum_assured: Rupees,
  premium_amount: Rupees,
  premium_frequency: PremiumFrequency,
  premium_mode: z.enum(['regular', 'limited_pay', 'single']),
  policy_term_years: z.number().int(),
  premium_paying_term_years: z.number().int(),
  grace_period_days: z.number().int(),
  revival_period_months: z.number().int(),
  application_date: CalendarDate,
  approval_date: CalendarDate.nullable(),
  approved_by: Uuid.nullable(),
  start_date: CalendarDate,
  maturity_date: CalendarDate,
  renewal_date: CalendarDate,
  status: PolicyStatus,
  status_changed_at: Timestamp,
  lapsed_on: CalendarDate.nullable(),
  installments_total: z.number().int(),
  installments_paid: z.number().int(),
  total_payments: z.number().int(),
  total_premium_paid: Rupees,
  last_payment_date: CalendarDate.nullable(),
  next_payment_date: CalendarDate.nullable(),
  grace_period_ends: CalendarDate.nullable(),
  outstanding_amount: Rupees.describe('Premium fallen due and unpaid as of today (India)'),
  coverage_details: JsonObject.nullable(),
  exclusions: z.array(z.string()).nullable(),
  nominee_details: JsonObject.nullable(),
  created_by: Uuid.nullable(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type Policy = z.infer<typeof Policy>;

export const PolicyWithHistory = Policy.extend({ status_history: z.array(StatusChange) });
export const PolicyPage = page(Policy);

export const LapseRunBody = z.object({
  as_of: PastCalendarDate.optional().describe('Defaults to today (India); never later than today'),
}).strict();
export const LapseRunResult = z.object({
  as_of: CalendarDate,
  lapsed: z.number().int(),
  policy_ids: z.array(Uuid),
});
