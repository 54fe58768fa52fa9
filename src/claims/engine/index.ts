import { linesFromBill } from './classification.js';
import { COVERAGE_RULES } from './coverage.js';
import { decide } from './decision.js';
import { DOCUMENT_RULES } from './documents.js';
import { ELIGIBILITY_RULES } from './eligibility.js';
import { FRAUD_RULES } from './fraud.js';
import { LIMIT_RULES } from './limits.js';
import { NECESSITY_RULES } from './necessity.js';
import { PROCESS_RULES } from './process.js';
import { runRules, type State } from './state.js';
import { compileTerms, type CompiledTerms } from './terms.js';
import type { AdjudicationInput, Decision } from './types.js';

// The OPD adjudication engine: a pure function from (terms, member, cover, history, claim) to an explained
// decision. No clock, no I/O, no randomness: the same input always gives the same decision and trail.
//
// Order: eligibility, documents, coverage, medical necessity, process checks, limits, fraud signals. Every rule
// runs, so the member learns every problem at once; medical necessity is judged before the money is counted
// (the rules list it fifth), so that limits apply only to what is payable.

export const RULE_ORDER = [
  ['eligibility', ELIGIBILITY_RULES], ['documents', DOCUMENT_RULES], ['coverage', COVERAGE_RULES],
  ['medical_necessity', NECESSITY_RULES], ['process', PROCESS_RULES], ['limits', LIMIT_RULES], ['fraud', FRAUD_RULES],
] as const;

export function adjudicate(input: AdjudicationInput, compiled: CompiledTerms = compileTerms(input.terms)): Decision {
  const lines = linesFromBill(input.claim.documents.bill);
  const state: State = {
    input, terms: compiled, lines, claimRejections: [], limitReductions: [], trail: [], flags: [], penalties: [], notes: [],
    manualReviewReasons: [],
    deductions: { copay: 0, branded_drug_copay: 0, network_discount: 0, excluded_items: 0, sub_limit: 0, per_claim_limit: 0,
      annual_limit: 0, unbilled: 0, rejected: 0 },
    visitCategory: null, alternativeSystem: null, network: false,
    eligibleFrom: null, policyYear: null,
  };
  for (const [step, rules] of RULE_ORDER) runRules(state, step, rules);
  return decide(state);
}

export { compileTerms } from './terms.js';
export type * from './types.js';
