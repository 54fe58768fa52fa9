import type { ClaimRecord } from '../../schemas/claims.js';
import { toPaise, toRupees } from '../money.js';

// A stored claim as a FHIR R4 ClaimResponse, for insurers' and TPAs' systems: the standard adjudication
// categories (submitted, eligible, copay, benefit) in `total`, our own codes for what FHIR has no words for
// (network discount, excluded amount) and the rejection reasons (waiting periods among them) in `error`, fraud
// flags as extensions, the notes as the disposition.

const ADJUDICATION = 'http://terminology.hl7.org/CodeSystem/adjudication';
const OURS = 'https://agentmitra.in/fhir/CodeSystem';

const OUTCOME: Record<ClaimRecord['decision'], string> = { APPROVED: 'complete', PARTIAL: 'partial', REJECTED: 'complete', MANUAL_REVIEW: 'queued' };

const money = (value: number) => ({ value, currency: 'INR' });
const total = (system: string, code: string, value: number) => ({ category: { coding: [{ system, code }] }, amount: money(value) });

export function claimResponseOf(claim: ClaimRecord): Record<string, unknown> {
  const d = claim.deductions;
  const paise = (rupees: number) => toPaise(rupees);
  const eligible = toRupees(paise(claim.claimed_amount) - paise(d.excluded_items) - paise(d.unbilled) - paise(d.rejected));
  return {
    resourceType: 'ClaimResponse',
    id: claim.claim_id,
    identifier: [{ system: `${OURS}/claim-number`, value: claim.claim_number }],
    status: 'active',
    type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/claim-type', code: 'professional' }] },
    use: 'claim',
    patient: { reference: `Patient/${claim.dependent_id ?? claim.policyholder_id}` },
    created: claim.created_at,
    insurer: { identifier: { system: `${OURS}/policy-terms`, value: `${claim.policy_terms_id}/${claim.policy_terms_version}` } },
    request: { identifier: { system: `${OURS}/claim-number`, value: claim.claim_number } },
    outcome: OUTCOME[claim.decision],
    disposition: claim.notes,
    total: [
      total(ADJUDICATION, 'submitted', claim.claimed_amount),
      total(ADJUDICATION, 'eligible', eligible),
      total(ADJUDICATION, 'copay', toRupees(paise(d.copay) + paise(d.branded_drug_copay))),
      total(`${OURS}/adjudication`, 'network-discount', d.network_discount),
      total(`${OURS}/adjudication`, 'excluded', d.excluded_items),
      total(ADJUDICATION, 'benefit', claim.approved_amount),
    ],
    ...(claim.approved_amount > 0 ? { payment: {
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/ex-paymenttype', code: claim.decision === 'PARTIAL' ? 'partial' : 'complete' }] },
      amount: money(claim.approved_amount) } } : {}),
    ...(claim.rejection_reasons.length ? { error: claim.rejection_reasons.map((code) => ({
      code: { coding: [{ system: `${OURS}/rejection-reason`, code }] } })) } : {}),
    ...(claim.eligible_from ? { processNote: [{ type: 'display', text: `Waiting period: eligible from ${claim.eligible_from}.` }] } : {}),
    ...(claim.fraud_flags.length ? { extension: claim.fraud_flags.map((f) => ({
      url: 'https://agentmitra.in/fhir/StructureDefinition/fraud-flag', valueCoding: { system: `${OURS}/fraud-flag`, code: f.code, display: f.description } })) } : {}),
  };
}
