import { ageOn } from './dates.js';
import { normalise } from './keywords.js';
import { passed, penalise, rejectClaim, rupeesText, skipped, type Rule, type RuleResult, type State } from './state.js';
import type { DocumentQuality } from './types.js';

// Step 2: the paperwork. What was read off the documents (by a person or an OCR service) must be complete,
// legible, dated on the treatment date, about this patient, and signed by a registered doctor.

const fail = (state: State, code: 'MISSING_DOCUMENTS' | 'ILLEGIBLE_DOCUMENTS' | 'INVALID_PRESCRIPTION'
  | 'DOCTOR_REG_INVALID' | 'DATE_MISMATCH' | 'PATIENT_MISMATCH', message: string, input: Record<string, unknown>): RuleResult => {
  rejectClaim(state, code, message);
  return { outcome: 'failed', message, input, codes: [code] };
};

function documentsOf(state: State): [string, DocumentQuality][] {
  const { prescription, bill, test_reports: reports = [] } = state.input.claim.documents;
  return [
    ...(prescription ? [['prescription', prescription] as [string, DocumentQuality]] : []),
    ...(bill ? [['bill', bill] as [string, DocumentQuality]] : []),
    ...reports.map((report, index) => [`test_reports[${index}]`, report] as [string, DocumentQuality]),
  ];
}

export function requiredDocumentsPresent(state: State): RuleResult {
  const { prescription, bill } = state.input.claim.documents;
  const missing = [
    ...(prescription ? [] : ['a prescription from a registered doctor']),
    ...(bill && bill.items.length > 0 ? [] : ['the original bill with its amounts']),
  ];
  const input = { prescription: Boolean(prescription), bill_items: bill?.items.length ?? 0 };
  if (missing.length) return fail(state, 'MISSING_DOCUMENTS', `Missing: ${missing.join(' and ')}.`, input);
  return passed('A prescription and an itemised bill were submitted.', input);
}

/** Unreadable (legible false, or an OCR quality below 0.50) rejects; a doubtful quality (below 0.80) lowers confidence. */
export function documentsLegible(state: State): RuleResult {
  const documents = documentsOf(state);
  const unreadable = documents.filter(([, doc]) => doc.legible === false || (doc.quality_score ?? 1) < 0.5).map(([name]) => name);
  const doubtful = documents.filter(([, doc]) => doc.legible !== false && (doc.quality_score ?? 1) >= 0.5 && (doc.quality_score ?? 1) < 0.8);
  const input = { documents: documents.map(([name, doc]) => ({ name, legible: doc.legible ?? true, quality_score: doc.quality_score ?? null })) };
  if (unreadable.length) return fail(state, 'ILLEGIBLE_DOCUMENTS', `Not readable: ${unreadable.join(', ')}.`, input);
  for (const [name] of doubtful) penalise(state, `${name} read with low quality`, 10);
  return passed(doubtful.length ? 'Readable, some with low quality.' : 'All documents readable.', input);
}

export function prescriptionComplete(state: State): RuleResult {
  const prescription = state.input.claim.documents.prescription;
  if (!prescription) return skipped('No prescription (see requiredDocumentsPresent).');
  const missing = [
    ...(prescription.diagnosis?.trim() ? [] : ['diagnosis']),
    ...(prescription.doctor_name?.trim() ? [] : ['doctor name']),
  ];
  const input = { diagnosis: prescription.diagnosis ?? null, doctor_name: prescription.doctor_name ?? null };
  if (missing.length) return fail(state, 'INVALID_PRESCRIPTION', `The prescription has no ${missing.join(' or ')}.`, input);
  return passed('The prescription names the doctor and the diagnosis.', input);
}

const STATE_CODES = new Set(['AN', 'AP', 'AR', 'AS', 'BR', 'CH', 'CG', 'CT', 'DD', 'DL', 'DN', 'GA', 'GJ', 'HP', 'HR',
  'JH', 'JK', 'KA', 'KL', 'LA', 'LD', 'MH', 'ML', 'MN', 'MP', 'MZ', 'NL', 'OD', 'OR', 'PB', 'PY', 'RJ', 'SK', 'TN', 'TG',
  'TS', 'TR', 'UK', 'UA', 'UP', 'WB', 'MCI', 'NMC']);
/** [State Code]/[Number]/[Year], optionally behind a council prefix (AYUR/KL/2345/2019). */
export const DOCTOR_REGISTRATION = /^(?:([A-Z]{2,6})\/)?([A-Z]{2,3})\/([0-9]{3,7})\/([0-9]{4})$/;

export function doctorRegistrationValid(state: State): RuleResult {
  const prescription = state.input.claim.documents.prescription;
  if (!prescription) return skipped('No prescription (see requiredDocumentsPresent).');
  const registration = prescription.doctor_reg?.trim().toUpperCase() ?? '';
  const input = { doctor_reg: prescription.doctor_reg ?? null };
  if (!registration) return fail(state, 'DOCTOR_REG_INVALID', "The doctor's registration number is missing.", input);
  const match = DOCTOR_REGISTRATION.exec(registration);
  const year = Number(match?.[4]);
  const treatmentYear = Number(state.input.claim.treatment_date.slice(0, 4));
  if (!match || !STATE_CODES.has(match[2] as string) || year < 1947 || year > treatmentYear) {
    return fail(state, 'DOCTOR_REG_INVALID', `The doctor's registration number ${registration} is not of the form State/Number/Year.`, input);
  }
  return passed(`Registration ${registration} is well-formed (state ${match[2]}, year ${year}).`, input);
}

