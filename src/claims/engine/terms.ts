import type { PolicyTermsDocument } from '../../../schemas/policy-terms.js';
import { toPaise, type Paise } from '../../money.js';
import {
  DEFAULT_AILMENT_KEYWORDS, DEFAULT_CATEGORY_KEYWORDS, DEFAULT_EXCLUSION_KEYWORDS, DEFAULT_PRE_AUTH_KEYWORDS, normalise,
} from './keywords.js';
import type { Category, RejectionCode } from './types.js';

// Terms as the engine reads them: amounts in paise, keyword tables resolved (the terms' own, else the defaults).

export interface Exclusion {
  readonly name: string;
  readonly code: RejectionCode;
  readonly keywords: readonly string[];
  /** Only a bill line can carry it (vitamins), never a diagnosis. */
  readonly lineOnly: boolean;
}

export interface CompiledTerms {
  readonly doc: PolicyTermsDocument;
  readonly annualLimit: Paise;
  readonly perClaimLimit: Paise;
  readonly familyFloaterLimit: Paise;
  readonly subLimits: Record<Category, Paise>;
  readonly covered: Record<Category, boolean>;
  readonly dentalRoutineLimit: Paise;
  readonly categoryKeywords: Record<Category, readonly string[]>;
  readonly exclusions: readonly Exclusion[];
  readonly ailments: readonly { name: string; days: number; keywords: readonly string[] }[];
  readonly maternity: { days: number; keywords: readonly string[] };
  readonly preAuthTests: readonly { name: string; keywords: readonly string[] }[];
  readonly minimumClaim: Paise;
  readonly manualReviewAbove: Paise;
  /** In hundredths: 70 is 0.70. */
  readonly minimumConfidence: number;
  readonly perClaimMode: 'reject' | 'cap';
  readonly specialtyCategories: readonly Category[];
  readonly sameDayClaimsFlag: number;
  readonly claimsPer30DaysFlag: number;
  readonly blacklist: readonly string[];
  readonly instantApprovalLimit: Paise;
}

const GENERIC_WORDS = /\b(treatments?|procedures?|injuries|risks)\b/g;

function exclusionCode(name: string): RejectionCode {
  const text = name.toLowerCase();
  if (text.includes('cosmetic')) return 'COSMETIC_PROCEDURE';
  if (text.includes('experimental')) return 'EXPERIMENTAL_TREATMENT';
  return 'EXCLUDED_CONDITION';
}

/** An exclusion the tables do not know is matched on its own words ('Hair fall treatment' -> 'hair fall'). */
function ownWords(name: string): string[] {
  const words = normalise(name.replace(/\(.*?\)/g, '')).replace(GENERIC_WORDS, ' ').replace(/\s+/g, ' ').trim();
  return words ? [words] : [];
}

export function compileTerms(doc: PolicyTermsDocument): CompiledTerms {
  const cover = doc.coverage_details;
  const settings = doc.adjudication ?? {};
  const exclusionKeywords = { ...DEFAULT_EXCLUSION_KEYWORDS, ...settings.exclusion_keywords };
  const ailmentKeywords = { ...DEFAULT_AILMENT_KEYWORDS, ...settings.ailment_keywords };
  const preAuthKeywords = { ...DEFAULT_PRE_AUTH_KEYWORDS, ...settings.pre_authorization_keywords };
  return {
    doc,
    annualLimit: toPaise(cover.annual_limit),
    perClaimLimit: toPaise(cover.per_claim_limit),
    familyFloaterLimit: toPaise(cover.family_floater_limit),
    subLimits: {
      consultation: toPaise(cover.consultation_fees.sub_limit), diagnostic: toPaise(cover.diagnostic_tests.sub_limit),
      pharmacy: toPaise(cover.pharmacy.sub_limit), dental: toPaise(cover.dental.sub_limit),
      vision: toPaise(cover.vision.sub_limit), alternative_medicine: toPaise(cover.alternative_medicine.sub_limit),
    },
    covered: {
      consultation: cover.consultation_fees.covered, diagnostic: cover.diagnostic_tests.covered,
      pharmacy: cover.pharmacy.covered, dental: cover.dental.covered, vision: cover.vision.covered,
      alternative_medicine: cover.alternative_medicine.covered,
    },
    dentalRoutineLimit: toPaise(cover.dental.routine_checkup_limit),
    categoryKeywords: { ...DEFAULT_CATEGORY_KEYWORDS, ...settings.category_keywords },
    exclusions: doc.exclusions.map((name) => ({
      name, code: exclusionCode(name), lineOnly: /vitamin|supplement/i.test(name),
      keywords: exclusionKeywords[name] ?? ownWords(name),
    })),
    ailments: Object.entries(doc.waiting_periods.specific_ailments).map(([name, days]) => ({
      name, days, keywords: ailmentKeywords[name] ?? [name.replace(/_/g, ' ')],
    })),
    maternity: { days: doc.waiting_periods.maternity, keywords: ailmentKeywords.maternity ?? ['maternity'] },
    preAuthTests: cover.diagnostic_tests.covered_tests
      .filter((test) => /pre-?auth/i.test(test))
      .map((test) => {
        const name = test.replace(/\(.*?\)/g, '').trim();
        return { name, keywords: preAuthKeywords[name] ?? [name] };
      }),
    minimumClaim: toPaise(doc.claim_requirements.minimum_claim_amount),
    manualReviewAbove: toPaise(settings.manual_review_above ?? 25000),
    minimumConfidence: Math.round((settings.minimum_confidence ?? 0.7) * 100),
    perClaimMode: settings.per_claim_limit_mode ?? 'reject',
    specialtyCategories: settings.specialty_categories ?? ['dental', 'vision', 'alternative_medicine'],
    sameDayClaimsFlag: settings.same_day_claims_flag ?? 2,
    claimsPer30DaysFlag: settings.claims_per_30_days_flag ?? 4,
    blacklist: settings.blacklisted_providers ?? [],
    instantApprovalLimit: toPaise(doc.cashless_facilities.instant_approval_limit),
  };
}
