import type { ClaimListQuery, ClaimRecord, ClaimSummary, DecisionJson, SubmitClaimBody } from '../../schemas/claims.js';
import { authorize } from '../auth/ability.js';
import type { Actor } from '../auth/actor.js';
import type { Page } from '../db/pagination.js';
import type { Tx } from '../db/scope.js';
import { BusinessRuleError, NotFoundError } from '../errors.js';
import { toNumeric } from '../money.js';
import { businessToday } from '../policies/calendar.js';
import { presentDecision, toEngineClaim } from './claim-input.js';
import {
  APPROVED_KEYS, familyHistory, findClaim, insertClaim, listClaims, readClaimInputs, type ClaimRow, type CoverRow, type LockedFamily,
  type MemberSource,
} from './claims-repository.js';
import type { DependentRow } from './dependents-repository.js';
import { addDays } from './engine/dates.js';
import { adjudicate } from './engine/index.js';
import { billFingerprint } from './engine/process.js';
import type { Cover, Decision, Member, PastClaim } from './engine/types.js';
import { findReviewOfClaim, findReviewsOfClaims, insertReview, type ReviewRow } from './review-repository.js';
import { termsOfVersion } from './terms-cache.js';
import { findCurrentVersionId } from './terms-repository.js';
import { claimSummaryView, claimView } from './view.js';
import { refuseIfErased } from '../data-protection/erased.js';

// Submitting a claim: read the member, their cover and the family's history, decide with the engine, store the
// claim with its decision and trail, and queue it for a person when the engine says so; all in the request's
// transaction. The family's policyholder row is locked first, so parallel claims of a family are decided one
// after another, each seeing what the previous ones were approved: the limits cannot be overspent.

const COVER_STATUS: Record<string, Cover['status']> = {
  active: 'active', lapsed: 'lapsed', cancelled: 'cancelled', surrendered: 'cancelled', matured: 'expired', claimed: 'expired',
};

export function coverOf(row: CoverRow | undefined): Cover | null {
  if (!row) return null;
  return { status: COVER_STATUS[row.status] ?? 'inactive', start_date: row.start_date, end_date: row.maturity_date };
}

export function conditionsOf(value: unknown[]): string[] {
  return value.flatMap((item) => (typeof item === 'string' ? [item]
    : item && typeof item === 'object' && typeof (item as { condition?: unknown }).condition === 'string' ? [(item as { condition: string }).condition]
    : item && typeof item === 'object' && typeof (item as { name?: unknown }).name === 'string' ? [(item as { name: string }).name] : []));
}

export function memberOf(holder: MemberSource, dependent: DependentRow | undefined): Member {
  if (dependent) {
    return { member_id: dependent.dependent_id, name: dependent.full_name, relationship: dependent.relationship,
      date_of_birth: dependent.date_of_birth, ...(dependent.gender ? { gender: dependent.gender } : {}),
      pre_existing_conditions: dependent.pre_existing_conditions, ...(dependent.covered_from ? { covered_from: dependent.covered_from } : {}),
      covered: dependent.status === 'active' };
  }
  return { member_id: holder.policyholder_id, name: [holder.first_name, holder.last_name].filter(Boolean).join(' '), relationship: 'self',
    ...(holder.date_of_birth ? { date_of_birth: holder.date_of_birth } : {}), ...(holder.gender ? { gender: holder.gender } : {}),
    pre_existing_conditions: conditionsOf(holder.pre_existing_conditions), covered: holder.status === 'active' };
}

