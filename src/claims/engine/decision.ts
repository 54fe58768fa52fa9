import { payableTotal, rupeesText, type State } from './state.js';
import {
  REJECTION_CODES, type Category, type Decision, type DecisionKind, type RejectedItem, type RejectionCode,
} from './types.js';

// The decision from the state the rules left: the kind, the amount, the reasons, the confidence score, and what
// the member should do next.
//
// Confidence score: how far the decision rests on facts read directly from the claim and matched exactly to the
// terms. It starts at 1.00 and loses a fixed, listed amount (`confidence_factors`) for each inference or doubt:
// a line classified from the visit rather than its own words (0.03), a line that matches no benefit (0.10), a
// bill total that differs from the claim (0.10), a low OCR quality (0.10), a name matched with a variation
// (0.05), a hospital matched by brand (0.05), an unnamed alternative-medicine system (0.10), an excluded
// procedure the bill does not itemise (0.20), each fraud signal (0.20). Below the terms' minimum (0.70) a person
// decides. It says nothing about the claim's merit: a clear rejection scores as high as a clear approval.

const FRAUD_PENALTY = 20;

/**
 * Refusals a reviewer could not change: eligibility, paperwork, process. A high-value claim refused only on
 * coverage, limits or medical grounds still goes to a person; any claim that would pay goes to one on fraud
 * signals or low confidence. A claim refused outright keeps its flags on record and stays REJECTED.
 */
const FINAL_REJECTIONS = new Set<RejectionCode>(['POLICY_INACTIVE', 'WAITING_PERIOD', 'MEMBER_NOT_COVERED', 'MISSING_DOCUMENTS',
  'ILLEGIBLE_DOCUMENTS', 'INVALID_PRESCRIPTION', 'DOCTOR_REG_INVALID', 'DATE_MISMATCH', 'PATIENT_MISMATCH', 'LATE_SUBMISSION',
  'DUPLICATE_CLAIM', 'BELOW_MIN_AMOUNT']);

const NEXT_STEPS: Record<RejectionCode, (state: State) => string> = {
  POLICY_INACTIVE: () => 'Claims are paid only for treatment while the policy is active; check your policy status with your agent.',
  WAITING_PERIOD: (s) => `This treatment is covered from ${s.eligibleFrom}; claims for treatment on or after that date will be considered.`,
  MEMBER_NOT_COVERED: () => 'Ask your agent to add the patient to your cover before claiming for them.',
  MISSING_DOCUMENTS: () => 'Send the missing documents (the prescription and an itemised original bill) and claim again within the submission window.',
  ILLEGIBLE_DOCUMENTS: () => 'Upload clear, readable copies of the documents and submit again.',
  INVALID_PRESCRIPTION: () => "Ask the doctor for a prescription that shows the diagnosis and the doctor's name.",
  DOCTOR_REG_INVALID: () => "Ask the clinic for a prescription that shows the doctor's registration number (State/Number/Year).",
  DATE_MISMATCH: () => 'The prescription and bills must be from the treatment date; check the dates and submit again.',
  PATIENT_MISMATCH: () => "The documents must be in the patient's name as on the policy; ask the provider for corrected documents.",
  SERVICE_NOT_COVERED: () => 'Items marked not covered are outside this plan and are yours to pay.',
  EXCLUDED_CONDITION: () => 'Your policy excludes this treatment, so it cannot be paid.',
  PRE_AUTH_MISSING: () => 'MRI and CT scans need pre-authorisation before the scan; if you have one, submit again with its number.',
  ANNUAL_LIMIT_EXCEEDED: (s) => `Your annual cover for this policy year is used up${s.policyYear ? `; it renews on ${s.policyYear.end}` : ''}.`,
  SUB_LIMIT_EXCEEDED: (s) => `The yearly limit for this kind of treatment is reached${s.policyYear ? `; it renews on ${s.policyYear.end}` : ''}.`,
  PER_CLAIM_EXCEEDED: (s) => `A single claim can pay at most ${rupeesText(s.terms.perClaimLimit)} under this plan for this treatment.`,
  NOT_MEDICALLY_NECESSARY: () => 'Ask your doctor to list the medicines and tests on the prescription, then submit again.',
  EXPERIMENTAL_TREATMENT: () => 'Experimental treatment is excluded by your policy and cannot be paid.',
  COSMETIC_PROCEDURE: () => 'Cosmetic procedures are excluded by your policy and are yours to pay.',
  LATE_SUBMISSION: (s) => `Claims must reach us within ${s.terms.doc.claim_requirements.submission_timeline_days} days of treatment; if something kept you from submitting, contact your agent.`,
  DUPLICATE_CLAIM: () => 'This treatment was already claimed; follow the earlier claim instead.',
  BELOW_MIN_AMOUNT: (s) => `Claims must be for at least ${rupeesText(s.terms.minimumClaim)}.`,
};

