import type { ReviewDecisionBody, ReviewListQuery, ReviewRecord } from '../../schemas/claims.js';
import { authorize, can } from '../auth/ability.js';
import type { Actor } from '../auth/actor.js';
import type { Page } from '../db/pagination.js';
import type { Tx } from '../db/scope.js';
import { BusinessRuleError, ConflictError, ForbiddenError, NotFoundError } from '../errors.js';
import { toNumeric, toPaise, type Paise } from '../money.js';
import { getClaim } from './claims-service.js';
import { APPROVED_KEYS, approvedInYear, findClaim, lockPolicyholder, updateClaim, type ApprovedKey } from './claims-repository.js';
import { completeReview, findReview, listReviews } from './review-repository.js';
import { findTermsByVersionId } from './terms-repository.js';
import { reviewView } from './view.js';

// The manual review queue. A reviewer's final decision replaces the engine's on the claim; an approval counts
// against the member's annual and the family's floater limit at once (under the family lock, like a
// submission), and overspends them only as an explicit override: the override_limits permission, a reason, and
// the excess recorded on the review (audited). The reviewer and the time are recorded.

export async function listReviewQueue(tx: Tx, actor: Actor, query: ReviewListQuery): Promise<Page<ReviewRecord>> {
  authorize(actor.ability, 'read', 'ClaimReview');
  const page = await listReviews(tx, query.status, query);
  return { data: page.data.map(reviewView), next_cursor: page.next_cursor };
}

const invalid = (message: string) => new BusinessRuleError(message, [{ path: 'body.approved_amount', message }], { code: 'claims.review_amount_invalid' });

function amountFor(body: ReviewDecisionBody, claimed: Paise, recommended: Paise): Paise {
  const given = body.approved_amount === undefined ? undefined : toPaise(body.approved_amount);
  if (body.final_decision === 'REJECTED') {
    if (given) throw invalid('must be 0 or left out when the claim is rejected');
    return 0;
  }
  const amount = given ?? (body.final_decision === 'APPROVED' && recommended > 0 ? recommended : undefined);
  if (amount === undefined) throw invalid(`is required for ${body.final_decision}${recommended ? '' : ' (the engine recommended nothing)'}`);
  if (amount <= 0 || amount > claimed) throw invalid('must be more than 0 and at most the claimed amount');
  if (body.final_decision === 'PARTIAL' && amount === claimed) throw invalid('must be less than the claimed amount for PARTIAL');
  return amount;
}

/** The engine's category split, cut or topped up (on its largest category) to the reviewer's amount. */
function allocate(amount: Paise, recommended: Partial<Record<ApprovedKey, Paise>>): Record<ApprovedKey, Paise> {
  const split = Object.fromEntries(APPROVED_KEYS.map((key) => [key, 0])) as Record<ApprovedKey, Paise>;
  let left = amount;
  for (const key of APPROVED_KEYS.filter((k) => k !== 'dental_routine')) {
    const take = Math.min(left, recommended[key] ?? 0);
    split[key] = take;
    left -= take;
  }
  if (left > 0) {
    const largest = APPROVED_KEYS.filter((k) => k !== 'dental_routine').reduce((best, key) => ((recommended[key] ?? 0) > (recommended[best] ?? 0) ? key : best), 'consultation' as ApprovedKey);
    split[largest] += left;
  }
  split.dental_routine = Math.min(recommended.dental_routine ?? 0, split.dental);
  return split;
}

