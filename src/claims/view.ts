import type { ClaimRecord, ClaimSummary, DecisionJson, DependentRecord, ReviewRecord } from '../../schemas/claims.js';
import { toPaise, toRupees } from '../money.js';
import { APPROVED_KEYS, type ClaimRow } from './claims-repository.js';
import type { DependentRow } from './dependents-repository.js';
import { rupeesText } from './engine/state.js';
import type { ReviewRow } from './review-repository.js';

// Rows as the API shows them: rupees as JSON numbers, timestamps ISO 8601. The stored decision (`result`) is the
// engine's; decision and approved_amount come from the row, which a review may have changed. Once a person has
// decided, the notes, next steps and trail say so too (the engine's notes follow as the history): a claim read after
// its review must not still tell the member that it waits for an assessor.

const rupees = (numeric: string) => toRupees(toPaise(numeric));

export function reviewView(row: ReviewRow): ReviewRecord {
  return {
    review_id: row.review_id, claim_id: row.claim_id, claim_number: row.claim_number, policyholder_id: row.policyholder_id,
    status: row.status, reasons: row.reasons, recommended_decision: row.recommended_decision,
    recommended_amount: rupees(row.recommended_amount), claimed_amount: rupees(row.claimed_amount),
    final_decision: row.final_decision, approved_amount: row.approved_amount === null ? null : rupees(row.approved_amount),
    review_notes: row.review_notes, reviewer_id: row.reviewer_id, reviewed_at: row.reviewed_at?.toISOString() ?? null,
    limit_override: row.limit_override, override_reason: row.override_reason,
    override_excess: row.override_excess === null ? null : rupees(row.override_excess),
    created_at: row.created_at.toISOString(),
  };
}

type DecidedReview = ReviewRow & { final_decision: NonNullable<ReviewRow['final_decision']>; approved_amount: string };

function decidedReview(review: ReviewRow | undefined): DecidedReview | undefined {
  return review?.status === 'COMPLETED' && review.final_decision !== null && review.approved_amount !== null ? review as DecidedReview : undefined;
}

const REVIEWED_NEXT_STEPS = {
  APPROVED: 'The approved amount will be paid to your registered bank account.',
  PARTIAL: 'The approved amount will be paid to your registered bank account; the rest of the claim is not payable.',
  REJECTED: 'Nothing will be paid for this claim. A new claim may be submitted if the reasons can be addressed.',
} as const;

function reviewedNotes(review: DecidedReview, engineNotes: string): string {
  const amount = toPaise(review.approved_amount);
  const outcome = review.final_decision === 'REJECTED' ? 'REJECTED'
    : `${review.final_decision}: ${rupeesText(amount)} of ${rupeesText(toPaise(review.claimed_amount))}`;
  return `Decided by a claims assessor: ${outcome}. ${engineNotes}`;
}

/** The trail's last step: the person's decision, which replaced the engine's. */
function reviewTrailEntry(review: DecidedReview): ClaimRecord['trail'][number] {
  return {
    step: 'review', rule: 'manualReview', outcome: 'info', codes: [],
    input: { review_id: review.review_id, reviewer_id: review.reviewer_id, reviewed_at: review.reviewed_at?.toISOString() ?? null,
      recommended_decision: review.recommended_decision, final_decision: review.final_decision, limit_override: review.limit_override },
    message: `${review.final_decision} by a claims assessor: ${rupeesText(toPaise(review.approved_amount))}.`,
    amount_before: rupees(review.recommended_amount), amount_after: rupees(review.approved_amount),
  };
}

/**
 * Which deductions an assessor who pays more than recommended is taken to have waived, first to last: the limits
 * (the engine's last cuts, the annual first), then co-pays and discount, then what was refused.
 */
const WAIVED_FIRST: readonly (keyof DecisionJson['deductions'])[] = ['annual_limit', 'per_claim_limit', 'sub_limit',
  'branded_drug_copay', 'copay', 'network_discount', 'rejected', 'excluded_items', 'unbilled'];

/**
 * The engine's deductions explain the claimed amount down to what it recommended; what the assessor then cut from
 * that was refused outright (`rejected`), and what the assessor paid above it waived deductions (in WAIVED_FIRST's
 * order), so approved + deductions still add up to the claimed amount.
 */
function reviewedDeductions(deductions: DecisionJson['deductions'], review: DecidedReview): DecisionJson['deductions'] {
  const cut = toPaise(review.recommended_amount) - toPaise(review.approved_amount);
  if (cut >= 0) return cut > 0 ? { ...deductions, rejected: toRupees(toPaise(deductions.rejected) + cut) } : deductions;
  const waived = { ...deductions };
  let raise = -cut;
  for (const key of WAIVED_FIRST) {
    const take = Math.min(raise, toPaise(waived[key]));
    waived[key] = toRupees(toPaise(waived[key]) - take);
    raise -= take;
  }
  return waived;
}

/** How the assessor's amount is split by category (what the limits count): the engine's split, cut or topped up. */
function reviewedCategoryAmounts(row: ClaimRow): DecisionJson['category_amounts'] {
  return Object.fromEntries(APPROVED_KEYS.filter((key) => toPaise(row[`approved_${key}`] ?? '0') > 0)
    .map((key) => [key, rupees(row[`approved_${key}`] as string)]));
}

export function claimSummaryView(row: ClaimRow, review: ReviewRow | undefined): ClaimSummary {
  const result = row.result as Omit<DecisionJson, 'trail'>;
  const decided = decidedReview(review);
  return {
    ...result,
    ...(decided ? { notes: reviewedNotes(decided, result.notes), next_steps: REVIEWED_NEXT_STEPS[decided.final_decision],
      deductions: reviewedDeductions(result.deductions, decided), category_amounts: reviewedCategoryAmounts(row) } : {}),
    claim_id: row.claim_id, claim_number: row.claim_number, status: row.status, engine_decision: row.engine_decision,
    decision: row.decision, approved_amount: rupees(row.approved_amount), claimed_amount: rupees(row.claimed_amount),
    policyholder_id: row.policyholder_id, dependent_id: row.dependent_id, policy_id: row.policy_id,
    policy_terms_id: row.policy_terms_id, policy_terms_version: row.policy_terms_version,
    policy_terms_version_id: row.policy_terms_version_id, treatment_date: row.treatment_date, submission_date: row.submission_date,
    hospital: row.hospital,
    review: review ? { review_id: review.review_id, status: review.status, final_decision: review.final_decision,
      reviewer_id: review.reviewer_id, reviewed_at: review.reviewed_at?.toISOString() ?? null, review_notes: review.review_notes } : null,
    created_at: row.created_at.toISOString(), updated_at: row.updated_at.toISOString(),
  };
}

export function claimView(row: ClaimRow, review: ReviewRow | undefined): ClaimRecord {
  const trail = row.trail as ClaimRecord['trail'];
  const decided = decidedReview(review);
  return { ...claimSummaryView(row, review), trail: decided ? [...trail, reviewTrailEntry(decided)] : trail };
}

export function dependentView(row: DependentRow): DependentRecord {
  return { ...row, created_at: row.created_at.toISOString() };
}
