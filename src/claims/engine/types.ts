import type { Paise } from '../../money.js';
import type { PolicyTermsDocument } from '../../../schemas/policy-terms.js';

// The engine's input and output. Pure data: dates are 'YYYY-MM-DD' strings, money is integer paise.

export type IsoDate = string;
export const CATEGORIES = ['consultation', 'diagnostic', 'pharmacy', 'dental', 'vision', 'alternative_medicine'] as const;
export type Category = (typeof CATEGORIES)[number];

export const REJECTION_CODES = [
  'POLICY_INACTIVE', 'WAITING_PERIOD', 'MEMBER_NOT_COVERED',
  'MISSING_DOCUMENTS', 'ILLEGIBLE_DOCUMENTS', 'INVALID_PRESCRIPTION', 'DOCTOR_REG_INVALID', 'DATE_MISMATCH',
  'PATIENT_MISMATCH',
  'SERVICE_NOT_COVERED', 'EXCLUDED_CONDITION', 'PRE_AUTH_MISSING',
  'ANNUAL_LIMIT_EXCEEDED', 'SUB_LIMIT_EXCEEDED', 'PER_CLAIM_EXCEEDED',
  'NOT_MEDICALLY_NECESSARY', 'EXPERIMENTAL_TREATMENT', 'COSMETIC_PROCEDURE',
  'LATE_SUBMISSION', 'DUPLICATE_CLAIM', 'BELOW_MIN_AMOUNT',
] as const;
export type RejectionCode = (typeof REJECTION_CODES)[number];

export const FRAUD_FLAGS = [
  'MULTIPLE_CLAIMS_SAME_DAY', 'SAME_PROVIDER_SAME_DAY', 'HIGH_CLAIM_FREQUENCY', 'DUPLICATE_BILL',
  'DIAGNOSIS_PATIENT_MISMATCH', 'SUSPECTED_ALTERATION', 'PROVIDER_BLACKLISTED',
] as const;
export type FraudFlagCode = (typeof FRAUD_FLAGS)[number];

export const DECISIONS = ['APPROVED', 'REJECTED', 'PARTIAL', 'MANUAL_REVIEW'] as const;
export type DecisionKind = (typeof DECISIONS)[number];

export interface DocumentQuality {
  /** false when a person or the OCR service could not read it. */
  readonly legible?: boolean;
  /** 0..1 from an OCR service. */
  readonly quality_score?: number;
  /** true when the OCR service saw signs of editing. */
  readonly altered?: boolean;
  readonly date?: IsoDate;
  readonly patient_name?: string;
  readonly patient_age?: number;
}

export interface Prescription extends DocumentQuality {
  readonly doctor_name?: string;
  readonly doctor_reg?: string;
  readonly diagnosis?: string;
  readonly medicines_prescribed?: readonly string[];
  readonly tests_prescribed?: readonly string[];
  readonly procedures?: readonly string[];
  readonly treatment?: string;
}

export interface BillItem {
  readonly description: string;
  readonly amount: Paise;
  readonly category?: Category;
  readonly branded?: boolean;
}

export interface Bill extends DocumentQuality {
  readonly items: readonly BillItem[];
  /** Free-text details read off the bill (test names), used to classify its lines. */
  readonly details?: readonly string[];
  readonly bill_number?: string;
}

export interface TestReport extends DocumentQuality {
  readonly test_name?: string;
}

export interface ClaimDocuments {
  readonly prescription?: Prescription;
  readonly bill?: Bill;
  readonly test_reports?: readonly TestReport[];
}

export interface ClaimToAdjudicate {
  readonly treatment_date: IsoDate;
  readonly submission_date: IsoDate;
  readonly claimed_amount: Paise;
  readonly hospital?: string;
  readonly cashless_request?: boolean;
  readonly pre_authorization_id?: string;
  readonly previous_claims_same_day?: number;
  readonly documents: ClaimDocuments;
}

export interface Member {
  readonly member_id: string;
  readonly name: string;
  readonly relationship: 'self' | 'spouse' | 'child' | 'parent' | 'other';
  readonly date_of_birth?: IsoDate;
  readonly gender?: 'male' | 'female' | 'other';
  readonly pre_existing_conditions: readonly string[];
  /** The day this member joined the cover, when later than the policy's start (a dependent added later). */
  readonly covered_from?: IsoDate;
  /** false when the member record is missing or removed from the cover. */
  readonly covered: boolean;
}