export async function submitClaim(tx: Tx, actor: Actor, body: SubmitClaimBody): Promise<ClaimRecord> {
  authorize(actor.ability, 'create', 'Claim');
  const today = businessToday();
  // SubmitClaimBody has checked the dates (not after today, treatment not after submission) with the other fields.
  const submission = body.submission_date ?? today;
  const inputs = await readClaimInputs(tx, { policyholderId: body.policyholder_id, dependentId: body.dependent_id,
    treatmentDate: body.treatment_date, termsCode: body.policy_terms_id, historyFrom: historyFrom(body.treatment_date) });
  const { holder, dependent, coverRow, history } = inputs;
  if (!holder) throw new NotFoundError('No such policyholder in your book.', { code: 'policyholder.not_found' });
  // The claim's request would hold health data about a person whose data was erased, beyond any further erasure.
  refuseIfErased(holder.erased_at);
  if (body.dependent_id && !dependent) throw new NotFoundError('No such dependent of this policyholder.', { code: 'claims.dependent_not_found' });

  const code = body.policy_terms_id ?? coverRow?.plan_code?.toUpperCase();
  if (!code) {
    throw new BusinessRuleError('The member has no health policy naming its terms (plan_code); name them with policy_terms_id.',
      [{ path: 'body.policy_terms_id', message: 'is required when the member has no health policy with a plan_code' }], { code: 'claims.no_cover' });
  }
  // The batch looked the plan_code up upper-cased by PostgreSQL; JavaScript's toUpperCase decides, as it always has
  // (they differ only outside ASCII, where no terms code lives: then this asks again, by the code computed here).
  const current = inputs.current?.policy_terms_id === code ? inputs.current : await findCurrentVersionId(tx, code);
  const terms = current && await termsOfVersion(tx, current.version_id);
  if (!current || !terms) {
    throw new BusinessRuleError(`No policy terms ${code}.`, [{ path: 'body.policy_terms_id', message: `no policy terms ${code}` }],
      { code: 'claims.terms_not_found' });
  }
  const decided = await decideClaim(tx, { holder, dependent, coverRow, body, submission, today, terms, history });
  const values = {
    ...decided.values, agent_id: holder.agent_id, agent_order: holder.agent_order, policy_id: coverRow?.policy_id ?? null,
    policy_terms_version_id: current.version_id, created_by: actor.user_id,
  };
  const { decision, result, trail } = decided;
  const inserted = await insertClaim(tx, values);
  const review = await queueForReview(tx, holder, inserted.claim_id, decision);
  // The answer is built from what was written, not read back: the trail alone is tens of kilobytes.
  const row = { ...values, ...inserted, result, trail, policy_terms_id: current.policy_terms_id, policy_terms_version: current.version } as unknown as ClaimRow;
  return claimView(row, review);
}

/** A claim the engine sends to a person waits in GET /claims/reviews. */
export async function queueForReview(tx: Tx, holder: LockedFamily, claimId: string, decision: Decision): Promise<ReviewRow | undefined> {
  if (decision.decision !== 'MANUAL_REVIEW') return undefined;
  return insertReview(tx, { agent_id: holder.agent_id, agent_order: holder.agent_order, policyholder_id: holder.policyholder_id,
    claim_id: claimId, reasons: JSON.stringify(decision.manual_review_reasons), recommended_decision: decision.recommended_decision,
    recommended_amount: toNumeric(decision.recommended_amount) });
}

export interface ClaimToDecide {
  readonly holder: MemberSource;
  readonly dependent: DependentRow | undefined;
  readonly coverRow: CoverRow | undefined;
  readonly body: SubmitClaimBody;
  readonly submission: string;
  readonly today: string;
  readonly terms: NonNullable<Awaited<ReturnType<typeof termsOfVersion>>>;
  /** A claim decided again (it waited for its paperwork) is not part of its own history. */
  readonly claimNumber?: string;
  /** The family's claims from historyFrom(treatment date) on, when already read after the family's lock. */
  readonly history?: readonly PastClaim[];
}

/** The engine looks back at most 400 days from the treatment date (policy years, 30-day fraud windows). */
export const historyFrom = (treatmentDate: string): string => addDays(treatmentDate, -400);

/**
 * The engine's decision on a claim, with the claim's columns that follow from it (after the family lock). Without
 * documents the claim awaits its paperwork: decided as it stands (refused for missing documents), stored as
 * awaiting_documents, and decided again once what was read off its uploads holds a prescription and a bill.
 */
