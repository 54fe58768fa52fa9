import crypto from 'node:crypto';
import {
  CATEGORY_OF_TYPE, type CreatePolicyBody, type PatchPolicyBody, type Policy, type PolicyListQuery,
} from '../../schemas/policies.js';
import { MONEY_COLUMN_DIGITS } from '../../schemas/common.js';
import { authorize } from '../auth/ability.js';
import type { Actor } from '../auth/actor.js';
import type { Page } from '../db/pagination.js';
import type { Tx } from '../db/scope.js';
import { BusinessRuleError, ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { toNumeric, toPaise, toRupees, type Paise } from '../money.js';
import { businessToday, type IsoDate } from './calendar.js';
import { EDITABLE_STATUSES } from './lifecycle.js';
import { bookOwnerOfPolicyholder } from './book-owner-repository.js';
import {
  defaultGracePeriodDays, DEFAULT_REVIVAL_PERIOD_MONTHS, derivedSchedule, termsProblem, type PremiumTerms,
} from './premium-schedule.js';
import {
  findPolicy, insertPolicy, insertStatusChanges, listPolicies, policyNumberTaken, statusHistoryOf, updatePolicy,
  type PolicyRecord, type PolicyValues,
} from './repository.js';
import { policyView, statusChangeView } from './view.js';
import { refuseIfErased } from '../data-protection/erased.js';

// Policies: a proposal is written into its policyholder's servicing agent's book; its schedule (maturity, renewal,
// next due date) is derived from its terms, never typed in. Status changes go through status.ts only.

/** The fields that make up the contract's money and dates: fixed once the policy is approved. */
const TERMS_FIELDS = [
  'policy_type', 'plan_code', 'sum_assured', 'premium_amount', 'premium_frequency', 'policy_term_years',
  'premium_paying_term_years', 'start_date', 'grace_period_days', 'revival_period_months', 'coverage_details', 'exclusions',
] as const;

/** A policy the caller can see, or 404 (another agent's or tenant's policy looks exactly like a missing one). */
export async function visiblePolicy(tx: Tx, policyId: string, asOf: IsoDate, forUpdate = false): Promise<PolicyRecord> {
  const policy = await findPolicy(tx, policyId, asOf, { forUpdate });
  if (!policy) throw new NotFoundError('No such policy.', { code: 'policy.not_found' });
  return policy;
}

export async function getPolicy(tx: Tx, actor: Actor, policyId: string) {
  authorize(actor.ability, 'read', 'Policy');
  const policy = await visiblePolicy(tx, policyId, businessToday());
  return { ...policyView(policy), status_history: (await statusHistoryOf(tx, policyId)).map(statusChangeView) };
}

export async function listPolicyPage(tx: Tx, actor: Actor, query: PolicyListQuery): Promise<Page<Policy>> {
  authorize(actor.ability, 'read', 'Policy');
  const page = await listPolicies(tx, query, businessToday());
  return { data: page.data.map(policyView), next_cursor: page.next_cursor };
}

export async function createPolicy(tx: Tx, actor: Actor, body: CreatePolicyBody) {
  authorize(actor.ability, 'create', 'Policy');
  const today = businessToday();
  const owner = await bookOwnerOfPolicyholder(tx, body.policyholder_id);
  if (!owner) throw new NotFoundError('No such policyholder.', { code: 'policyholder.not_found' });
  if (owner.status !== 'active') {
    throw new BusinessRuleError('The policyholder is deactivated.', [{ path: 'body.policyholder_id', message: 'is not active' }],
      { code: 'policyholder.inactive' });
  }
  const policyNumber = body.policy_number ?? generatePolicyNumber(today);
  if (await policyNumberTaken(tx, policyNumber)) {
    throw new ConflictError('A policy with this policy_number already exists.', { code: 'resource.duplicate' });
  }
  const policyId = await insertPolicy(tx, {
    ...termsValues(body),
    policyholder_id: owner.policyholder_id,
    agent_id: owner.agent_id,
    agent_order: owner.agent_order,
    policy_number: policyNumber,
    provider_policy_id: body.provider_policy_id ?? null,
    nominee_details: jsonOrNull(body.nominee_details),
    plan_name: body.plan_name,
    application_date: body.application_date ?? today,
    status: 'draft',
    created_by: actor.user_id,
  });
  await insertStatusChanges(tx, [{
    policy_id: policyId, agent_id: owner.agent_id, agent_order: owner.agent_order, policyholder_id: owner.policyholder_id,
    from_status: null, to_status: 'draft', reason: 'proposal created', source: 'api', changed_by: actor.user_id,
  }]);
  return getPolicy(tx, actor, policyId);
}

export async function amendPolicy(tx: Tx, actor: Actor, policyId: string, body: PatchPolicyBody) {
  authorize(actor.ability, 'update', 'Policy');
  const policy = await visiblePolicy(tx, policyId, businessToday(), true);
  const changesTerms = TERMS_FIELDS.some((field) => body[field] !== undefined);
  // The plan is the product the contract was approved for: its name locks with the terms (plan_code is one of them).
  if ((changesTerms || body.plan_name !== undefined) && !EDITABLE_STATUSES.includes(policy.status)) {
    throw new ConflictError(`The policy is ${policy.status}: its premium, cover and dates can no longer change.`,
      { code: 'policy.terms_locked' });
  }
  // The erasure emptied the nominee and exclusions of an erased person's policies; written again, no erasure could reach them.
  if (body.nominee_details !== undefined || body.exclusions !== undefined) {
    refuseIfErased((await tx('policyholders').first('erased_at').where({ policyholder_id: policy.policyholder_id }))?.erased_at);
  }
  if (body.policy_number && body.policy_number !== policy.policy_number && await policyNumberTaken(tx, body.policy_number)) {
    throw new ConflictError('A policy with this policy_number already exists.', { code: 'resource.duplicate' });
  }
  const values: PolicyValues = {
    ...(changesTerms ? termsValues(mergedTerms(policy, body)) : {}),
    ...(body.plan_name !== undefined ? { plan_name: body.plan_name } : {}),
    ...(body.policy_number !== undefined ? { policy_number: body.policy_number } : {}),
    ...(body.provider_policy_id !== undefined ? { provider_policy_id: body.provider_policy_id } : {}),
    ...(body.nominee_details !== undefined ? { nominee_details: jsonOrNull(body.nominee_details) } : {}),
    updated_by: actor.user_id,
  };
  await updatePolicy(tx, policyId, values);
  return getPolicy(tx, actor, policyId);
}

type TermsInput = Pick<CreatePolicyBody, (typeof TERMS_FIELDS)[number]>;

/**
 * The stored terms with the PATCH over them; a new frequency brings its own default grace unless one is given. A
 * premium paying term that was the default (the whole policy term, or the 1 stored for a single premium) stays the
 * default unless one is given: a regular-pay policy given a longer term keeps paying for all of it, and a single
 * premium turned into monthly ones is paid over the term, not over one year.
 */
function mergedTerms(policy: PolicyRecord, body: PatchPolicyBody): TermsInput {
  const merged = { ...currentTerms(policy), ...definedOnly(body) };
  if (body.premium_frequency && body.grace_period_days === undefined) delete merged.grace_period_days;
  const defaultPayingTerm = policy.premium_frequency === 'single' || policy.premium_paying_term_years === policy.policy_term_years;
  if (defaultPayingTerm && body.premium_paying_term_years === undefined) delete merged.premium_paying_term_years;
  return merged;
}

/** The stored terms in the shape of a request body, so a PATCH can be merged over them. */
function currentTerms(policy: PolicyRecord): TermsInput {
  return {
    policy_type: policy.policy_type as TermsInput['policy_type'],
    plan_code: policy.plan_code,
    sum_assured: toRupees(toPaise(policy.sum_assured)),
    premium_amount: toRupees(toPaise(policy.premium_amount)),
    premium_frequency: policy.premium_frequency as TermsInput['premium_frequency'],
    policy_term_years: policy.policy_term_years,
    premium_paying_term_years: policy.premium_paying_term_years,
    start_date: policy.start_date,
    grace_period_days: policy.grace_period_days,
    revival_period_months: policy.revival_period_months,
    coverage_details: policy.coverage_details,
    exclusions: policy.exclusions,
  };
}

function premiumTermsOf(input: Pick<TermsInput, 'start_date' | 'premium_frequency' | 'policy_term_years' | 'premium_paying_term_years'>):
  PremiumTerms {
  return {
    start_date: input.start_date,
    premium_frequency: input.premium_frequency,
    policy_term_years: input.policy_term_years,
    premium_paying_term_years: input.premium_frequency === 'single' ? 1 : input.premium_paying_term_years ?? input.policy_term_years,
  };
}

/**
 * Why terms that passed the schema cannot make a policy: a paying term past the policy term, a maturity past year
 * 9999, premiums adding up past a money column. Pure, so an import's dry run refuses the lines the write would.
 */
export function termsProblems(input: Pick<TermsInput, 'start_date' | 'premium_frequency' | 'policy_term_years'
  | 'premium_paying_term_years' | 'premium_amount'>): { path: string; message: string }[] {
  const terms = premiumTermsOf(input);
  const problem = termsProblem(terms);
  if (problem) return [problem];
  const totalProblem = premiumTotalProblem(toPaise(input.premium_amount), derivedSchedule(terms, 0).installments_total);
  return totalProblem ? [totalProblem] : [];
}

/** Terms as columns, with everything derived from them: category, mode, schedule, grace and revival defaults. */
function termsValues(input: TermsInput): PolicyValues {
  const single = input.premium_frequency === 'single';
  const problems = termsProblems(input);
  if (problems.length) throw new ValidationError(problems);
  const terms = premiumTermsOf(input);
  const schedule = derivedSchedule(terms, 0);
  return {
    policy_type: input.policy_type,
    category: CATEGORY_OF_TYPE[input.policy_type],
    plan_code: input.plan_code ?? null,
    sum_assured: toNumeric(toPaise(input.sum_assured)),
    premium_amount: toNumeric(toPaise(input.premium_amount)),
    premium_frequency: terms.premium_frequency,
    premium_mode: single ? 'single' : terms.premium_paying_term_years < terms.policy_term_years ? 'limited_pay' : 'regular',
    policy_term_years: terms.policy_term_years,
    premium_paying_term_years: terms.premium_paying_term_years,
    start_date: terms.start_date,
    grace_period_days: input.grace_period_days ?? defaultGracePeriodDays(terms.premium_frequency),
    revival_period_months: input.revival_period_months ?? DEFAULT_REVIVAL_PERIOD_MONTHS,
    coverage_details: jsonOrNull(input.coverage_details),
    exclusions: jsonOrNull(input.exclusions),
    installments_total: schedule.installments_total,
    maturity_date: schedule.maturity_date,
    renewal_date: schedule.renewal_date,
    next_payment_date: schedule.next_payment_date,
  };
}

/** The first amount, in paise, that a money column cannot hold. */
const MONEY_COLUMN_LIMIT: Paise = 100 * 10 ** MONEY_COLUMN_DIGITS;

/**
 * Every premium of the term, added up, must fit a money column: the premium paid so far and the premium outstanding
 * are such sums, so a larger total would fail on a later payment or read instead of here.
 */
function premiumTotalProblem(premium: Paise, installments: number): { path: string; message: string } | undefined {
  if (premium * installments < MONEY_COLUMN_LIMIT) return undefined;
  return { path: 'body.premium_amount', message: `times ${installments} instalments must stay below 10^12 rupees` };
}

function definedOnly<T extends object>(body: T): Partial<T> {
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** jsonb columns take JSON text: knex would otherwise send a JS array as a PostgreSQL array. */
function jsonOrNull(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value);
}

/** P + year + 10 random base-32 characters: about 10^15 numbers a year, so a clash is a practical impossibility. */
function generatePolicyNumber(today: IsoDate): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  const random = Array.from(crypto.randomBytes(10), (byte) => alphabet[byte % 32]).join('');
  return `P${today.slice(0, 4)}${random}`;
}
