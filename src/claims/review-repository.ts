import { paginate, type Page } from '../db/pagination.js';
import type { Tx } from '../db/scope.js';

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
  'r.reviewed_at', 'r.limit_override', 'r.override_reason', 'r.override_excess', 'r.created_at'];
const reviews = (tx: Tx) => tx('manual_reviews as r').join('claims as c', 'c.claim_id', 'r.claim_id');

/** Returns the new review's own columns (enough for a claim's answer; the queue's view joins the claim). */
export async function insertReview(tx: Tx, values: Record<string, unknown>): Promise<ReviewRow> {
  const [row] = await tx('manual_reviews').insert(values).returning('*');
  return row;
}

export async function findReview(tx: Tx, reviewId: string, options: { forUpdate?: boolean } = {}): Promise<ReviewRow | undefined> {
  const query = reviews(tx).first(COLUMNS).where('r.review_id', reviewId);
  return options.forUpdate ? query.forUpdate('r') : query;
}

export async function findReviewOfClaim(tx: Tx, claimId: string): Promise<ReviewRow | undefined> {
  return reviews(tx).first(COLUMNS).where('r.claim_id', claimId);
}

export function listReviews(tx: Tx, status: string | undefined, page: { limit: number; cursor?: string | undefined }): Promise<Page<ReviewRow>> {
  const inner = reviews(tx).select(COLUMNS);
  if (status) inner.where('r.status', status);
  return paginate<ReviewRow>(tx.queryBuilder().from(inner.as('q')), 'review_id', page);
}

export async function completeReview(tx: Tx, reviewId: string, values: Record<string, unknown>): Promise<void> {
  await tx('manual_reviews').update({ ...values, status: 'COMPLETED', reviewed_at: tx.fn.now(), updated_at: tx.fn.now() })
    .where({ review_id: reviewId });
}