/** The member's health policy: its start starts the waiting periods and the policy years. */
export interface Cover {
  readonly status: 'active' | 'inactive' | 'lapsed' | 'cancelled' | 'suspended' | 'expired';
  readonly start_date: IsoDate;
  readonly end_date?: IsoDate;
}

/** A claim of the same family already decided (or awaiting review), as the limits and fraud rules need it. */
export interface PastClaim {
  readonly claim_id: string;
  readonly member_id: string;
  readonly treatment_date: IsoDate;
  readonly decision: DecisionKind;
  readonly claimed_amount: Paise;
  /** What was finally approved (0 unless approved or partly approved). */
  readonly approved_amount: Paise;
  readonly approved_by_category: Partial<Record<Category | 'dental_routine', Paise>>;
  readonly hospital?: string;
  readonly bill_number?: string;
  /** Sorted line amounts of its bill, to recognise the same bill again. */
  readonly bill_fingerprint?: string;
}

export interface AdjudicationInput {
  readonly terms: PolicyTermsDocument;
  readonly member: Member;
  readonly cover: Cover | null;
  readonly history: readonly PastClaim[];
  readonly claim: ClaimToAdjudicate;
}

export interface Line {
  readonly index: number;
  readonly description: string;
  readonly billed: Paise;
  readonly branded: boolean;
  category: Category | null;
  /** How the category was found: 'explicit' | 'key' | 'keyword' | 'context' | 'none'. */
  classified_by: 'explicit' | 'keyword' | 'context' | 'none';
  dental_routine: boolean;
  rejections: { code: RejectionCode; reason: string }[];
  payable: Paise;
}

export type StepName = 'eligibility' | 'documents' | 'coverage' | 'medical_necessity' | 'process' | 'limits'
  | 'fraud' | 'decision';

export interface TrailEntry {
  readonly step: StepName;
  readonly rule: string;
  readonly outcome: 'passed' | 'failed' | 'adjusted' | 'flagged' | 'skipped' | 'info';
  readonly input: Record<string, unknown>;
  readonly message: string;
  readonly codes: readonly string[];
  readonly amount_before: Paise;
  readonly amount_after: Paise;
}

export interface FraudFlag {
  readonly code: FraudFlagCode;
  readonly description: string;
}

export interface RejectedItem {
  readonly description: string;
  readonly amount: Paise;
  readonly reason_code: RejectionCode;
  readonly reason: string;
}

export interface Deductions {
  readonly copay: Paise;
  readonly branded_drug_copay: Paise;
  readonly network_discount: Paise;
  readonly excluded_items: Paise;
  readonly sub_limit: Paise;
  readonly per_claim_limit: Paise;
  readonly annual_limit: Paise;
  readonly unbilled: Paise;
  /** What a claim-level rejection withheld: claimed = approved (or recommended) + every deduction. */
  readonly rejected: Paise;
}

export interface Decision {
  readonly decision: DecisionKind;
  readonly approved_amount: Paise;
  readonly claimed_amount: Paise;
  /** What the engine would approve; for MANUAL_REVIEW the reviewer's starting point, otherwise approved_amount. */
  readonly recommended_decision: Exclude<DecisionKind, 'MANUAL_REVIEW'>;
  readonly recommended_amount: Paise;
  readonly deductions: Deductions;
  readonly rejection_reasons: readonly RejectionCode[];
  readonly rejected_items: readonly RejectedItem[];
  readonly fraud_flags: readonly FraudFlag[];
  readonly manual_review_reasons: readonly string[];
  readonly confidence_score: number;
  readonly confidence_factors: readonly { readonly factor: string; readonly penalty: number }[];
  readonly category_amounts: Partial<Record<Category | 'dental_routine', Paise>>;
  readonly network_provider: boolean;
  readonly cashless_approved: boolean;
  readonly eligible_from?: IsoDate;
  readonly policy_year: { readonly start: IsoDate; readonly end: IsoDate } | null;
  readonly notes: string;
  readonly next_steps: string;
  readonly trail: readonly TrailEntry[];
}