function rejectionReasons(state: State): RejectionCode[] {
  const found = new Set<RejectionCode>([
    ...state.claimRejections.map((rejection) => rejection.code),
    ...state.lines.flatMap((line) => line.rejections.map((rejection) => rejection.code)),
    ...state.limitReductions.map((reduction) => reduction.code),
    ...(state.deductions.unbilled ? ['MISSING_DOCUMENTS' as const] : []),
  ]);
  return REJECTION_CODES.filter((code) => found.has(code));
}

function rejectedItems(state: State): RejectedItem[] {
  const items: RejectedItem[] = state.lines.filter((line) => line.rejections.length).map((line) => ({
    description: line.description, amount: line.billed, reason_code: line.rejections[0]?.code as RejectionCode,
    reason: line.rejections.map((rejection) => rejection.reason).join('; '),
  }));
  if (state.deductions.unbilled) {
    items.push({ description: 'Claimed amount without a bill', amount: state.deductions.unbilled, reason_code: 'MISSING_DOCUMENTS', reason: 'no bill supports this part of the claim' });
  }
  return items;
}

function categoryAmounts(state: State): Decision['category_amounts'] {
  const amounts: Partial<Record<Category | 'dental_routine', number>> = {};
  for (const line of state.lines) {
    if (!line.category || line.payable <= 0) continue;
    amounts[line.category] = (amounts[line.category] ?? 0) + line.payable;
    if (line.dental_routine) amounts.dental_routine = (amounts.dental_routine ?? 0) + line.payable;
  }
  return amounts;
}

function notesFor(state: State, kind: DecisionKind, recommended: DecisionKind, amount: number, reasons: RejectionCode[], review: string[]): string {
  const claimed = rupeesText(state.input.claim.claimed_amount);
  const d = state.deductions;
  const parts: string[] = [];
  if (kind === 'MANUAL_REVIEW') parts.push(`Referred to a claims assessor: ${review.join('; ')}. The rules alone would give ${recommended} for ${rupeesText(amount)}.`);
  else if (kind === 'REJECTED') parts.push(`Rejected (${reasons.join(', ')}): ${[...state.claimRejections.map((r) => r.reason), ...state.limitReductions.map((r) => r.reason)].join(' ') || 'nothing billed is payable.'}`);
  else parts.push(`${kind === 'APPROVED' ? 'Approved' : 'Partly approved'}: ${rupeesText(amount)} of ${claimed}.`);
  if (kind !== 'REJECTED') {
    if (d.network_discount) parts.push(`Network discount ${rupeesText(d.network_discount)}.`);
    if (d.copay) parts.push(`Co-pay ${rupeesText(d.copay)}.`);
    if (d.branded_drug_copay) parts.push(`Branded-medicine co-pay ${rupeesText(d.branded_drug_copay)}.`);
    const refused = rejectedItems(state);
    if (refused.length) parts.push(`Not paid: ${refused.map((item) => `${item.description} ${rupeesText(item.amount)} (${item.reason})`).join('; ')}.`);
    if (state.limitReductions.length) parts.push(`Limits: ${state.limitReductions.map((r) => r.reason).join('; ')}.`);
  }
  if (state.eligibleFrom) parts.push(`The member is eligible for this treatment from ${state.eligibleFrom}.`);
  parts.push(...state.notes);
  return parts.join(' ');
}

function nextStepsFor(state: State, kind: DecisionKind, reasons: RejectionCode[], cashless: boolean): string {
  if (kind === 'MANUAL_REVIEW') return 'A claims assessor will review this claim, usually within 3 working days. Nothing is needed from you unless they ask for documents.';
  const steps = reasons.map((code) => NEXT_STEPS[code](state));
  if (kind === 'APPROVED' || kind === 'PARTIAL') {
    steps.unshift(cashless ? 'The hospital is paid directly; settle only the co-pay and any items not covered at the counter.'
      : 'The approved amount will be paid to your registered bank account.');
  }
  return [...new Set(steps)].join(' ');
}

