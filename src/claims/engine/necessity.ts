import { DENTAL_CONTEXT_KEYWORDS, findKeyword, VISION_CONTEXT_KEYWORDS, VISION_KEYWORDS } from './keywords.js';
import { lineText, prescriptionText, rejectLine, type Rule, type RuleResult, type State } from './state.js';
import type { Line } from './types.js';

// Step 5: the diagnosis must justify what was billed. Without a clinician in the loop, the engine checks what a
// claims assessor checks first: medicines and scans were prescribed, and specialty work fits the diagnosis.
// (The engine evaluates this before the money is counted, so limits apply only to what is payable.)

const result = (refused: Line[], input: Record<string, unknown>, ok: string): RuleResult => (refused.length
  ? { outcome: 'failed', input, codes: ['NOT_MEDICALLY_NECESSARY'],
    message: refused.map((line) => `${line.description}: ${line.rejections.at(-1)?.reason}`).join('; ') }
  : { outcome: 'passed', input, message: ok });

const payable = (state: State, category: Line['category']): Line[] =>
  state.lines.filter((line) => line.category === category && line.payable > 0);

const noPrescription = (state: State): RuleResult | null => (state.input.claim.documents.prescription ? null
  : { outcome: 'skipped', input: {}, message: 'No prescription to judge against (see requiredDocumentsPresent).' });

export function medicinesPrescribed(state: State): RuleResult {
  const absent = noPrescription(state);
  if (absent) return absent;
  const prescribed = state.input.claim.documents.prescription?.medicines_prescribed ?? [];
  const lines = payable(state, 'pharmacy');
  if (!prescribed.length) for (const line of lines) rejectLine(state, line, 'NOT_MEDICALLY_NECESSARY', 'medicines billed that the prescription does not list');
  return result(prescribed.length ? [] : lines, { medicines_prescribed: prescribed }, 'Billed medicines are prescribed (or none billed).');
}

/** A scan that needs pre-authorisation must also be on the prescription. */
export function scansPrescribed(state: State): RuleResult {
  const absent = noPrescription(state);
  if (absent) return absent;
  const prescribed = (state.input.claim.documents.prescription?.tests_prescribed ?? []).join(' ; ');
  const refused = payable(state, 'diagnostic').filter((line) => {
    const test = state.terms.preAuthTests.find((candidate) => findKeyword(lineText(state, line), candidate.keywords));
    return test && !findKeyword(prescribed, test.keywords);
  });
  for (const line of refused) rejectLine(state, line, 'NOT_MEDICALLY_NECESSARY', 'a scan the prescription does not order');
  return result(refused, { tests_prescribed: prescribed }, 'Scans billed were prescribed (or none billed).');
}

/** Dental work needs a dental diagnosis or procedure; spectacles an eye finding (eye tests are routine care). */
export function specialtyFitsDiagnosis(state: State): RuleResult {
  const absent = noPrescription(state);
  if (absent) return absent;
  const text = prescriptionText(state);
  const dental = findKeyword(text, DENTAL_CONTEXT_KEYWORDS) !== undefined || state.visitCategory === 'dental';
  const eyes = findKeyword(text, VISION_CONTEXT_KEYWORDS) !== undefined || state.visitCategory === 'vision';
  const refused = [
    ...(dental ? [] : payable(state, 'dental')),
    ...(eyes ? [] : payable(state, 'vision').filter((line) => !findKeyword(line.description, VISION_KEYWORDS.eye_test))),
  ];
  for (const line of refused) rejectLine(state, line, 'NOT_MEDICALLY_NECESSARY', `no ${line.category} diagnosis on the prescription`);
  return result(refused, { prescription: text }, 'Specialty lines fit the diagnosis.');
}

export const NECESSITY_RULES: readonly Rule[] = [medicinesPrescribed, scansPrescribed, specialtyFitsDiagnosis];
