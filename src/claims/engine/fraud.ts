import { daysBetween } from './dates.js';
import { findKeyword, normalise, SEX_SPECIFIC_KEYWORDS } from './keywords.js';
import { diagnosisText, flag, passed, type Rule, type RuleResult, type State } from './state.js';
import type { FraudFlagCode } from './types.js';

// Fraud signals. None rejects a claim by itself: each sends a claim that would pay to a person (MANUAL_REVIEW)
// and lowers the confidence score. Signals are read from the family's claim history and the documents.

const flagged = (state: State, code: FraudFlagCode, description: string, input: Record<string, unknown>): RuleResult => {
  flag(state, code, description);
  return { outcome: 'flagged', input, codes: [code], message: description };
};

const sameHospital = (a?: string, b?: string): boolean => Boolean(a?.trim() && b?.trim() && normalise(a) === normalise(b));

export function sameDayClaims(state: State): RuleResult {
  const { claim, member, history } = state.input;
  const recorded = history.filter((past) => past.member_id === member.member_id && past.treatment_date === claim.treatment_date).length;
  const count = Math.max(recorded, claim.previous_claims_same_day ?? 0);
  const input = { previous_claims_same_day: claim.previous_claims_same_day ?? null, recorded_same_day: recorded, flag_at: state.terms.sameDayClaimsFlag };
  if (count < state.terms.sameDayClaimsFlag) return passed(`${count} other claim(s) for the same day.`, input);
  return flagged(state, 'MULTIPLE_CLAIMS_SAME_DAY', `${count} other claims for the same treatment date.`, input);
}

export function sameProviderSameDay(state: State): RuleResult {
  const { claim, history } = state.input;
  const others = history.filter((past) => past.treatment_date === claim.treatment_date && sameHospital(past.hospital, claim.hospital));
  const input = { hospital: claim.hospital ?? null, same_provider_same_day: others.map((past) => past.claim_id) };
  if (!others.length) return passed('No other claim from this provider on this day.', input);
  return flagged(state, 'SAME_PROVIDER_SAME_DAY', `The family already claimed from ${claim.hospital} on ${claim.treatment_date} (${others.map((past) => past.claim_id).join(', ')}).`, input);
}

export function claimFrequency(state: State): RuleResult {
  const { claim, member, history } = state.input;
  const recent = history.filter((past) => past.member_id === member.member_id
    && daysBetween(past.treatment_date, claim.treatment_date) >= 0 && daysBetween(past.treatment_date, claim.treatment_date) < 30);
  const input = { claims_last_30_days: recent.length, flag_at: state.terms.claimsPer30DaysFlag };
  if (recent.length < state.terms.claimsPer30DaysFlag) return passed(`${recent.length} claim(s) in the 30 days before.`, input);
  return flagged(state, 'HIGH_CLAIM_FREQUENCY', `${recent.length} claims in the 30 days up to this treatment.`, input);
}

export function billNotReusedAcrossDates(state: State): RuleResult {
  const { claim, history } = state.input;
  const number = claim.documents.bill?.bill_number?.trim().toLowerCase();
  const reused = number ? history.filter((past) => past.bill_number?.trim().toLowerCase() === number && past.treatment_date !== claim.treatment_date) : [];
  const input = { bill_number: number ?? null, seen_on: reused.map((past) => ({ claim_id: past.claim_id, treatment_date: past.treatment_date })) };
  if (!reused.length) return passed('The bill number is not on another claim of another date.', input);
  return flagged(state, 'DUPLICATE_BILL', `Bill ${number} was already used for a treatment on ${reused[0]?.treatment_date} (${reused[0]?.claim_id}).`, input);
}

export function diagnosisFitsPatient(state: State): RuleResult {
  const { gender } = state.input.member;
  const diagnosis = diagnosisText(state);
  const input = { gender: gender ?? null, diagnosis };
  const other = gender === 'male' ? 'female' : gender === 'female' ? 'male' : null;
  const word = other ? findKeyword(diagnosis, SEX_SPECIFIC_KEYWORDS[other]) : undefined;
  if (!word) return passed('The diagnosis fits the patient.', input);
  return flagged(state, 'DIAGNOSIS_PATIENT_MISMATCH', `The diagnosis (${word}) does not fit a ${gender} patient.`, input);
}

export function documentsUnaltered(state: State): RuleResult {
  const { prescription, bill, test_reports: reports = [] } = state.input.claim.documents;
  const altered = [prescription?.altered && 'prescription', bill?.altered && 'bill',
    ...reports.map((report, index) => report.altered && `test report ${index + 1}`)].filter(Boolean);
  if (!altered.length) return passed('No sign of altered documents.', {});
  return flagged(state, 'SUSPECTED_ALTERATION', `Signs of alteration on: ${altered.join(', ')}.`, { altered });
}

export function providerNotBlacklisted(state: State): RuleResult {
  const { hospital } = state.input.claim;
  const listed = hospital ? state.terms.blacklist.find((name) => normalise(hospital).includes(normalise(name))) : undefined;
  if (!listed) return passed('The provider is not blacklisted.', { hospital: hospital ?? null });
  return flagged(state, 'PROVIDER_BLACKLISTED', `${hospital} is on the insurer's blacklist.`, { hospital });
}

export const FRAUD_RULES: readonly Rule[] = [
  sameDayClaims, sameProviderSameDay, claimFrequency, billNotReusedAcrossDates, diagnosisFitsPatient, documentsUnaltered,
  providerNotBlacklisted,
];
