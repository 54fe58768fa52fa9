import { BILL_DETAIL_KEYS, type BillDocument, type ClaimDetailsInput } from '../../schemas/claims.js';
import { toPaise, toRupees } from '../money.js';
import type { Bill, BillItem, ClaimToAdjudicate, Decision, IsoDate, TestReport } from './engine/types.js';
import type { DecisionJson } from '../../schemas/claims.js';

// From the wire (rupees, bills keyed by what they are) to the engine's input (paise, bill lines), and back.

/** 'consultation_fee' -> 'Consultation fee'. */
export function describeBillKey(key: string): string {
  const words = key.replace(/_/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export function billFromDocument(bill: BillDocument): Bill {
  if (Array.isArray(bill)) {
    return { items: bill.map((item) => ({ description: item.description, amount: toPaise(item.amount),
      ...(item.category ? { category: item.category } : {}), ...(item.branded !== undefined ? { branded: item.branded } : {}) })) };
  }
  const items: BillItem[] = [];
  const details: string[] = [];
  for (const [key, value] of Object.entries(bill)) {
    if ((BILL_DETAIL_KEYS as readonly string[]).includes(key)) continue;
    if (typeof value === 'number') items.push({ description: describeBillKey(key), amount: toPaise(value) });
    else if (typeof value === 'string') details.push(value);
    else if (Array.isArray(value)) details.push(...(value as string[]));
  }
  const listed = (bill.items as { description: string; amount: number; category?: BillItem['category']; branded?: boolean }[] | undefined) ?? [];
  items.push(...listed.map((item) => ({ description: item.description, amount: toPaise(item.amount),
    ...(item.category ? { category: item.category } : {}), ...(item.branded !== undefined ? { branded: item.branded } : {}) })));
  const meta = bill as Record<string, unknown>;
  return {
    items, details,
    ...pick(meta, ['legible', 'quality_score', 'altered', 'date', 'patient_name', 'patient_age', 'bill_number']),
  } as Bill;
}

function pick(source: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((key) => source[key] !== undefined).map((key) => [key, source[key]]));
}

export function toEngineClaim(details: ClaimDetailsInput, today: IsoDate): ClaimToAdjudicate {
  const { documents } = details;
  return {
    treatment_date: details.treatment_date,
    submission_date: details.submission_date ?? today,
    claimed_amount: toPaise(details.claimed_amount),
    ...pick(details, ['hospital', 'cashless_request', 'pre_authorization_id', 'previous_claims_same_day']),
    documents: {
      ...(documents.prescription ? { prescription: documents.prescription } : {}),
      ...(documents.bill ? { bill: billFromDocument(documents.bill) } : {}),
      ...(documents.test_reports ? { test_reports: documents.test_reports as TestReport[] } : {}),
    },
  };
}

const rupeesOf = <K extends string>(amounts: Partial<Record<K, number>>): Record<string, number> =>
  Object.fromEntries(Object.entries(amounts).map(([key, paise]) => [key, toRupees(paise as number)]));

/** The decision as the API and the CLI show it: rupees, every field named as in API.md. */
export function presentDecision(decision: Decision): DecisionJson {
  return {
    ...decision,
    approved_amount: toRupees(decision.approved_amount),
    claimed_amount: toRupees(decision.claimed_amount),
    recommended_amount: toRupees(decision.recommended_amount),
    deductions: rupeesOf(decision.deductions) as DecisionJson['deductions'],
    rejection_reasons: [...decision.rejection_reasons],
    rejected_items: decision.rejected_items.map((item) => ({ ...item, amount: toRupees(item.amount) })),
    fraud_flags: [...decision.fraud_flags],
    manual_review_reasons: [...decision.manual_review_reasons],
    confidence_factors: [...decision.confidence_factors],
    category_amounts: rupeesOf(decision.category_amounts),
    trail: decision.trail.map((entry) => ({ ...entry, codes: [...entry.codes],
      amount_before: toRupees(entry.amount_before), amount_after: toRupees(entry.amount_after) })),
  };
}
