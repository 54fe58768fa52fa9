import { readFileSync } from 'node:fs';
import { PolicyTermsDocument } from '../../../schemas/policy-terms.js';
import { toEngineClaim } from '../../../src/claims/claim-input.js';
import { adjudicate } from '../../../src/claims/engine/index.js';
import type { AdjudicationInput, Cover, Decision, Member, PastClaim } from '../../../src/claims/engine/types.js';
import type { ClaimDetailsInput } from '../../../schemas/claims.js';
import { toPaise } from '../../../src/money.js';

// A valid, plain claim (a general OPD visit, Rs 1,500, cover since 2025-01-01) that each test bends one way.

export const PLUM: PolicyTermsDocument = PolicyTermsDocument.parse(
  JSON.parse(readFileSync(new URL('../../../seeds/policy-terms/PLUM_OPD_2024.json', import.meta.url), 'utf8')));

export function terms(edit: (doc: PolicyTermsDocument) => void = () => undefined): PolicyTermsDocument {
  const copy = structuredClone(PLUM);
  edit(copy);
  return copy;
}

export const MEMBER: Member = { member_id: 'M1', name: 'Rajesh Kumar', relationship: 'self', date_of_birth: '1988-04-12',
  gender: 'male', pre_existing_conditions: [], covered: true };
export const COVER: Cover = { status: 'active', start_date: '2025-01-01' };

export function claimDetails(overrides: Partial<ClaimDetailsInput> = {}): ClaimDetailsInput {
  return {
    treatment_date: '2026-01-02', submission_date: '2026-01-05', claimed_amount: 1500,
    documents: {
      prescription: { doctor_name: 'Dr. Sharma', doctor_reg: 'KA/45678/2015', diagnosis: 'Viral fever',
        medicines_prescribed: ['Paracetamol 650mg'] },
      bill: { consultation_fee: 1000, medicines: 500 },
    },
    ...overrides,
  };
}

export interface Scenario {
  claim?: Partial<ClaimDetailsInput>;
  prescription?: Record<string, unknown> | null;
  bill?: ClaimDetailsInput['documents']['bill'] | null;
  member?: Partial<Member>;
  cover?: Partial<Cover> | null;
  history?: PastClaim[];
  terms?: PolicyTermsDocument;
}

export function inputFor(scenario: Scenario = {}): AdjudicationInput {
  const base = claimDetails(scenario.claim);
  const documents = { ...base.documents };
  if (scenario.prescription === null) delete documents.prescription;
  else if (scenario.prescription) documents.prescription = { ...documents.prescription, ...scenario.prescription };
  if (scenario.bill === null) delete documents.bill;
  else if (scenario.bill) documents.bill = scenario.bill;
  return {
    terms: scenario.terms ?? PLUM,
    member: { ...MEMBER, ...scenario.member },
    cover: scenario.cover === null ? null : { ...COVER, ...scenario.cover },
    history: scenario.history ?? [],
    claim: toEngineClaim({ ...base, documents }, '2026-01-05'),
  };
}

export const run = (scenario: Scenario = {}): Decision => adjudicate(inputFor(scenario));

export function past(overrides: Partial<PastClaim> & { approved?: number } = {}): PastClaim {
  const { approved, ...rest } = overrides;
  const amount = approved === undefined ? 0 : toPaise(approved);
  return { claim_id: 'CLM000001', member_id: 'M1', treatment_date: '2026-01-01', decision: 'APPROVED', claimed_amount: amount,
    approved_amount: amount, approved_by_category: {}, ...rest };
}

export const ruleOf = (decision: Decision, rule: string) => {
  const entry = decision.trail.find((candidate) => candidate.rule === rule);
  if (!entry) throw new Error(`no trail entry for ${rule}`);
  return entry;
};

/** claimed = approved (or recommended) + every deduction, in paise. */
export function reconciles(decision: Decision): boolean {
  const total = Object.values(decision.deductions).reduce((sum, value) => sum + value, 0);
  return decision.claimed_amount === decision.recommended_amount + total;
}
