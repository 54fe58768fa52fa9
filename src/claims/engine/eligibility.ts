import { addDays } from './dates.js';
import { findKeyword, normalise } from './keywords.js';
import { diagnosisText, passed, rejectClaim, skipped, type Rule, type RuleResult, type State } from './state.js';
import type { IsoDate } from './types.js';

// Step 1 of the rules: the member is covered, the policy is in force on the treatment date, and every waiting
// period that applies has run. Waiting periods count from the later of the policy's start and the day the member
// joined it; a member is eligible on the day the period ends (start 2024-01-01, 30 days: from 2024-01-31).

export function memberIsCovered(state: State): RuleResult {
  const { member, terms } = { member: state.input.member, terms: state.terms.doc };
  const input = { member_id: member.member_id, relationship: member.relationship, dependents_covered: terms.policy_holder.dependents_covered };
  if (!member.covered) {
    rejectClaim(state, 'MEMBER_NOT_COVERED', 'The patient is not a member of this cover.');
    return { outcome: 'failed', message: 'The patient is not in the policy records.', input, codes: ['MEMBER_NOT_COVERED'] };
  }
  if (member.date_of_birth && state.input.claim.treatment_date < member.date_of_birth) {
    rejectClaim(state, 'MEMBER_NOT_COVERED', `The patient was born on ${member.date_of_birth}, after the treatment.`);
    return { outcome: 'failed', message: `The patient was born on ${member.date_of_birth}, after the treatment date.`,
      input: { ...input, date_of_birth: member.date_of_birth, treatment_date: state.input.claim.treatment_date }, codes: ['MEMBER_NOT_COVERED'] };
  }
  if (member.relationship !== 'self' && !terms.policy_holder.dependents_covered) {
    rejectClaim(state, 'MEMBER_NOT_COVERED', 'These terms cover employees only, not dependents.');
    return { outcome: 'failed', message: 'Dependents are not covered by these terms.', input, codes: ['MEMBER_NOT_COVERED'] };
  }
  return passed('The patient is a covered member.', input);
}

export function policyActiveOnTreatmentDate(state: State): RuleResult {
  const { cover, claim } = state.input;
  const input = { treatment_date: claim.treatment_date, cover };
  const fail = (why: string): RuleResult => {
    rejectClaim(state, 'POLICY_INACTIVE', why);
    return { outcome: 'failed', message: why, input, codes: ['POLICY_INACTIVE'] };
  };
  if (!cover) return fail('No health policy covers this member.');
  if (claim.treatment_date < cover.start_date) return fail(`The policy starts on ${cover.start_date}, after the treatment.`);
  if (cover.end_date && claim.treatment_date > cover.end_date) return fail(`The policy ended on ${cover.end_date}, before the treatment.`);
  // A policy that has since expired still pays for treatment during its term.
  const inForce = cover.status === 'active' || (cover.status === 'expired' && cover.end_date !== undefined);
  if (!inForce) return fail(`The policy is ${cover.status}.`);
  return passed('The policy was in force on the treatment date.', input);
}

function coverStart(state: State): IsoDate | null {
  const { cover, member } = state.input;
  if (!cover) return null;
  return member.covered_from && member.covered_from > cover.start_date ? member.covered_from : cover.start_date;
}

function waiting(state: State, rule: string, days: number, why: string): RuleResult {
  const start = coverStart(state);
  if (!start) return skipped('No cover, so no waiting period to count.');
  const eligibleFrom = addDays(start, days);
  const input = { cover_start: start, waiting_days: days, eligible_from: eligibleFrom, treatment_date: state.input.claim.treatment_date };
  if (state.input.claim.treatment_date >= eligibleFrom) return passed(`${why}: the ${days}-day waiting period ended on ${eligibleFrom}.`, input);
  if (!state.eligibleFrom || eligibleFrom > state.eligibleFrom) state.eligibleFrom = eligibleFrom;
  rejectClaim(state, 'WAITING_PERIOD', `${why}: ${days}-day waiting period from ${start}; eligible from ${eligibleFrom}.`);
  return { outcome: 'failed', message: `${why}: treatment falls within the ${days}-day waiting period (${rule}); eligible from ${eligibleFrom}.`, input, codes: ['WAITING_PERIOD'] };
}

export function initialWaitingPeriod(state: State): RuleResult {
  return waiting(state, 'initial', state.terms.doc.waiting_periods.initial_waiting, 'Initial waiting period');
}

export function specificAilmentWaitingPeriod(state: State): RuleResult {
  const diagnosis = diagnosisText(state);
  const ailment = state.terms.ailments.find((candidate) => findKeyword(diagnosis, candidate.keywords));
  if (!ailment) return passed('The diagnosis names no ailment with its own waiting period.', { diagnosis });
  return waiting(state, 'specific ailment', ailment.days, `${ailment.name.replace(/_/g, ' ')} (specific ailment)`);
}

export function maternityWaitingPeriod(state: State): RuleResult {
  const diagnosis = diagnosisText(state);
  if (!findKeyword(diagnosis, state.terms.maternity.keywords)) return passed('Not a maternity claim.', { diagnosis });
  return waiting(state, 'maternity', state.terms.maternity.days, 'Maternity');
}

/** A recorded pre-existing condition named by the diagnosis (word for word, or through its ailment's keywords). */
export function preExistingConditionWaitingPeriod(state: State): RuleResult {
  const diagnosis = diagnosisText(state);
  const conditions = state.input.member.pre_existing_conditions;
  const matched = conditions.find((condition) => {
    const ailment = state.terms.ailments.find((candidate) => findKeyword(condition, candidate.keywords));
    return findKeyword(diagnosis, [normalise(condition).trim(), ...(ailment?.keywords ?? [])]);
  });
  if (!matched) return passed('The diagnosis is not a recorded pre-existing condition.', { diagnosis, pre_existing_conditions: conditions });
  return waiting(state, 'pre-existing disease', state.terms.doc.waiting_periods.pre_existing_diseases, `Pre-existing condition (${matched})`);
}

export const ELIGIBILITY_RULES: readonly Rule[] = [
  memberIsCovered, policyActiveOnTreatmentDate, initialWaitingPeriod, specificAilmentWaitingPeriod,
  maternityWaitingPeriod, preExistingConditionWaitingPeriod,
];
