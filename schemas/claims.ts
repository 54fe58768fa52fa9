import { z } from 'zod';
import { Rupees, Uuid } from './common.js';
import { IsoDate, PolicyTermsCode } from './policy-terms.js';

// OPD claims: what is read off the paperwork (by a person or an OCR service) comes in `documents`; the decision
// comes back with its reasons and trail. Money is rupees on the wire, paise inside.

export const CLAIM_CATEGORIES = ['consultation', 'diagnostic', 'pharmacy', 'dental', 'vision', 'alternative_medicine'] as const;
export const ClaimCategory = z.enum(CLAIM_CATEGORIES);
export const DECISION_KINDS = ['APPROVED', 'REJECTED', 'PARTIAL', 'MANUAL_REVIEW'] as const;

const Text = z.string().trim().min(1).max(500);
const TextList = z.array(Text).max(100);

const DocumentQuality = {
  legible: z.boolean().optional().describe('false when the document could not be read'),
  quality_score: z.number().min(0).max(1).optional().describe('0..1, from an OCR service'),
  altered: z.boolean().optional().describe('true when the OCR service saw signs of editing'),
  date: IsoDate.optional(),
  patient_name: Text.optional(),
  patient_age: z.number().int().min(0).max(130).optional(),
};

export const PrescriptionDocument = z.object({
  doctor_name: Text.optional(),
  doctor_reg: z.string().trim().max(50).optional().describe('State/Number/Year, e.g. KA/45678/2015'),
  diagnosis: Text.optional(),
  medicines_prescribed: TextList.optional(),
  tests_prescribed: TextList.optional(),
  procedures: TextList.optional(),
  treatment: Text.optional(),
  ...DocumentQuality,
}).strict();

export const BillItemInput = z.object({
  description: Text,
  amount: Rupees,
  category: ClaimCategory.optional(),
  branded: z.boolean().optional().describe('A branded (not generic) medicine'),
}).strict();

/** Keys of an object-form bill that describe the bill rather than bill an amount. */
export const BILL_DETAIL_KEYS = ['legible', 'quality_score', 'altered', 'date', 'patient_name', 'patient_age', 'bill_number', 'items'] as const;
const BILL_KEY = /^[a-z][a-z0-9_]{0,63}$/;

const BillObject = z.record(z.string(), z.unknown()).superRefine((bill, ctx) => {
  const meta = z.object({ ...DocumentQuality, bill_number: Text.optional(), items: z.array(BillItemInput).max(200).optional() });
  const parsed = meta.safeParse(Object.fromEntries(Object.entries(bill).filter(([key]) => (BILL_DETAIL_KEYS as readonly string[]).includes(key))));
  if (!parsed.success) for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  let lines = 0;
  for (const [key, value] of Object.entries(bill)) {
    if ((BILL_DETAIL_KEYS as readonly string[]).includes(key)) continue;
    if (!BILL_KEY.test(key)) ctx.addIssue({ code: 'custom', path: [key], message: 'bill keys are snake_case names such as consultation_fee' });
    else if (typeof value === 'number') {
      lines += 1;
      if (!Rupees.safeParse(value).success) ctx.addIssue({ code: 'custom', path: [key], message: 'must be an amount in rupees, at least 0, with at most two decimals' });
    } else if (!(typeof value === 'string' && value.length <= 500) && !(Array.isArray(value) && value.length <= 100 && value.every((item) => typeof item === 'string' && item.length <= 500))) {
      ctx.addIssue({ code: 'custom', path: [key], message: 'must be an amount, or text (or a list of texts) describing the bill' });
    }
  }
  if (lines > 200) ctx.addIssue({ code: 'custom', path: [], message: 'at most 200 bill lines' });
}).describe('Amounts keyed by what they are ({ "consultation_fee": 1000, "medicines": 500, "test_names": ["CBC"] }), plus optional date, patient_name, bill_number, items');

export const BillDocument = z.union([z.array(BillItemInput).min(1).max(200), BillObject]);
export type BillDocument = z.infer<typeof BillDocument>;

export const TestReportDocument = z.object({ test_name: Text.optional(), ...DocumentQuality }).strict();

export const ClaimDocumentsInput = z.object({
  prescription: PrescriptionDocument.optional(),
  bill: BillDocument.optional(),
  test_reports: z.array(TestReportDocument).max(50).optional(),
}).strict();
export type ClaimDocumentsInput = z.infer<typeof ClaimDocumentsInput>;

const ClaimFields = {
  treatment_date: IsoDate,
  submission_date: IsoDate.optional().describe("Defaults to today's date (UTC)"),
  claimed_amount: Rupees,
  hospital: Text.optional(),
  cashless_request: z.boolean().optional(),
  pre_authorization_id: z.string().trim().min(1).max(100).optional(),
  previous_claims_same_day: z.number().int().min(0).max(100).optional(),
  documents: ClaimDocumentsInput,
};

export const ClaimDetailsInput = z.object(ClaimFields).strict();
export type ClaimDetailsInput = z.infer<typeof ClaimDetailsInput>;

export const SubmitClaimBody = z.object({
  policyholder_id: Uuid,
  dependent_id: Uuid.optional(),
  policy_terms_id: PolicyTermsCode.optional().describe('Overrides the terms named by the policy plan_code'),
  ...ClaimFields,
}).strict();
export type SubmitClaimBody = z.infer<typeof SubmitClaimBody>;

const Amount = z.number().describe('Rupees');

export const TrailEntrySchema = z.object({
  step: z.string(), rule: z.string(), outcome: z.string(), input: z.record(z.string(), z.unknown()), message: z.string(),
  codes: z.array(z.string()), amount_before: Amount, amount_after: Amount,
});

export const DecisionSchema = z.object({
  decision: z.enum(DECISION_KINDS),
  approved_amount: Amount,
  claimed_amount: Amount,
  recommended_decision: z.enum(['APPROVED', 'REJECTED', 'PARTIAL']),
  recommended_amount: Amount,
  deductions: z.object({
    copay: Amount, branded_drug_copay: Amount, network_discount: Amount, excluded_items: Amount, sub_limit: Amount,
    per_claim_limit: Amount, annual_limit: Amount, unbilled: Amount, rejected: Amount,
  }),
  rejection_reasons: z.array(z.string()),
  rejected_items: z.array(z.object({ description: z.string(), amount: Amount, reason_code: z.string(), reason: z.string() })),
  fraud_flags: z.array(z.object({ code: z.string(), description: z.string() })),
  manual_review_reasons: z.array(z.string()),
  confidence_score: z.number().min(0).max(1),
  confidence_factors: z.array(z.object({ factor: z.string(), penalty: z.number() })),
  category_amounts: z.record(z.string(), Amount),
  network_provider: z.boolean(),
  cashless_approved: z.boolean(),
  eligible_from: IsoDate.optional(),
  policy_year: z.object({ start: IsoDate, end: IsoDate }).nullable(),
  notes: z.string(),
  next_steps: z.string(),
  trail: z.array(TrailEntrySchema),
});
export type DecisionJson = z.infer<typeof DecisionSchema>;

