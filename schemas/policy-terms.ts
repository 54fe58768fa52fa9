import { z } from 'zod';
import { IsoDate, page, Rupees, Timestamp, Uuid } from './common.js';

// Policy terms as insurers write them (claims/policy_terms_PLUM_OPD_2024.json), plus an optional `adjudication`
// block: the keyword tables and thresholds the engine reads. Absent, the engine's defaults apply
// (src/claims/engine/keywords.ts), so the insurer's file is accepted exactly as it is.

export const POLICY_TERMS_CODE_PATTERN = /^[A-Z][A-Z0-9_]{1,49}$/;
export const PolicyTermsCode = z.string().trim().toUpperCase()
  .pipe(z.string().regex(POLICY_TERMS_CODE_PATTERN, 'must match ^[A-Z][A-Z0-9_]{1,49}$'));

const Percent = z.number().min(0).max(100).refine((value) => /^\d{1,3}(\.\d{1,2})?$/.test(String(value)),
  'must be a percentage with at most two decimals');
const Days = z.number().int().min(0).max(3650);
const Keywords = z.array(z.string().trim().min(1).max(100)).max(200);

const Category = { covered: z.boolean(), sub_limit: Rupees };

export const AdjudicationSettings = z.object({
  category_keywords: z.object({
    consultation: Keywords, diagnostic: Keywords, pharmacy: Keywords, dental: Keywords, vision: Keywords,
    alternative_medicine: Keywords,
  }).partial().strict().optional(),
  exclusion_keywords: z.record(z.string().max(200), Keywords).optional()
    .describe('Keywords per exclusion of `exclusions`, keyed by its text'),
  ailment_keywords: z.record(z.string().max(100), Keywords).optional()
    .describe('Keywords per specific ailment of `waiting_periods.specific_ailments`, and `maternity`'),
  pre_authorization_keywords: z.record(z.string().max(100), Keywords).optional()
    .describe('Keywords per test that needs pre-authorisation, keyed by the test name in `covered_tests`'),
  manual_review_above: Rupees.optional(),
  minimum_confidence: z.number().min(0).max(1).optional(),
  per_claim_limit_mode: z.enum(['reject', 'cap']).optional(),
  specialty_categories: z.array(z.enum(['dental', 'vision', 'alternative_medicine'])).optional(),
  same_day_claims_flag: z.number().int().min(1).max(50).optional(),
  claims_per_30_days_flag: z.number().int().min(1).max(100).optional(),
  blacklisted_providers: z.array(z.string().trim().min(1).max(200)).max(500).optional(),
}).strict();
export type AdjudicationSettings = z.infer<typeof AdjudicationSettings>;

export const PolicyTermsDocument = z.object({
  policy_id: PolicyTermsCode,
  policy_name: z.string().trim().min(1).max(200),
  effective_date: IsoDate,
  policy_holder: z.object({
    company: z.string().max(200).optional(),
    employees_covered: z.number().int().min(0).optional(),
    dependents_covered: z.boolean(),
  }).strict(),
  coverage_details: z.object({
    annual_limit: Rupees,
    per_claim_limit: Rupees,
    family_floater_limit: Rupees,
    consultation_fees: z.object({ ...Category, copay_percentage: Percent, network_discount: Percent }).strict(),
    diagnostic_tests: z.object({ ...Category, pre_authorization_required: z.boolean(),
      covered_tests: z.array(z.string().trim().min(1).max(100)).max(100) }).strict(),
    pharmacy: z.object({ ...Category, generic_drugs_mandatory: z.boolean(), branded_drugs_copay: Percent }).strict(),
    dental: z.object({ ...Category, routine_checkup_limit: Rupees,
      procedures_covered: z.array(z.string().trim().min(1).max(100)).max(100), cosmetic_procedures: z.boolean() }).strict(),
    vision: z.object({ ...Category, eye_test_covered: z.boolean(), glasses_contact_lenses: z.boolean(),
      lasik_surgery: z.boolean() }).strict(),
    alternative_medicine: z.object({ ...Category,
      covered_treatments: z.array(z.string().trim().min(1).max(100)).max(50),
      therapy_sessions_limit: z.number().int().min(0) }).strict(),
  }).strict(),
  waiting_periods: z.object({
    initial_waiting: Days,
    pre_existing_diseases: Days,
    maternity: Days,
    specific_ailments: z.record(z.string().trim().min(1).max(100), Days),
  }).strict(),
  exclusions: z.array(z.string().trim().min(1).max(200)).max(100),
  claim_requirements: z.object({
    documents_required: z.array(z.string().trim().min(1).max(200)).max(50),
    submission_timeline_days: Days,
    minimum_claim_amount: Rupees,
  }).strict(),
  network_hospitals: z.array(z.string().trim().min(1).max(200)).max(1000),
  cashless_facilities: z.object({
    available: z.boolean(), network_only: z.boolean(), pre_approval_required: z.boolean(),
    instant_approval_limit: Rupees,
  }).strict(),
  adjudication: AdjudicationSettings.optional(),
}).strict();
export type PolicyTermsDocument = z.infer<typeof PolicyTermsDocument>;

/** PUT replaces the document; the code in the path is authoritative. */
export const PutPolicyTermsBody = PolicyTermsDocument.omit({ policy_id: true }).extend({ policy_id: PolicyTermsCode.optional() });
export type PutPolicyTermsBody = z.infer<typeof PutPolicyTermsBody>;

export const PolicyTermsParams = z.object({ policy_terms_id: PolicyTermsCode });

export const PolicyTermsRecord = z.object({
  policy_terms_id: z.string().describe('The code, e.g. PLUM_OPD_2024'),
  version: z.number().int().describe('1 on creation; every PUT makes the next version'),
  version_id: Uuid.describe('This version; each claim records the version that decided it'),
  terms: PolicyTermsDocument,
  created_by: Uuid.nullable(),
  created_at: Timestamp,
});
export type PolicyTermsRecord = z.infer<typeof PolicyTermsRecord>;
export const PolicyTermsPage = page(PolicyTermsRecord);
