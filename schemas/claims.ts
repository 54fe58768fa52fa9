import { z } from 'zod';
import { businessToday } from '../src/policies/calendar.js';
import { IsoDate, ListQuery, Rupees, Uuid } from './common.js';
import { PolicyTermsCode, PutPolicyTermsBody } from './policy-terms.js';

// OPD claims: what is read off the paperwork (by a person or an OCR service) comes in `documents`; the decision
// comes back with its reasons and trail. Money is rupees on the wire, paise inside.

export const CLAIM_CATEGORIES = ['consultation', 'diagnostic', 'pharmacy', 'dental', 'vision', 'alternative_medicine'] as const;
export const ClaimCategory = z.enum(CLAIM_CATEGORIES);
export const CLAIM_STATUSES = ['decided', 'in_review', 'reviewed', 'awaiting_documents'] as const;
export const DECISION_KINDS = ['APPROVED', 'REJECTED', 'PARTIAL', 'MANUAL_REVIEW'] as const;

const Text = z.string().trim().min(1).max(500);
/**
 * Rupees below 100 crore: far above any OPD bill, and inside NUMERIC(14, 2) whatever the sums. One check, so an
 * amount wrong on both counts (1e15) gets one message, and the bound it states is this one (not Rupees' 10^12).
 */
const ClaimRupees = z.number({ message: 'must be an amount in rupees' })
  .refine((value) => /^[0-9]{1,9}(\.[0-9]{1,2})?$/.test(String(value)),
    'must be an amount in rupees, at least 0, below Rs 1,00,00,00,000, with at most two decimals');
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
  amount: ClaimRupees,
  category: ClaimCategory.optional(),
  branded: z.boolean().optional().describe('A branded (not generic) medicine'),
}).strict();

/** Keys of an object-form bill that describe the bill rather than bill an amount. */
export const BILL_DETAIL_KEYS = ['legible', 'quality_score', 'altered', 'date', 'patient_name', 'patient_age', 'bill_number', 'items'] as const;
const BILL_KEY = /^[a-z][a-z0-9_]{0,63}$/;

/** What an object-form bill may say about itself besides its amounts (built once: zod compiles an object schema on first use). */
const BillDetails = z.object({ ...DocumentQuality, bill_number: Text.optional(), items: z.array(BillItemInput).max(200).optional() });

const BillObject = z.record(z.string(), z.unknown()).superRefine((bill, ctx) => {
  const parsed = BillDetails.safeParse(Object.fromEntries(Object.entries(bill).filter(([key]) => (BILL_DETAIL_KEYS as readonly string[]).includes(key))));
  if (!parsed.success) for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  let lines = 0;
  for (const [key, value] of Object.entries(bill)) {
    if ((BILL_DETAIL_KEYS as readonly string[]).includes(key)) continue;
    if (!BILL_KEY.test(key)) ctx.addIssue({ code: 'custom', path: [key], message: 'bill keys are snake_case names such as consultation_fee' });
    else if (typeof value === 'number') {
      lines += 1;
      if (!ClaimRupees.safeParse(value).success) ctx.addIssue({ code: 'custom', path: [key], message: 'must be an amount in rupees, at least 0, with at most two decimals' });
    } else if (!(typeof value === 'string' && value.length <= 500) && !(Array.isArray(value) && value.length <= 100 && value.every((item) => typeof item === 'string' && item.length <= 500))) {
      ctx.addIssue({ code: 'custom', path: [key], message: 'must be an amount, or text (or a list of texts) describing the bill' });
    }
  }
  if (lines > 200) ctx.addIssue({ code: 'custom', path: [], message: 'at most 200 bill lines' });
}).describe('Amounts keyed by what they are ({ "consultation_fee": 1000, "medicines": 500, "test_names": ["CBC"] }), plus optional date, patient_name, bill_number, items');

