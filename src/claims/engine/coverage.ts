import { classifyBillItems, determineVisitType } from './classification.js';
import {
  DEFICIENCY_KEYWORDS, DENTAL_COSMETIC_KEYWORDS, DENTAL_PROCEDURE_KEYWORDS, DENTAL_ROUTINE_KEYWORDS, findKeyword, VISION_KEYWORDS,
} from './keywords.js';
import { diagnosisText, lineText, penalise, rejectLine, type Rule, type RuleResult, type State } from './state.js';
import type { Line } from './types.js';

// Step 3: is what was billed covered? Each line on its own: a plan benefit, not excluded, pre-authorised where
// the terms ask for it. A diagnosis that is itself excluded takes every line with it (a REJECTED claim); an
// excluded line beside payable ones leaves a PARTIAL one.

const outcomeOf = (rule: string, refused: Line[], input: Record<string, unknown>, okMessage: string): RuleResult => {
  if (!refused.length) return { outcome: 'passed', message: okMessage, input };
  const codes = [...new Set(refused.flatMap((line) => line.rejections.map((rejection) => rejection.code)))];
  return { outcome: 'failed', input, codes, message: `${rule}: ${refused.map((line) => `${line.description} (${line.rejections.at(-1)?.reason})`).join('; ')}` };
};

export function serviceIsCovered(state: State): RuleResult {
  const refused: Line[] = [];
  for (const line of state.lines) {
    if (line.category && state.terms.covered[line.category]) continue;
    rejectLine(state, line, 'SERVICE_NOT_COVERED', line.category
      ? `${line.category.replace('_', ' ')} is not covered by this plan`
      : 'not an OPD benefit of this plan');
    refused.push(line);
  }
  return outcomeOf('Not covered', refused, { covered: state.terms.covered }, 'Every line is a covered benefit.');
}

const NOT_COVERED_DENTAL = ['implant', 'braces', 'orthodontic', 'crown', 'denture', 'bridge'];

/** Covered dental procedures pay; cosmetic ones never (unless the terms allow them); check-ups and cleaning count as routine. */
export function dentalProcedureCovered(state: State): RuleResult {
  const dental = state.terms.doc.coverage_details.dental;
  const covered = dental.procedures_covered.map((name) => name.toLowerCase());
  const refused: Line[] = [];
  for (const line of state.lines.filter((candidate) => candidate.category === 'dental')) {
    line.dental_routine = Boolean(findKeyword(line.description, DENTAL_ROUTINE_KEYWORDS));
    const procedure = Object.entries(DENTAL_PROCEDURE_KEYWORDS).find(([, words]) => findKeyword(line.description, words))?.[0];
    if (!dental.cosmetic_procedures && findKeyword(line.description, DENTAL_COSMETIC_KEYWORDS)) {
      rejectLine(state, line, 'COSMETIC_PROCEDURE', 'cosmetic dental procedure');
    } else if (procedure && !covered.includes(procedure)) {
      rejectLine(state, line, 'SERVICE_NOT_COVERED', `${procedure} is not a covered dental procedure`);
    } else if (!procedure && findKeyword(line.description, NOT_COVERED_DENTAL)) {
      rejectLine(state, line, 'SERVICE_NOT_COVERED', `not a covered dental procedure (covered: ${dental.procedures_covered.join(', ')})`);
    } else continue;
    refused.push(line);
  }
  return outcomeOf('Dental', refused, { procedures_covered: dental.procedures_covered, cosmetic_procedures: dental.cosmetic_procedures },
    'Dental lines are covered procedures (or there are none).');
}

export function visionItemCovered(state: State): RuleResult {
  const vision = state.terms.doc.coverage_details.vision;
  const refused: Line[] = [];
  for (const line of state.lines.filter((candidate) => candidate.category === 'vision')) {
    const text = line.description;
    if (findKeyword(text, VISION_KEYWORDS.lasik) && !vision.lasik_surgery) rejectLine(state, line, 'SERVICE_NOT_COVERED', 'LASIK surgery is not covered');
    else if (findKeyword(text, VISION_KEYWORDS.glasses) && !vision.glasses_contact_lenses) rejectLine(state, line, 'SERVICE_NOT_COVERED', 'glasses and contact lenses are not covered');
    else if (findKeyword(text, VISION_KEYWORDS.eye_test) && !vision.eye_test_covered) rejectLine(state, line, 'SERVICE_NOT_COVERED', 'eye tests are not covered');
    else continue;
    refused.push(line);
  }
  return outcomeOf('Vision', refused, { ...vision }, 'Vision lines are covered (or there are none).');
}