export async function decideReview(tx: Tx, actor: Actor, reviewId: string, body: ReviewDecisionBody) {
  authorize(actor.ability, 'update', 'ClaimReview');
  const seen = await findReview(tx, reviewId);
  if (!seen) throw new NotFoundError('No such review.', { code: 'claims.review_not_found' });
  await lockPolicyholder(tx, seen.policyholder_id);
  const review = await findReview(tx, reviewId, { forUpdate: true });
  const claim = await findClaim(tx, seen.claim_id);
  if (!review || !claim) throw new NotFoundError('No such review.', { code: 'claims.review_not_found' });
  if (review.status !== 'PENDING') throw new ConflictError('This review has been decided already.', { code: 'claims.review_closed' });

  const amount = amountFor(body, toPaise(claim.claimed_amount), toPaise(review.recommended_amount));
  const excess = amount > 0 ? await limitExcess(tx, claim, amount) : 0;
  if (excess > 0) assertOverride(actor, body, amount, excess);
  const recommendedSplit = Object.fromEntries(Object.entries((claim.result as { category_amounts?: Record<string, number> }).category_amounts ?? {})
    .map(([key, rupees]) => [key, toPaise(rupees)])) as Partial<Record<ApprovedKey, Paise>>;
  const split = allocate(amount, recommendedSplit);
  await updateClaim(tx, claim.claim_id, {
    decision: body.final_decision, approved_amount: toNumeric(amount), status: 'reviewed',
    ...Object.fromEntries(APPROVED_KEYS.map((key) => [`approved_${key}`, toNumeric(split[key])])),
  });
  await completeReview(tx, reviewId, { final_decision: body.final_decision, approved_amount: toNumeric(amount),
    review_notes: body.review_notes, reviewer_id: actor.user_id, limit_override: excess > 0,
    override_reason: excess > 0 ? body.override_reason : null, override_excess: excess > 0 ? toNumeric(excess) : null });
  const updated = await findReview(tx, reviewId);
  return { review: reviewView(updated as NonNullable<typeof updated>), claim: await getClaim(tx, actor, claim.claim_id) };
}

/** How far an approval of `amount` would go past what is left of the member's annual and the family's floater limits (0: within). */
async function limitExcess(tx: Tx, claim: NonNullable<Awaited<ReturnType<typeof findClaim>>>, amount: Paise): Promise<Paise> {
  const terms = await findTermsByVersionId(tx, claim.policy_terms_version_id);
  const year = (claim.result as { policy_year?: { start: string; end: string } | null }).policy_year
    ?? { start: `${claim.treatment_date.slice(0, 4)}-01-01`, end: `${Number(claim.treatment_date.slice(0, 4)) + 1}-01-01` };
  const used = await approvedInYear(tx, claim.policyholder_id, year.start, year.end, claim.claim_id);
  const member = claim.dependent_id ?? claim.policyholder_id;
  const memberUsed = used.find((row) => row.member_id === member)?.approved ?? 0;
  const familyUsed = used.reduce((sum, row) => sum + row.approved, 0);
  const annual = toPaise(terms?.terms.coverage_details.annual_limit ?? 0);
  const floater = toPaise(terms?.terms.coverage_details.family_floater_limit ?? 0);
  return Math.max(0, amount - Math.max(0, Math.min(annual - memberUsed, floater - familyUsed)));
}

/** Approving past the limits is an override: asked for, allowed by the caller's roles, and given a reason. */
function assertOverride(actor: Actor, body: ReviewDecisionBody, amount: Paise, excess: Paise): void {
  const left = toNumeric(amount - excess);
  if (!body.override_limits) {
    throw new BusinessRuleError(`Only Rs ${left} is left of the member's annual and the family's floater limits `
      + '(approving more is an override: override_limits with an override_reason).',
    [{ path: 'body.approved_amount', message: `must be at most ${left}` }], { code: 'claims.limit_exceeded' });
  }
  if (!can(actor.ability, 'override_limits', 'ClaimReview')) {
    throw new ForbiddenError('Approving above the annual or floater limit needs the override_limits permission on ClaimReview.',
      { code: 'claims.limit_override_forbidden' });
  }
  if (!body.override_reason) {
    throw new BusinessRuleError('An override of the limits needs a reason.',
      [{ path: 'body.override_reason', message: 'is required with override_limits' }], { code: 'claims.override_reason_required' });
  }
}
