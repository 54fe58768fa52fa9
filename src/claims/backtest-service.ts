import type { BacktestBody, BacktestResult, SubmitClaimBody } from '../../schemas/claims.js';
import type { PolicyTermsDocument } from '../../schemas/policy-terms.js';
import { authorize } from '../auth/ability.js';
import type { Actor } from '../auth/actor.js';
import type { Tx } from '../db/scope.js';
import { withdrawnAmong } from '../data-protection/consent.js';
import { NotFoundError } from '../errors.js';
import { toPaise, toRupees } from '../money.js';
import { toEngineClaim } from './claim-input.js';
import { familyHistory, findHealthCover, findPolicyholder, recentClaimsOfTerms } from './claims-repository.js';
import { coverOf, memberOf } from './claims-service.js';
import { findDependent } from './dependents-repository.js';
import { addDays } from './engine/dates.js';
import { adjudicate, compileTerms } from './engine/index.js';
import { findCurrentTerms } from './terms-repository.js';

// Trying a draft of policy terms on the tenant's past claims before publishing it: each claim decided under the
// code's terms is decided again, by the same engine, with the draft, on its stored request, the member and cover
// as they are now, and the family's claims filed before it. Nothing is written; the answer lists what changes.

export async function backtestTerms(tx: Tx, actor: Actor, code: string, body: BacktestBody): Promise<BacktestResult> {
  authorize(actor.ability, 'update', 'PolicyTerms');
  authorize(actor.ability, 'read', 'Claim');
  if (!await findCurrentTerms(tx, code)) throw new NotFoundError(`No policy terms ${code}.`, { code: 'claims.terms_not_found' });
  const draft: PolicyTermsDocument = { ...body.terms, policy_id: code };
  const compiled = compileTerms(draft);
  // Re-using stored claims to test terms is analytics: a person who withdrew that consent is left out.
  const recent = await recentClaimsOfTerms(tx, code, body.limit);
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
      claim: toEngineClaim({ ...request, submission_date: row.submission_date }, row.submission_date) }, compiled);
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