/** Alternative medicine pays only for the listed systems (Ayurveda, Homeopathy, Unani in PLUM_OPD_2024). */
export function alternativeSystemListed(state: State): RuleResult {
  const listed = state.terms.doc.coverage_details.alternative_medicine.covered_treatments.map((name) => name.toLowerCase());
  const altLines = state.lines.filter((line) => line.category === 'alternative_medicine');
  const system = state.alternativeSystem;
  const input = { system, covered_treatments: listed };
  if (!altLines.length) return { outcome: 'passed', message: 'No alternative-medicine lines.', input };
  if (!system) {
    penalise(state, 'alternative-medicine system not named', 10);
    return { outcome: 'passed', message: 'Alternative medicine whose system the prescription does not name.', input };
  }
  if (listed.some((name) => name.startsWith(system.slice(0, 5)))) return { outcome: 'passed', message: `${system} is a covered system.`, input };
  const exclusion = state.terms.exclusions.find((candidate) => /non-allopathic/i.test(candidate.name));
  for (const line of altLines) {
    rejectLine(state, line, exclusion ? exclusion.code : 'SERVICE_NOT_COVERED', `${system} is not a covered system (${listed.join(', ')})`);
  }
  return outcomeOf('Alternative medicine', altLines, input, '');
}

/**
 * Exclusions: one named by the diagnosis or treatment excludes every line; one named by a line (or procedure)
 * excludes that line. Vitamins and supplements are excluded line by line unless the diagnosis is a deficiency.
 */
export function exclusionsApply(state: State): RuleResult {
  const diagnosis = diagnosisText(state);
  const wholeClaim = state.terms.exclusions.filter((exclusion) => !exclusion.lineOnly && findKeyword(diagnosis, exclusion.keywords));
  const deficiency = Boolean(findKeyword(diagnosis, DEFICIENCY_KEYWORDS));
  const refused: Line[] = [];
  for (const line of state.lines) {
    const text = lineText(state, line);
    const own = state.terms.exclusions.filter((exclusion) => findKeyword(text, exclusion.keywords)
      && !(exclusion.lineOnly && (deficiency || line.category !== 'pharmacy')));
    const hits = [...wholeClaim, ...own];
    for (const exclusion of hits) rejectLine(state, line, exclusion.code, `excluded: ${exclusion.name}`);
    if (hits.length) refused.push(line);
  }
  const procedures = state.input.claim.documents.prescription?.procedures ?? [];
  const untied = procedures.filter((procedure) => state.terms.exclusions.some((exclusion) => findKeyword(procedure, exclusion.keywords))
    && !state.lines.some((line) => line.rejections.length && findKeyword(procedure, [line.description])));
  if (untied.length) {
    penalise(state, `excluded procedure not itemised on the bill: ${untied.join(', ')}`, 20);
    state.notes.push(`The prescription lists ${untied.join(', ')}, which the policy excludes, but the bill does not show it separately.`);
  }
  const input = { diagnosis, whole_claim_exclusions: wholeClaim.map((exclusion) => exclusion.name), deficiency_diagnosis: deficiency };
  return outcomeOf('Excluded', refused, input, 'Nothing billed is excluded.');
}

/** Tests the terms mark 'with pre-auth' (MRI, CT) need a pre-authorisation id on the claim. */
export function preAuthorisationObtained(state: State): RuleResult {
  const { pre_authorization_id: preAuth } = state.input.claim;
  const allDiagnostics = state.terms.doc.coverage_details.diagnostic_tests.pre_authorization_required;
  const refused: Line[] = [];
  for (const line of state.lines.filter((candidate) => candidate.category === 'diagnostic')) {
    const test = state.terms.preAuthTests.find((candidate) => findKeyword(lineText(state, line), candidate.keywords));
    if ((test || allDiagnostics) && !preAuth?.trim()) {
      rejectLine(state, line, 'PRE_AUTH_MISSING', `${test?.name ?? 'diagnostic test'} needs pre-authorisation`);
      refused.push(line);
    }
  }
  const input = { pre_authorization_id: preAuth ?? null, tests_needing_pre_auth: state.terms.preAuthTests.map((test) => test.name) };
  return outcomeOf('Pre-authorisation missing', refused, input, preAuth ? 'Pre-authorisation given where needed.' : 'No line needs pre-authorisation.');
}

export const COVERAGE_RULES: readonly Rule[] = [
  determineVisitType, classifyBillItems, serviceIsCovered, dentalProcedureCovered, visionItemCovered, alternativeSystemListed,
  exclusionsApply, preAuthorisationObtained,
];