export const BillDocument = z.union([z.array(BillItemInput).min(1).max(200), BillObject],
  { message: 'must be a list of { description, amount } items, or an object of amounts keyed by what they are' });
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
  submission_date: IsoDate.optional().describe("Defaults to today's date in India; never later than that, nor before treatment_date"),
  claimed_amount: ClaimRupees,
  hospital: Text.optional(),
  cashless_request: z.boolean().optional(),
  pre_authorization_id: z.string().trim().min(1).max(100).optional(),
  previous_claims_same_day: z.number().int().min(0).max(100).optional(),
  documents: ClaimDocumentsInput,
};

export const ClaimDetailsInput = z.object(ClaimFields).strict();
export type ClaimDetailsInput = z.infer<typeof ClaimDetailsInput>;

const isDate = (value: unknown): value is string => IsoDate.safeParse(value).success;
const fieldsOf = (value: unknown): Record<string, unknown> => (typeof value === 'object' && value !== null ? value as Record<string, unknown> : {});

export const SubmitClaimBody = z.object({
  policyholder_id: Uuid,
  dependent_id: Uuid.optional(),
  policy_terms_id: PolicyTermsCode.optional().describe('Overrides the terms named by the policy plan_code'),
  ...ClaimFields,
  documents: ClaimDocumentsInput.optional().describe('What was read off the paperwork. Without it the claim is stored as '
    + 'awaiting_documents and decided once the documents uploaded for it (POST /claims/{claim_id}/documents) have been read'),
}).strict()
  // The dates against each other and India's today, reported with any other bad field, not only once the rest is valid.
  .refine((body) => body.submission_date === undefined || body.submission_date <= businessToday(), {
    path: ['submission_date'], message: 'must not be in the future',
    when: (payload) => isDate(fieldsOf(payload.value).submission_date),
  })
  .refine((body) => body.submission_date === undefined || body.treatment_date <= body.submission_date, {
    path: ['treatment_date'], message: 'must not be after the submission date',
    when: (payload) => isDate(fieldsOf(payload.value).treatment_date) && isDate(fieldsOf(payload.value).submission_date),
  })
  // Without a submission_date (it is today) a later treatment date is simply in the future.
  .refine((body) => body.submission_date !== undefined || body.treatment_date <= businessToday(), {
    path: ['treatment_date'], message: 'must not be in the future',
    when: (payload) => isDate(fieldsOf(payload.value).treatment_date) && fieldsOf(payload.value).submission_date === undefined,
  });
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


// --- the stored claim, reviews, dependents and limits, as the API answers them ---

const Stamp = z.string().describe('ISO 8601 timestamp with zone');
const Code = z.string().trim().toUpperCase().pipe(z.string().regex(/^CLM[0-9]{6,}$/));
/** A claim is named by its uuid or its readable number (CLM000001). */
export const ClaimIdParams = z.object({
  claim_id: z.union([Uuid, Code], { message: 'must be a claim uuid or a claim number such as CLM000001' }),
});

export const ClaimSummary = DecisionSchema.omit({ trail: true }).extend({
  claim_id: Uuid,
  claim_number: z.string(),
  status: z.enum(CLAIM_STATUSES).describe('awaiting_documents: submitted without documents, decided once its uploaded paperwork is read'),
  engine_decision: z.enum(DECISION_KINDS),
  policyholder_id: Uuid,
  dependent_id: Uuid.nullable(),
  policy_id: Uuid.nullable(),
  policy_terms_id: z.string(),
  policy_terms_version: z.number().int(),
  policy_terms_version_id: Uuid,
  treatment_date: IsoDate,
  submission_date: IsoDate,
  hospital: z.string().nullable(),
  review: z.object({
    review_id: Uuid, status: z.enum(['PENDING', 'COMPLETED']), final_decision: z.enum(['APPROVED', 'PARTIAL', 'REJECTED']).nullable(),
    reviewer_id: Uuid.nullable(), reviewed_at: Stamp.nullable(), review_notes: z.string().nullable(),
  }).nullable(),
  created_at: Stamp,
  updated_at: Stamp,
});
export type ClaimSummary = z.infer<typeof ClaimSummary>;
export const ClaimRecord = ClaimSummary.extend({ trail: z.array(TrailEntrySchema) });
export type ClaimRecord = z.infer<typeof ClaimRecord>;

