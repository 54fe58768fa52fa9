import {
  ALTERNATIVE_SYSTEM_KEYWORDS, AYUSH_REGISTRATION_PREFIXES, BRANDED_KEYWORDS, DENTAL_CONTEXT_KEYWORDS, findKeyword,
  VISION_CONTEXT_KEYWORDS,
} from './keywords.js';
import { penalise, prescriptionText, type RuleResult, type State } from './state.js';
import { CATEGORIES, type Bill, type BillItem, type Category, type Line } from './types.js';

// Step 3 starts by deciding what each bill line is. A line's category comes from the bill (an explicit
// category), else from the keyword tables on its key or description, else from the visit it belongs to (a
// therapy line at an Ayurvedic physician's is alternative medicine). A consultation at a dentist, an eye clinic or
// an AYUSH practitioner belongs to that specialty's benefit.

/** Most specific first: 'eye consultation' is vision, 'ayurvedic medicines' alternative medicine. */
const PRIORITY: readonly Category[] = ['dental', 'vision', 'alternative_medicine', 'diagnostic', 'pharmacy', 'consultation'];
const OTHER_SYSTEMS = ['siddha', 'naturopathy', 'acupuncture', 'acupressure'];

export function linesFromBill(bill: Bill | undefined): Line[] {
  return (bill?.items ?? []).map((item: BillItem, index) => ({
    index, description: item.description, billed: item.amount, payable: item.amount,
    branded: item.branded ?? Boolean(findKeyword(item.description, BRANDED_KEYWORDS)),
    category: item.category ?? null, classified_by: item.category ? 'explicit' : 'none', dental_routine: false, rejections: [],
  }));
}

/** The kind of visit the prescription describes: an AYUSH system, dental, vision, or general (null). */
export function determineVisitType(state: State): RuleResult {
  const prescription = state.input.claim.documents.prescription;
  const text = [prescription?.diagnosis, prescription?.treatment, ...(prescription?.procedures ?? []), prescription?.doctor_name]
    .filter(Boolean).join(' ; ');
  const prefix = prescription?.doctor_reg?.trim().toUpperCase().split('/')[0] ?? '';
  const system = AYUSH_REGISTRATION_PREFIXES[prefix]
    ?? Object.entries(ALTERNATIVE_SYSTEM_KEYWORDS).find(([, words]) => findKeyword(text, words))?.[0]
    ?? findKeyword(text, OTHER_SYSTEMS) ?? null;
  state.alternativeSystem = system;
  state.visitCategory = system ? 'alternative_medicine'
    : findKeyword(text, DENTAL_CONTEXT_KEYWORDS) ? 'dental'
    : findKeyword(text, VISION_CONTEXT_KEYWORDS) ? 'vision'
    : null;
  const input = { prescription_text: text, registration_prefix: prefix || null };
  return { outcome: 'info', input, message: state.visitCategory
    ? `A ${state.visitCategory.replace('_', ' ')} visit${system ? ` (${system})` : ''}.`
    : 'A general OPD visit.' };
}

function keywordCategory(state: State, text: string): Category | null {
  return PRIORITY.find((category) => findKeyword(text, state.terms.categoryKeywords[category] ?? [])) ?? null;
}

export function classifyBillItems(state: State): RuleResult {
  const visit = state.visitCategory;
  const specialty = visit && state.terms.specialtyCategories.includes(visit) ? visit : null;
  for (const line of state.lines) {
    if (line.classified_by === 'explicit') continue;
    const found = keywordCategory(state, line.description);
    if (found && !(found === 'consultation' && specialty)) {
      line.category = found;
      line.classified_by = 'keyword';
    } else if (specialty) {
      line.category = specialty;
      line.classified_by = 'context';
      penalise(state, `"${line.description}" classified from the visit, not its own words`, 3);
    } else {
      line.category = null;
      line.classified_by = 'none';
      penalise(state, `"${line.description}" matches no benefit`, 10);
    }
  }
  const input = { lines: state.lines.map((line) => ({ description: line.description, category: line.category, classified_by: line.classified_by })),
    prescription: prescriptionText(state) };
  return { outcome: 'info', input, message: state.lines.map((line) => `${line.description}: ${line.category ?? 'no benefit'}`).join('; ') || 'No lines.' };
}

export const isCategory = (value: string): value is Category => (CATEGORIES as readonly string[]).includes(value);