/** Prescription and bill carry the treatment date; test reports fall between treatment and submission. */
export function documentDatesMatch(state: State): RuleResult {
  const { treatment_date: treatment, submission_date: submission, documents } = state.input.claim;
  const input = { treatment_date: treatment, submission_date: submission, prescription_date: documents.prescription?.date ?? null,
    bill_date: documents.bill?.date ?? null, report_dates: (documents.test_reports ?? []).map((report) => report.date ?? null) };
  if (treatment > submission) return fail(state, 'DATE_MISMATCH', `The treatment date ${treatment} is after the submission date ${submission}.`, input);
  const wrong = [
    ...(documents.prescription?.date && documents.prescription.date !== treatment ? [`prescription dated ${documents.prescription.date}`] : []),
    ...(documents.bill?.date && documents.bill.date !== treatment ? [`bill dated ${documents.bill.date}`] : []),
    ...(documents.test_reports ?? []).filter((report) => report.date && (report.date < treatment || report.date > submission))
      .map((report) => `test report dated ${report.date}`),
  ];
  if (wrong.length) return fail(state, 'DATE_MISMATCH', `Documents do not match the treatment date ${treatment}: ${wrong.join(', ')}.`, input);
  return passed('Document dates agree with the treatment date.', input);
}

const HONORIFICS = /\b(mr|mrs|ms|miss|dr|shri|sri|smt|kumari|km|master|baby)\b/g;
const nameTokens = (name: string): string[] => normalise(name).replace(HONORIFICS, ' ').split(' ').filter(Boolean);

/** 'exact', 'minor' (initials, a dropped middle name, one letter off) or 'different'. */
export function compareNames(recorded: string, written: string): 'exact' | 'minor' | 'different' {
  const a = nameTokens(recorded);
  const b = nameTokens(written);
  if (a.join(' ') === b.join(' ')) return 'exact';
  const [shorter, longer] = a.length <= b.length ? [a, b] : [b, a];
  if (shorter.length === 0) return 'different';
  const close = (x: string, y: string): boolean => x === y || (x.length === 1 && y.startsWith(x))
    || (y.length === 1 && x.startsWith(y)) || (Math.min(x.length, y.length) >= 4 && oneEditApart(x, y));
  return shorter.every((token) => longer.some((other) => close(token, other))) ? 'minor' : 'different';
}

function oneEditApart(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  let j = 0;
  let edits = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) { i += 1; j += 1; continue; }
    edits += 1;
    if (edits > 1) return false;
    if (a.length > b.length) i += 1;
    else if (b.length > a.length) j += 1;
    else { i += 1; j += 1; }
  }
  return edits + (a.length - i) + (b.length - j) <= 1;
}

/** Names may vary a little (initials, spelling); ages by a year. */
export function patientDetailsMatch(state: State): RuleResult {
  const { member, claim } = state.input;
  const documents = documentsOf(state);
  const names = documents.filter(([, doc]) => doc.patient_name).map(([name, doc]) => ({ document: name, written: doc.patient_name as string,
    match: compareNames(member.name, doc.patient_name as string) }));
  const age = member.date_of_birth ? ageOn(member.date_of_birth, claim.treatment_date) : null;
  const ages = documents.filter(([, doc]) => doc.patient_age !== undefined).map(([name, doc]) => ({ document: name, written: doc.patient_age as number }));
  const input = { member_name: member.name, names, member_age: age, ages };
  if (!names.length && !ages.length) return skipped('The documents name no patient details to compare.', input);
  const wrongName = names.find((entry) => entry.match === 'different');
  if (wrongName) return fail(state, 'PATIENT_MISMATCH', `The ${wrongName.document} is for "${wrongName.written}", not ${member.name}.`, input);
  const wrongAge = age === null ? undefined : ages.find((entry) => Math.abs(entry.written - age) > 1);
  if (wrongAge) return fail(state, 'PATIENT_MISMATCH', `The ${wrongAge.document} gives age ${wrongAge.written}; the member is ${age}.`, input);
  if (names.some((entry) => entry.match === 'minor')) penalise(state, 'patient name matches with a minor variation', 5);
  return passed('Patient details match the member.', input);
}

/** The bill carries the claim: more billed than claimed pays at most the claim; claimed beyond the bill is unsupported. */
export function billSupportsClaimedAmount(state: State): RuleResult {
  const billed = state.lines.reduce((sum, line) => sum + line.billed, 0);
  const claimed = state.input.claim.claimed_amount;
  const input = { claimed_amount: claimed, bill_total: billed };
  if (!state.lines.length) return skipped('No bill lines (see requiredDocumentsPresent).', input);
  if (billed === claimed) return passed('The bill total equals the claimed amount.', input);
  penalise(state, 'bill total differs from the claimed amount', 10);
  if (billed > claimed) {
    // The member asked for less than the bill: pay at most the claim, taken off the last lines. Not a deduction:
    // nothing the member asked for is withheld.
    const cut = billed - claimed;
    let left = cut;
    for (const line of [...state.lines].reverse()) {
      const take = Math.min(line.payable, left);
      line.payable -= take;
      left -= take;
    }
    return { outcome: 'adjusted', message: `Billed ${rupeesText(billed)} but claimed ${rupeesText(claimed)}: at most the claim is paid.`, input };
  }
  state.deductions.unbilled += claimed - billed;
  return { outcome: 'adjusted', message: `${rupeesText(claimed - billed)} of the claim has no bill behind it and is not payable.`, input, codes: [] };
}

export const DOCUMENT_RULES: readonly Rule[] = [
  requiredDocumentsPresent, documentsLegible, prescriptionComplete, doctorRegistrationValid, documentDatesMatch,
  patientDetailsMatch, billSupportsClaimedAmount,
];
