import type { ClaimListQuery, ClaimRecord, ClaimSummary, SubmitClaimBody } from '../../schemas/claims.js';
import { authorize } from '../auth/ability.js';
import type { Actor } from '../auth/actor.js';
import type { Page } from '../db/pagination.js';
import type { Tx } from '../db/scope.js';
import { BusinessRuleError, NotFoundError, ValidationError } from '../errors.js';
import { toNumeric } from '../money.js';
import { businessToday } from '../policies/calendar.js';
import { presentDecision, toEngineClaim } from './claim-input.js';
import {
  APPROVED_KEYS, familyHistory, findClaim, findHealthCover, insertClaim, listClaims, lockFamilyInBook, type ClaimRow, type CoverRow,
  type MemberSource,
} from './claims-repository.js';
import { findDependent, type DependentRow } from './dependents-repository.js';
import { addDays } from './engine/dates.js';
import { adjudicate } from './engine/index.js';
import { billFingerprint } from './engine/process.js';
import type { Cover, Decision, Member } from './engine/types.js';
import { findReviewOfClaim, insertReview, type ReviewRow } from './review-repository.js';
import { termsOfVersion } from './terms-cache.js';
import { findCurrentVersionId } from './terms-repository.js';
import { claimSummaryView, claimView } from './view.js';

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

function checkDates(body: SubmitClaimBody, today: string): string {
  const submission = body.submission_date ?? today;
  const errors = [
    ...(submission > today ? [{ path: 'body.submission_date', message: 'must not be in the future' }] : []),
    ...(body.treatment_date > submission ? [{ path: 'body.treatment_date', message: 'must not be after the submission date' }] : []),
  ];
  if (errors.length) throw new ValidationError(errors);
  return submission;
}

export async function submitClaim(tx: Tx, actor: Actor, body: SubmitClaimBody): Promise<ClaimRecord> {
  authorize(actor.ability, 'create', 'Claim');
  const today = businessToday();
  const submission = checkDates(body, today);
  const holder = await lockFamilyInBook(tx, body.policyholder_id);
  if (!holder) throw new NotFoundError('No such policyholder in your book.', { code: 'policyholder.not_found' });
  const dependent = body.dependent_id ? await findDependent(tx, body.policyholder_id, body.dependent_id) : undefined;
  if (body.dependent_id && !dependent) throw new NotFoundError('No such dependent of this policyholder.', { code: 'claims.dependent_not_found' });

  const coverRow = await findHealthCover(tx, body.policyholder_id, body.treatment_date);
  const code = body.policy_terms_id ?? coverRow?.plan_code?.toUpperCase();
  if (!code) {
    throw new BusinessRuleError('The member has no health policy naming its terms (plan_code); name them with policy_terms_id.',
      [{ path: 'body.policy_terms_id', message: 'is required when the member has no health policy with a plan_code' }], { code: 'claims.no_cover' });
  }
  const current = await findCurrentVersionId(tx, code);
  const terms = current && await termsOfVersion(tx, current.version_id);
  if (!current || !terms) {
    throw new BusinessRuleError(`No policy terms ${code}.`, [{ path: 'body.policy_terms_id', message: `no policy terms ${code}` }],
      { code: 'claims.terms_not_found' });
  }
  const claim = toEngineClaim({ ...body, submission_date: submission }, today);
  const history = await familyHistory(tx, body.policyholder_id, addDays(body.treatment_date, -400));
  const decision = adjudicate({ terms: terms.terms, member: memberOf(holder, dependent), cover: coverOf(coverRow), history, claim }, terms.compiled);

  const { trail, ...result } = presentDecision(decision);
  const values = claimValues(body, submission, decision, {
    agent_id: holder.agent_id, agent_order: holder.agent_order, policy_id: coverRow?.policy_id ?? null,
    policy_terms_version_id: current.version_id, created_by: actor.user_id,
    bill_fingerprint: claim.documents.bill ? billFingerprint(claim.documents.bill.items.map((item) => ({ billed: item.amount }))) : null,
    bill_number: claim.documents.bill?.bill_number ?? null,
  });
  const inserted = await insertClaim(tx, { ...values, result: JSON.stringify(result), trail: JSON.stringify(trail) });
  let review: ReviewRow | undefined;
  if (decision.decision === 'MANUAL_REVIEW') {
    review = await insertReview(tx, { agent_id: holder.agent_id, agent_order: holder.agent_order, policyholder_id: body.policyholder_id,
      claim_id: inserted.claim_id, reasons: JSON.stringify(decision.manual_review_reasons), recommended_decision: decision.recommended_decision,
      recommended_amount: toNumeric(decision.recommended_amount) });
  }
  // The answer is built from what was written, not read back: the trail alone is tens of kilobytes.
  const row = { ...values, ...inserted, result, trail, policy_terms_id: current.policy_terms_id, policy_terms_version: current.version } as unknown as ClaimRow;
  return claimView(row, review);
}

function claimValues(body: SubmitClaimBody, submission: string, decision: Decision, more: Record<string, unknown>): Record<string, unknown> {
  const pays = decision.decision === 'APPROVED' || decision.decision === 'PARTIAL';
  return {
    ...more, policyholder_id: body.policyholder_id, dependent_id: body.dependent_id ?? null, treatment_date: body.treatment_date,
    submission_date: submission, claimed_amount: toNumeric(decision.claimed_amount), approved_amount: toNumeric(decision.approved_amount),
    ...Object.fromEntries(APPROVED_KEYS.map((key) => [`approved_${key}`, toNumeric(pays ? decision.category_amounts[key] ?? 0 : 0)])),
    engine_decision: decision.decision, decision: decision.decision, status: decision.decision === 'MANUAL_REVIEW' ? 'in_review' : 'decided',
    confidence_score: decision.confidence_score.toFixed(2), rejection_reasons: JSON.stringify(decision.rejection_reasons),
    request: JSON.stringify(body),
    hospital: body.hospital ?? null, cashless_request: body.cashless_request ?? false, pre_authorization_id: body.pre_authorization_id ?? null,
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
  const data = await Promise.all(page.data.map(async (row) => claimSummaryView(row, row.decision === 'MANUAL_REVIEW' || row.status !== 'decided'
    ? await findReviewOfClaim(tx, row.claim_id) : undefined)));
  return { data, next_cursor: page.next_cursor };
}