export function decide(state: State): Decision {
  const claimed = state.input.claim.claimed_amount;
  const rejectedOutright = state.claimRejections.length > 0;
  const payable = rejectedOutright ? 0 : payableTotal(state);
  const reasons = rejectionReasons(state);
  const reduced = state.lines.some((line) => line.rejections.length) || state.limitReductions.length > 0 || state.deductions.unbilled > 0;
  const recommended: Exclude<DecisionKind, 'MANUAL_REVIEW'> = payable === 0 ? 'REJECTED' : reduced ? 'PARTIAL' : 'APPROVED';

  const penalties = [...state.penalties, ...state.flags.map((f) => ({ factor: `fraud signal ${f.code}`, penalty: FRAUD_PENALTY }))];
  const confidence = Math.max(0, 100 - penalties.reduce((sum, p) => sum + p.penalty, 0));
  const cashlessRequested = state.input.claim.cashless_request === true;
  const cashlessPossible = cashlessRequested && state.terms.doc.cashless_facilities.available && (state.network || !state.terms.doc.cashless_facilities.network_only);
  if (cashlessRequested && !cashlessPossible) state.notes.push('Cashless treatment is only available at network hospitals; this claim is handled as a reimbursement.');

  const review: string[] = [];
  const highValue = claimed > state.terms.manualReviewAbove;
  if (highValue && (recommended !== 'REJECTED' || !reasons.some((code) => FINAL_REJECTIONS.has(code)))) {
    review.push(`high-value claim above ${rupeesText(state.terms.manualReviewAbove)}`);
  }
  if (recommended !== 'REJECTED') {
    if (state.flags.length) review.push(`fraud signals (${state.flags.map((f) => f.code).join(', ')})`);
    if (confidence < state.terms.minimumConfidence) review.push(`confidence ${(confidence / 100).toFixed(2)} below ${(state.terms.minimumConfidence / 100).toFixed(2)}`);
    if (cashlessPossible && payable > state.terms.instantApprovalLimit) review.push(`cashless above the instant approval limit ${rupeesText(state.terms.instantApprovalLimit)}`);
  }
  state.manualReviewReasons.push(...review);
  const kind: DecisionKind = review.length ? 'MANUAL_REVIEW' : recommended;
  const approved = kind === 'MANUAL_REVIEW' ? 0 : payable;

  // Whatever is neither paid nor explained by another deduction was refused outright; a claim refused outright
  // shows its whole amount there (the trail still shows what the rules computed).
  const d = state.deductions;
  if (rejectedOutright) for (const key of Object.keys(d) as (keyof typeof d)[]) d[key] = 0;
  const explained = d.copay + d.branded_drug_copay + d.network_discount + d.excluded_items + d.sub_limit + d.per_claim_limit + d.annual_limit + d.unbilled;
  d.rejected = Math.max(0, claimed - payable - explained);
  const cashless = cashlessPossible && kind !== 'REJECTED' && kind !== 'MANUAL_REVIEW';

  state.trail.push({ step: 'decision', rule: 'decide', outcome: 'info', codes: reasons,
    input: { rejected_outright: rejectedOutright, reduced, fraud_flags: state.flags.map((f) => f.code), confidence: confidence / 100, manual_review: review },
    message: `${kind}${kind === 'MANUAL_REVIEW' ? ` (recommended ${recommended})` : ''}: ${rupeesText(kind === 'MANUAL_REVIEW' ? payable : approved)}.`,
    amount_before: payableTotal(state), amount_after: approved });

  return {
    decision: kind, approved_amount: approved, claimed_amount: claimed, recommended_decision: recommended, recommended_amount: payable,
    deductions: { copay: d.copay, branded_drug_copay: d.branded_drug_copay, network_discount: d.network_discount,
      excluded_items: d.excluded_items, sub_limit: d.sub_limit, per_claim_limit: d.per_claim_limit, annual_limit: d.annual_limit,
      unbilled: d.unbilled, rejected: d.rejected },
    rejection_reasons: reasons,
    rejected_items: rejectedItems(state),
    fraud_flags: [...state.flags],
    manual_review_reasons: review,
    confidence_score: confidence / 100,
    confidence_factors: penalties.map((p) => ({ factor: p.factor, penalty: p.penalty / 100 })),
    category_amounts: rejectedOutright ? {} : categoryAmounts(state),
    network_provider: state.network,
    cashless_approved: cashless,
    ...(state.eligibleFrom ? { eligible_from: state.eligibleFrom } : {}),
    policy_year: state.policyYear,
    notes: notesFor(state, kind, recommended, payable, reasons, review),
    next_steps: nextStepsFor(state, kind, reasons, cashless),
    trail: state.trail,
  };
}