export async function decideClaim(tx: Tx, input: ClaimToDecide)
  : Promise<{ decision: Decision; values: Record<string, unknown>; result: Omit<DecisionJson, 'trail'>; trail: DecisionJson['trail'] }> {
  const { body, submission, today } = input;
  const claim = toEngineClaim({ ...body, submission_date: submission, documents: body.documents ?? {} }, today);
  const history = (input.history ?? await familyHistory(tx, body.policyholder_id, historyFrom(body.treatment_date)))
    .filter((past) => past.claim_id !== input.claimNumber);
  const decision = adjudicate({ terms: input.terms.terms, member: memberOf(input.holder, input.dependent), cover: coverOf(input.coverRow), history, claim },
    input.terms.compiled);
  const { trail, ...result } = presentDecision(decision);
  const awaiting = body.documents === undefined;
  if (awaiting) result.next_steps = AWAITING_NEXT_STEPS;
  const values = claimValues(body, submission, decision, {
    bill_fingerprint: claim.documents.bill ? billFingerprint(claim.documents.bill.items.map((item) => ({ billed: item.amount }))) : null,
    bill_number: claim.documents.bill?.bill_number ?? null,
    ...(awaiting ? { status: 'awaiting_documents' } : {}),
  });
  return { decision, values: { ...values, result: JSON.stringify(result), trail: JSON.stringify(trail) }, result, trail };
}

const AWAITING_NEXT_STEPS = 'Upload the prescription and the bill (POST /claims/{claim_id}/documents): the claim is decided once '
  + 'they have been read. Until then it pays nothing and counts against no limit.';

function claimValues(body: SubmitClaimBody, submission: string, decision: Decision, more: Record<string, unknown>): Record<string, unknown> {
  const pays = decision.decision === 'APPROVED' || decision.decision === 'PARTIAL';
  return {
    policyholder_id: body.policyholder_id, dependent_id: body.dependent_id ?? null, treatment_date: body.treatment_date,
    submission_date: submission, claimed_amount: toNumeric(decision.claimed_amount), approved_amount: toNumeric(decision.approved_amount),
    ...Object.fromEntries(APPROVED_KEYS.map((key) => [`approved_${key}`, toNumeric(pays ? decision.category_amounts[key] ?? 0 : 0)])),
    engine_decision: decision.decision, decision: decision.decision, status: decision.decision === 'MANUAL_REVIEW' ? 'in_review' : 'decided',
    confidence_score: decision.confidence_score.toFixed(2), rejection_reasons: JSON.stringify(decision.rejection_reasons),
    request: JSON.stringify(body),
    hospital: body.hospital ?? null, cashless_request: body.cashless_request ?? false, pre_authorization_id: body.pre_authorization_id ?? null,
    ...more,
  };
}

export async function getClaim(tx: Tx, actor: Actor, idOrNumber: string): Promise<ClaimRecord> {
  authorize(actor.ability, 'read', 'Claim');
  const row = await findClaim(tx, idOrNumber);
  if (!row) throw new NotFoundError('No such claim.', { code: 'claims.not_found' });
  return claimView(row, await findReviewOfClaim(tx, row.claim_id));
}

export async function listClaimPage(tx: Tx, actor: Actor, query: ClaimListQuery): Promise<Page<ClaimSummary>> {
  authorize(actor.ability, 'read', 'Claim');
  const page = await listClaims(tx, query, query);
  // One statement for the page's reviews: one per claim, in parallel on the request's one connection, queued
  // behind each other in pg (which warns that it will refuse that).
  const reviews = await findReviewsOfClaims(tx, page.data
    .filter((row) => row.decision === 'MANUAL_REVIEW' || row.status !== 'decided').map((row) => row.claim_id));
  const reviewOf = new Map(reviews.map((review) => [review.claim_id, review]));
  return { data: page.data.map((row) => claimSummaryView(row, reviewOf.get(row.claim_id))), next_cursor: page.next_cursor };
}