export const ClaimListQuery = z.object({
  ...ListQuery.shape,
  policyholder_id: Uuid.optional(),
  decision: z.enum(DECISION_KINDS).optional(),
}).strict();
export type ClaimListQuery = z.infer<typeof ClaimListQuery>;
export const ClaimPage = z.object({ data: z.array(ClaimSummary), next_cursor: z.string().nullable() });

export const ReviewRecord = z.object({
  review_id: Uuid,
  claim_id: Uuid,
  claim_number: z.string(),
  policyholder_id: Uuid,
  status: z.enum(['PENDING', 'COMPLETED']),
  reasons: z.array(z.string()),
  recommended_decision: z.enum(['APPROVED', 'PARTIAL', 'REJECTED']),
  recommended_amount: z.number(),
  claimed_amount: z.number(),
  final_decision: z.enum(['APPROVED', 'PARTIAL', 'REJECTED']).nullable(),
  approved_amount: z.number().nullable(),
  review_notes: z.string().nullable(),
  reviewer_id: Uuid.nullable(),
  reviewed_at: Stamp.nullable(),
  limit_override: z.boolean().describe('The reviewer approved above what was left of the annual or floater limit'),
  override_reason: z.string().nullable(),
  override_excess: z.number().nullable().describe('How much of the approved amount was above what the limits had left'),
  created_at: Stamp,
});
export type ReviewRecord = z.infer<typeof ReviewRecord>;
export const ReviewPage = z.object({ data: z.array(ReviewRecord), next_cursor: z.string().nullable() });
export const ReviewListQuery = z.object({
  status: z.enum(['PENDING', 'COMPLETED']).optional(),
  ...ListQuery.shape,
}).strict();
export type ReviewListQuery = z.infer<typeof ReviewListQuery>;
export const ReviewParams = z.object({ review_id: Uuid });
export const ReviewDecisionBody = z.object({
  final_decision: z.enum(['APPROVED', 'PARTIAL', 'REJECTED']),
  approved_amount: Rupees.optional().describe('Required for PARTIAL; APPROVED defaults to the recommended amount'),
  review_notes: z.string().trim().min(1).max(5000),
  override_limits: z.boolean().optional().describe('Approve above an exhausted annual or family floater limit: needs the '
    + 'override_limits permission on ClaimReview and an override_reason; recorded on the review and in the audit trail'),
  override_reason: z.string().trim().min(10).max(2000).optional().describe('Why the limits are overridden (required with override_limits)'),
}).strict();
export type ReviewDecisionBody = z.infer<typeof ReviewDecisionBody>;
export const ReviewDecisionResult = z.object({ review: ReviewRecord, claim: ClaimRecord });

const DependentFields = z.object({
  full_name: z.string().trim().min(1).max(200),
  relationship: z.enum(['spouse', 'child', 'parent', 'other']),
  date_of_birth: IsoDate,
  gender: z.enum(['male', 'female', 'other']).optional(),
  pre_existing_conditions: z.array(z.string().trim().min(1).max(200)).max(50).optional(),
  covered_from: IsoDate.optional().describe('The day the dependent joined the cover; waiting periods count from it'),
}).strict();
/** Born by India's today, and not covered before being born: judged with the other fields, like a claim's dates. */
export const DependentBody = DependentFields
  .refine((body) => body.date_of_birth <= businessToday(), {
    path: ['date_of_birth'], message: 'must not be in the future', when: (payload) => isDate(fieldsOf(payload.value).date_of_birth),
  })
  .refine((body) => body.covered_from === undefined || body.covered_from >= body.date_of_birth, {
    path: ['covered_from'], message: 'must not be before the date of birth',
    when: (payload) => isDate(fieldsOf(payload.value).date_of_birth) && isDate(fieldsOf(payload.value).covered_from),
  });
