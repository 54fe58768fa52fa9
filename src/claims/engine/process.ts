import { daysBetween } from './dates.js';
import { passed, rejectClaim, rupeesText, type Rule, type RuleResult, type State } from './state.js';
import type { Line } from './types.js';

// Process checks: the minimum amount, the submission deadline and duplicates.

export function minimumClaimAmount(state: State): RuleResult {
  const { claimed_amount: claimed } = state.input.claim;
  const minimum = state.terms.minimumClaim;
  const input = { claimed_amount: claimed, minimum_claim_amount: minimum };
  if (claimed >= minimum) return passed(`${rupeesText(claimed)} is at least the minimum ${rupeesText(minimum)}.`, input);
  rejectClaim(state, 'BELOW_MIN_AMOUNT', `Claims below ${rupeesText(minimum)} are not processed.`);
  return { outcome: 'failed', input, codes: ['BELOW_MIN_AMOUNT'], message: `${rupeesText(claimed)} is below the minimum ${rupeesText(minimum)}.` };
}

/** Submitted within the timeline: day 30 after treatment is in time, day 31 late. */
export function submittedInTime(state: State): RuleResult {
  const { treatment_date: treatment, submission_date: submission } = state.input.claim;
  const limit = state.terms.doc.claim_requirements.submission_timeline_days;
  const days = daysBetween(treatment, submission);
  const input = { treatment_date: treatment, submission_date: submission, days, submission_timeline_days: limit };
  if (days <= limit) return passed(`Submitted ${days} day(s) after treatment, within ${limit}.`, input);
  rejectClaim(state, 'LATE_SUBMISSION', `Submitted ${days} days after treatment; the limit is ${limit} days.`);
  return { outcome: 'failed', input, codes: ['LATE_SUBMISSION'], message: `Submitted ${days} days after treatment (limit ${limit}).` };
}

/** Sorted line amounts: the same bill again reads the same, whatever order its lines come in. */
export function billFingerprint(lines: readonly Pick<Line, 'billed'>[]): string {
  return lines.map((line) => line.billed).sort((a, b) => a - b).join(',');
}

const sameText = (a?: string, b?: string): boolean => (a ?? '').trim().toLowerCase() === (b ?? '').trim().toLowerCase();

/**
 * The same treatment claimed again: same member, same treatment date and the same bill (its number, or its
 * provider and amounts). Rejected claims don't count: resubmitting after fixing a rejection is legitimate.
 */
export function notADuplicate(state: State): RuleResult {
  const { claim, member, history } = state.input;
  const fingerprint = billFingerprint(state.lines);
  const billNumber = claim.documents.bill?.bill_number;
  const duplicate = history.find((past) => past.member_id === member.member_id && past.decision !== 'REJECTED'
    && past.treatment_date === claim.treatment_date
    && ((billNumber && sameText(past.bill_number, billNumber))
      || (past.bill_fingerprint === fingerprint && sameText(past.hospital, claim.hospital))));
  const input = { treatment_date: claim.treatment_date, bill_number: billNumber ?? null, bill_fingerprint: fingerprint };
  if (!duplicate) return passed('No earlier claim for the same treatment.', input);
  rejectClaim(state, 'DUPLICATE_CLAIM', `The same treatment was already claimed in ${duplicate.claim_id}.`);
  return { outcome: 'failed', input: { ...input, duplicate_of: duplicate.claim_id }, codes: ['DUPLICATE_CLAIM'],
    message: `Already claimed in ${duplicate.claim_id}.` };
}

export const PROCESS_RULES: readonly Rule[] = [minimumClaimAmount, submittedInTime, notADuplicate];
