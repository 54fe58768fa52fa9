import { ClaimDocumentsInput, type SubmitClaimBody } from '../../schemas/claims.js';
import type { Tx } from '../db/scope.js';
import { businessToday } from '../policies/calendar.js';
import { decideClaim, queueForReview } from './claims-service.js';
import { findClaim, findHealthCover, lockFamilyInBook, updateClaim, type ClaimRow } from './claims-repository.js';
import { findDependent } from './dependents-repository.js';
import { listDocuments, type DocumentRow } from './documents/repository.js';
import { termsOfVersion } from './terms-cache.js';

// A claim submitted without `documents` waits (status awaiting_documents) for its paperwork to be read
// (claims.extract_document). Once what was read off its processed uploads holds a prescription and a bill, it is
// decided like a new claim: the terms version it was filed under, the member and cover as they are now, the family's
// other claims, in the family's lock; the documents used are stored in its request, so a backtest replays them.

/** The claim's `documents` from its processed uploads; the latest reading of each kind wins. */
export function paperworkOf(documents: readonly DocumentRow[]): ClaimDocumentsInput {
  const merged: Record<string, unknown> = {};
  for (const document of documents) {
    if (document.status !== 'processed' || !document.extracted_data) continue;
    const read = ClaimDocumentsInput.safeParse(document.extracted_data);
    if (read.success) Object.assign(merged, read.data);
  }
  return merged as ClaimDocumentsInput;
}

export type PaperworkOutcome = 'decided' | 'incomplete' | 'not_waiting';

export async function decideWithPaperwork(tx: Tx, claimId: string): Promise<PaperworkOutcome> {
  const owner = await tx('claims').first('policyholder_id').where({ claim_id: claimId }) as { policyholder_id: string } | undefined;
  const holder = owner && await lockFamilyInBook(tx, owner.policyholder_id);
  // Read after the lock: two documents read at once both end here, and only the second sees both.
  const claim = holder && await findClaim(tx, claimId);
  if (!holder || !claim || claim.status !== 'awaiting_documents') return 'not_waiting';
  const request = (claim as ClaimRow & { request?: SubmitClaimBody }).request;
  if (!request?.treatment_date) return 'not_waiting'; // erased
  const documents = paperworkOf(await listDocuments(tx, claimId));
  if (!documents.prescription || !documents.bill) return 'incomplete';
  const terms = await termsOfVersion(tx, claim.policy_terms_version_id);
  if (!terms) throw new Error(`policy terms version ${claim.policy_terms_version_id} of claim ${claim.claim_number} is missing`);
  const body: SubmitClaimBody = { ...request, documents };
  const dependent = body.dependent_id ? await findDependent(tx, claim.policyholder_id, body.dependent_id) : undefined;
  const decided = await decideClaim(tx, { holder, dependent, coverRow: await findHealthCover(tx, claim.policyholder_id, body.treatment_date),
    body, submission: claim.submission_date, today: businessToday(), terms, claimNumber: claim.claim_number });
  await updateClaim(tx, claim.claim_id, decided.values);
  await queueForReview(tx, holder, claim.claim_id, decided.decision);
  return 'decided';
}