export type DependentBody = z.infer<typeof DependentBody>;
export const DependentRecord = DependentFields.required({ pre_existing_conditions: true }).extend({
  dependent_id: Uuid, policyholder_id: Uuid, gender: z.enum(['male', 'female', 'other']).nullable(),
  covered_from: IsoDate.nullable(), status: z.enum(['active', 'removed']), created_at: Stamp,
});
export type DependentRecord = z.infer<typeof DependentRecord>;
export const DependentPage = z.object({ data: z.array(DependentRecord), next_cursor: z.string().nullable() });
export const PolicyholderParams = z.object({ policyholder_id: Uuid });

const Usage = z.object({ limit: z.number(), used: z.number(), left: z.number() });
export const LimitsQuery = z.object({ as_of: IsoDate.optional() }).strict();
export const LimitsRecord = z.object({
  policyholder_id: Uuid,
  policy_id: Uuid.nullable(),
  policy_terms_id: z.string(),
  policy_terms_version: z.number().int(),
  policy_year: z.object({ start: IsoDate, end: IsoDate }),
  family: Usage,
  members: z.array(z.object({
    member_id: Uuid, dependent_id: Uuid.nullable(), name: z.string(), relationship: z.string(),
    annual: Usage, categories: z.record(z.string(), Usage),
  })),
});
export type LimitsRecord = z.infer<typeof LimitsRecord>;

export const ClaimFormatQuery = z.object({
  format: z.enum(['json', 'fhir']).optional().describe('fhir: answer as a FHIR R4 ClaimResponse'),
}).strict();
export const FhirClaimResponse = z.looseObject({
  resourceType: z.literal('ClaimResponse'), id: Uuid, outcome: z.enum(['queued', 'complete', 'error', 'partial']),
}).describe('A FHIR R4 ClaimResponse');

export const BacktestBody = z.object({
  terms: PutPolicyTermsBody.describe('The draft terms (the code in the path is theirs)'),
  limit: z.number().int().min(1).max(10000).default(200).describe('How many of the most recent claims to try'),
}).strict();
export type BacktestBody = z.infer<typeof BacktestBody>;
const Outcome = z.object({ decision: z.enum(DECISION_KINDS), recommended_amount: z.number() });
export const BacktestResult = z.object({
  policy_terms_id: z.string(),
  claims_considered: z.number().int(),
  unchanged: z.number().int(),
  recommended_total_before: z.number(),
  recommended_total_after: z.number(),
  changed: z.array(z.object({ claim_id: Uuid, claim_number: z.string(), before: Outcome,
    after: Outcome.extend({ rejection_reasons: z.array(z.string()) }) })),
});
export type BacktestResult = z.infer<typeof BacktestResult>;
export const BACKTEST_STATUSES = ['queued', 'running', 'completed', 'failed'] as const;
export const BacktestRun = z.object({
  backtest_id: Uuid,
  policy_terms_id: z.string(),
  status: z.enum(BACKTEST_STATUSES).describe('queued, running, completed (report ready) or failed (after its last retry; see last_error)'),
  limit: z.number().int(),
  attempts: z.number().int().describe('Runs started so far (a retry after a failure or a restart adds one)'),
  last_error: z.string().nullable(),
  requested_by: Uuid.nullable(),
  created_at: Stamp,
  started_at: Stamp.nullable(),
  finished_at: Stamp.nullable(),
  report: BacktestResult.nullable().describe('What would change; null until the run has completed'),
});
export type BacktestRun = z.infer<typeof BacktestRun>;
export const BacktestParams = z.object({ policy_terms_id: PolicyTermsCode, backtest_id: Uuid });
