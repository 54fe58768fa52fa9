import { paginate, type Page } from '../db/pagination.js';
import type { Tx } from '../db/scope.js';
import { openReviewRows, sealReviewTexts, SEALED_REVIEW_COLUMNS } from '../data-protection/encryption/review-fields.js';

// manual_reviews: one per claim the engine referred to a person; decided once.

export interface ReviewRow {
  readonly review_id: string;
  readonly claim_id: string;
  readonly claim_number: string;
  readonly policyholder_id: string;
  readonly status: 'PENDING' | 'COMPLETED';
  readonly reasons: string[];
  readonly recommended_decision: 'APPROVED' | 'PARTIAL' | 'REJECTED';
  readonly recommended_amount: string;
  readonly claimed_amount: string;
  readonly final_decision: 'APPROVED' | 'PARTIAL' | 'REJECTED' | null;
  readonly approved_amount: string | null;
  readonly review_notes: string | null;
  readonly reviewer_id: string | null;
  readonly reviewed_at: Date | null;
  readonly limit_override: boolean;
  readonly override_reason: string | null;
  readonly override_excess: string | null;
  readonly created_at: Date;
}

const COLUMNS = ['r.review_id', 'r.claim_id', 'c.claim_number', 'r.policyholder_id', 'r.status', 'r.reasons', 'r.recommended_decision',
  'r.recommended_amount', 'c.claimed_amount', 'r.final_decision', 'r.approved_amount', 'r.review_notes', 'r.reviewer_id',
  'r.reviewed_at', 'r.limit_override', 'r.override_reason', 'r.override_excess', 'r.created_at',
  ...SEALED_REVIEW_COLUMNS.map((column) => `r.${column}`)];
const reviews = (tx: Tx) => tx('manual_reviews as r').join('claims as c', 'c.claim_id', 'r.claim_id');

/** Returns the new review's own columns (enough for a claim's answer; the queue's view joins the claim). */
export async function insertReview(tx: Tx, values: Record<string, unknown>): Promise<ReviewRow> {
  const [row] = await tx('manual_reviews').insert(values).returning('*');
  return row;
}

// A reviewer's texts are stored sealed (health data) and answered opened.
async function openedOne(tx: Tx, row: ReviewRow | undefined): Promise<ReviewRow | undefined> {
  return row && (await openReviewRows(tx, [row]))[0];
}

export async function findReview(tx: Tx, reviewId: string, options: { forUpdate?: boolean } = {}): Promise<ReviewRow | undefined> {
  const query = reviews(tx).first(COLUMNS).where('r.review_id', reviewId);
  return openedOne(tx, await (options.forUpdate ? query.forUpdate('r') : query));
}

export async function findReviewOfClaim(tx: Tx, claimId: string): Promise<ReviewRow | undefined> {
  return openedOne(tx, await reviews(tx).first(COLUMNS).where('r.claim_id', claimId));
}

/** The reviews of these claims, in one statement (a claim has at most one). */
export async function findReviewsOfClaims(tx: Tx, claimIds: readonly string[]): Promise<ReviewRow[]> {
  if (!claimIds.length) return [];
  return openReviewRows(tx, await reviews(tx).select(COLUMNS).whereIn('r.claim_id', claimIds));
}

export async function listReviews(tx: Tx, status: string | undefined, page: { limit: number; cursor?: string | undefined }): Promise<Page<ReviewRow>> {
  const inner = reviews(tx).select(COLUMNS);
  if (status) inner.where('r.status', status);
  const found = await paginate<ReviewRow>(tx.queryBuilder().from(inner.as('q')), 'review_id', page);
  return { ...found, data: await openReviewRows(tx, found.data) };
}

export async function completeReview(tx: Tx, reviewId: string, values: Record<string, unknown> & { review_notes?: string | null }): Promise<void> {
  const texts = await sealReviewTexts(tx, reviewId, values);
  await tx('manual_reviews').update({ ...values, ...texts, status: 'COMPLETED', reviewed_at: tx.fn.now(), updated_at: tx.fn.now() })
    .where({ review_id: reviewId });
}
