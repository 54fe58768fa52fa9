import type { BacktestBody, BacktestResult, BacktestRun, SubmitClaimBody } from '../../schemas/claims.js';
import type { PolicyTermsDocument } from '../../schemas/policy-terms.js';
import { authorize } from '../auth/ability.js';
import type { Actor } from '../auth/actor.js';
import type { Tx } from '../db/scope.js';
import { withdrawnAmong } from '../data-protection/consent.js';
import { NotFoundError } from '../errors.js';
import { enqueueInTransaction } from '../jobs/outbox.js';
import { toPaise, toRupees } from '../money.js';
import { findBacktest, insertBacktest, type BacktestRow } from './backtest-repository.js';
import { toEngineClaim } from './claim-input.js';
import { familyHistory, findHealthCover, findPolicyholder, recentClaimsOfTerms } from './claims-repository.js';
import { coverOf, memberOf } from './claims-service.js';
import { findDependent } from './dependents-repository.js';
import { addDays } from './engine/dates.js';
import { adjudicate, compileTerms } from './engine/index.js';
import { findCurrentTerms } from './terms-repository.js';

// Trying a draft of policy terms on the tenant's past claims before publishing it. A request records the draft and
// queues the claims.backtest job (through the outbox, in the same transaction); the job decides each claim made
// under the code's terms again, by the same engine, with the draft, on its stored request, the member and cover
// as they are now, and the family's claims filed before it. Nothing but the report is written.

export const BACKTEST_QUEUE = 'claims.backtest';

export async function requestBacktest(tx: Tx, actor: Actor, code: string, body: BacktestBody): Promise<BacktestRun> {
  authorize(actor.ability, 'update', 'PolicyTerms');
  authorize(actor.ability, 'read', 'Claim');
  const current = await findCurrentTerms(tx, code);
  if (!current) throw new NotFoundError(`No policy terms ${code}.`, { code: 'claims.terms_not_found' });
  // The draft is checked now (a bad draft is the caller's 4xx, not a failed job later).
  const draft: PolicyTermsDocument = { ...body.terms, policy_id: current.policy_terms_id };
  compileTerms(draft);
  const backtestId = await insertBacktest(tx, { policy_terms_id: current.policy_terms_id, draft, claim_limit: body.limit, requested_by: actor.user_id });
  await enqueueInTransaction(tx, BACKTEST_QUEUE, { backtest_id: backtestId }, { userId: actor.user_id, singletonKey: backtestId });
  return backtestView(await findBacktest(tx, backtestId) as BacktestRow);
}

export async function getBacktest(tx: Tx, actor: Actor, code: string, backtestId: string): Promise<BacktestRun> {
  authorize(actor.ability, 'update', 'PolicyTerms');
  const row = await findBacktest(tx, backtestId);
  if (!row || row.policy_terms_id !== code) throw new NotFoundError('No such backtest of these terms.', { code: 'claims.backtest_not_found' });
  return backtestView(row);
}

export function backtestView(row: BacktestRow): BacktestRun {
  return {
    backtest_id: row.backtest_id, policy_terms_id: row.policy_terms_id, status: row.status, limit: row.claim_limit,
    attempts: row.attempts, last_error: row.last_error, requested_by: row.requested_by, created_at: row.created_at.toISOString(),
    started_at: row.started_at?.toISOString() ?? null, finished_at: row.finished_at?.toISOString() ?? null, report: row.report,
  };
}

/** Decides the `limit` most recent claims under `code` again with `draft` and reports what would change. Reads only. */
export async function replayClaims(tx: Tx, code: string, draft: PolicyTermsDocument, limit: number): Promise<BacktestResult> {
  const compiled = compileTerms(draft);
  // Re-using stored claims to test terms is analytics: a person who withdrew that consent is left out.
  const recent = await recentClaimsOfTerms(tx, code, limit);
  const withdrawn = await withdrawnAmong(tx, 'analytics', [...new Set(recent.map((row) => row.policyholder_id))]);
  const rows = recent.filter((row) => !withdrawn.has(row.policyholder_id));
  const changed: BacktestResult['changed'] = [];
  let before = 0;
  let after = 0;
  for (const row of rows) {
    const holder = await findPolicyholder(tx, row.policyholder_id);
    const dependent = row.dependent_id ? await findDependent(tx, row.policyholder_id, row.dependent_id) : undefined;
    if (!holder) continue;
    const request = row.request as SubmitClaimBody;
    const history = await familyHistory(tx, row.policyholder_id, addDays(row.treatment_date, -400), row.created_at);
    const decision = adjudicate({ terms: draft, member: memberOf(holder, dependent), history,
      cover: coverOf(await findHealthCover(tx, row.policyholder_id, row.treatment_date)),
      claim: toEngineClaim({ ...request, submission_date: row.submission_date, documents: request.documents ?? {} }, row.submission_date) }, compiled);
    const was = { decision: row.engine_decision, recommended_amount: toPaise(String((row.result as { recommended_amount: number }).recommended_amount)) };
    before += was.recommended_amount;
    after += decision.recommended_amount;
    if (was.decision !== decision.decision || was.recommended_amount !== decision.recommended_amount) {
      changed.push({ claim_id: row.claim_id, claim_number: row.claim_number,
        before: { decision: was.decision, recommended_amount: toRupees(was.recommended_amount) },
        after: { decision: decision.decision, recommended_amount: toRupees(decision.recommended_amount), rejection_reasons: [...decision.rejection_reasons] } });
    }
  }
  return { policy_terms_id: code, claims_considered: rows.length, unchanged: rows.length - changed.length,
    recommended_total_before: toRupees(before), recommended_total_after: toRupees(after), changed };
}
