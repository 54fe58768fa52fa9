import { percentOf, type Paise } from '../../money.js';
import { policyYear } from './dates.js';
import { normalise } from './keywords.js';
import { passed, payableTotal, reduceLines, rejectClaim, rupeesText, skipped, type Rule, type RuleResult, type State } from './state.js';
import type { Category, Line, PastClaim, RejectionCode } from './types.js';

// Step 4, the money. Every limit counts what the insurer pays (after co-pay and discount), the same currency the
// approved history is kept in, so "used" and "left" always add up. Order: network discount, co-pays, sub-limits,
// per-claim limit, the member's annual limit, the family floater. Percentages round half up to the paisa per line.

const GENERAL: readonly Category[] = ['consultation', 'diagnostic', 'pharmacy'];

function noteReduction(state: State, code: RejectionCode, reason: string): void {
  state.limitReductions.push({ code, reason });
}

/** A hospital is in the network when it names a network hospital, or its brand (first word: 'Apollo Clinic'). */
export function matchNetworkHospital(hospital: string | undefined, network: readonly string[]): { name: string; by: 'name' | 'brand' } | null {
  if (!hospital?.trim()) return null;
  const text = normalise(hospital);
  const byName = network.find((name) => text.includes(normalise(name)));
  if (byName) return { name: byName, by: 'name' };
  const byBrand = network.find((name) => {
    const brand = normalise(name).trim().split(' ')[0] ?? '';
    return brand.length >= 3 && text.trim().split(' ')[0] === brand;
  });
  return byBrand ? { name: byBrand, by: 'brand' } : null;
}

export function networkProvider(state: State): RuleResult {
  const { hospital } = state.input.claim;
  const match = matchNetworkHospital(hospital, state.terms.doc.network_hospitals);
  state.network = match !== null;
  if (match?.by === 'brand') state.penalties.push({ factor: `hospital matched to the network by brand only (${match.name})`, penalty: 5 });
  return { outcome: 'info', input: { hospital: hospital ?? null, network_match: match?.name ?? null },
    message: match ? `${hospital} is a network hospital (${match.name}).` : 'Not a network hospital: standard reimbursement.' };
}

function percentPerLine(state: State, lines: Line[], percent: number, bucket: 'network_discount' | 'copay' | 'branded_drug_copay'): Paise {
  let total = 0;
  for (const line of lines) {
    const cut = percentOf(line.payable, percent);
    line.payable -= cut;
    total += cut;
  }
  state.deductions[bucket] += total;
  return total;
}

export function networkDiscount(state: State): RuleResult {
  const percent = state.terms.doc.coverage_details.consultation_fees.network_discount;
  if (!state.network) return skipped('No network discount outside the network.', { network_discount_percent: percent });
  const total = percentPerLine(state, state.lines.filter((line) => line.payable > 0), percent, 'network_discount');
  return { outcome: total ? 'adjusted' : 'passed', input: { network_discount_percent: percent },
    message: `Network rate: ${percent}% off every payable line, ${rupeesText(total)}.` };
}

/**
 * The co-pay listed under consultation fees applies to general OPD treatment (consultations and the tests and
 * medicines that go with them) at non-network providers; network treatment gets the network rate instead.
 * Branded medicines take the branded-drug co-pay in its place.
 */
export function coPayment(state: State): RuleResult {
  const percent = state.terms.doc.coverage_details.consultation_fees.copay_percentage;
  const input = { copay_percent: percent, network: state.network };
  if (state.network) return skipped('Co-pay is waived at network providers.', input);
  const lines = state.lines.filter((line) => line.payable > 0 && line.category && GENERAL.includes(line.category)
    && !(line.category === 'pharmacy' && line.branded));
  const total = percentPerLine(state, lines, percent, 'copay');
  return { outcome: total ? 'adjusted' : 'passed', input, message: `Co-pay ${percent}% on general OPD lines: ${rupeesText(total)}.` };
}

export function brandedDrugCoPayment(state: State): RuleResult {
  const pharmacy = state.terms.doc.coverage_details.pharmacy;
  const lines = state.lines.filter((line) => line.payable > 0 && line.category === 'pharmacy' && line.branded);
  const input = { generic_drugs_mandatory: pharmacy.generic_drugs_mandatory, branded_drugs_copay: pharmacy.branded_drugs_copay };
  if (!pharmacy.generic_drugs_mandatory || !lines.length) return passed('No branded medicines to co-pay.', input);
  const total = percentPerLine(state, lines, pharmacy.branded_drugs_copay, 'branded_drug_copay');
  return { outcome: 'adjusted', input, message: `Branded medicines: ${pharmacy.branded_drugs_copay}% co-pay, ${rupeesText(total)}.` };
}

function yearOf(state: State): { start: string; end: string } {
  if (!state.policyYear) {
    const start = state.input.cover?.start_date;
    const treatment = state.input.claim.treatment_date;
    state.policyYear = start && start <= treatment ? policyYear(start, treatment)
      : { start: `${treatment.slice(0, 4)}-01-01`, end: `${Number(treatment.slice(0, 4)) + 1}-01-01` };
  }
  return state.policyYear;
}

/** Approved claims of the policy year (claims awaiting review count only once a reviewer approves them). */
function approvedThisYear(state: State, memberOnly: boolean): PastClaim[] {
  const year = yearOf(state);
  return state.input.history.filter((past) => (past.decision === 'APPROVED' || past.decision === 'PARTIAL')
    && past.treatment_date >= year.start && past.treatment_date < year.end
    && (!memberOnly || past.member_id === state.input.member.member_id));
}

export function usedByCategory(past: readonly PastClaim[], key: Category | 'dental_routine'): Paise {
  return past.reduce((sum, claim) => sum + (claim.approved_by_category[key] ?? 0), 0);
}

function capLines(state: State, lines: Line[], remaining: Paise): Paise {
  const payable = lines.reduce((sum, line) => sum + line.payable, 0);
  if (payable <= remaining) return 0;
  const set = new Set(lines);
  return reduceLines(state, payable - remaining, 'sub_limit', (line) => set.has(line));
}

export function subLimits(state: State): RuleResult {
  const past = approvedThisYear(state, true);
  const rows: Record<string, unknown>[] = [];
  const dentalRoutine = state.lines.filter((line) => line.category === 'dental' && line.dental_routine && line.payable > 0);
  if (dentalRoutine.length) {
    const left = Math.max(0, state.terms.dentalRoutineLimit - usedByCategory(past, 'dental_routine'));
    const cut = capLines(state, dentalRoutine, left);
    rows.push({ category: 'dental_routine', limit: state.terms.dentalRoutineLimit, left_before: left, cut });
    if (cut) noteReduction(state, 'SUB_LIMIT_EXCEEDED', `dental check-up limit ${rupeesText(state.terms.dentalRoutineLimit)} reached`);
  }
  for (const category of Object.keys(state.terms.subLimits) as Category[]) {
    const lines = state.lines.filter((line) => line.category === category && line.payable > 0);
    if (!lines.length) continue;
    const limit = state.terms.subLimits[category];
    const left = Math.max(0, limit - usedByCategory(past, category));
    const cut = capLines(state, lines, left);
    rows.push({ category, limit, used: limit - left, left_before: left, cut });
    if (cut) noteReduction(state, 'SUB_LIMIT_EXCEEDED', `${category.replace('_', ' ')} sub-limit ${rupeesText(limit)} (${rupeesText(left)} was left)`);
  }
  const cuts = rows.reduce((sum, row) => sum + (row.cut as number), 0);
  return { outcome: cuts ? 'adjusted' : 'passed', input: { policy_year: yearOf(state), categories: rows },
    codes: cuts ? ['SUB_LIMIT_EXCEEDED'] : [], message: cuts ? `Sub-limits cut ${rupeesText(cuts)}.` : 'Within every sub-limit.' };
}

/**
 * The per-claim limit bounds a general OPD claim. A dental, vision or alternative-medicine visit is bounded by
 * its own sub-limit where that is higher (PLUM_OPD_2024: a Rs 8,000 root canal under the Rs 10,000 dental
 * sub-limit), otherwise those sub-limits could never be reached. Over the limit: REJECTED (the rules' "a single
 * claim cannot exceed"), or capped when the terms say per_claim_limit_mode 'cap'.
 */
export function perClaimLimit(state: State): RuleResult {
  const visit = state.visitCategory;
  const specialty = visit && state.terms.specialtyCategories.includes(visit) ? visit : null;
  const ceiling = specialty ? Math.max(state.terms.perClaimLimit, state.terms.subLimits[specialty]) : state.terms.perClaimLimit;
  const payable = payableTotal(state);
  const input = { payable, per_claim_limit: state.terms.perClaimLimit, ceiling, visit: specialty ?? 'general', mode: state.terms.perClaimMode };
  if (payable <= ceiling) return passed(`${rupeesText(payable)} is within the per-claim limit ${rupeesText(ceiling)}.`, input);
  if (state.terms.perClaimMode === 'cap') {
    reduceLines(state, payable - ceiling, 'per_claim_limit');
    noteReduction(state, 'PER_CLAIM_EXCEEDED', `paid up to the per-claim limit ${rupeesText(ceiling)}`);
    return { outcome: 'adjusted', input, codes: ['PER_CLAIM_EXCEEDED'], message: `Capped at the per-claim limit ${rupeesText(ceiling)}.` };
  }
  rejectClaim(state, 'PER_CLAIM_EXCEEDED', `The payable amount ${rupeesText(payable)} exceeds the per-claim limit of ${rupeesText(ceiling)}.`);
  return { outcome: 'failed', input, codes: ['PER_CLAIM_EXCEEDED'], message: `${rupeesText(payable)} exceeds the per-claim limit ${rupeesText(ceiling)}.` };
}

function capAt(state: State, used: Paise, limit: Paise, what: string): RuleResult {
  const left = Math.max(0, limit - used);
  const payable = payableTotal(state);
  const input = { policy_year: yearOf(state), limit, used, left, payable };
  if (payable <= left) return passed(`${what}: ${rupeesText(left)} left covers ${rupeesText(payable)}.`, input);
  reduceLines(state, payable - left, 'annual_limit');
  noteReduction(state, 'ANNUAL_LIMIT_EXCEEDED', left ? `${what} has ${rupeesText(left)} left` : `${what} is exhausted`);
  return { outcome: 'adjusted', input, codes: ['ANNUAL_LIMIT_EXCEEDED'],
    message: left ? `${what}: only ${rupeesText(left)} left; paid up to it.` : `${what} is exhausted.` };
}

export function annualLimit(state: State): RuleResult {
  const used = approvedThisYear(state, true).reduce((sum, past) => sum + past.approved_amount, 0);
  return capAt(state, used, state.terms.annualLimit, "The member's annual limit");
}

export function familyFloaterLimit(state: State): RuleResult {
  const used = approvedThisYear(state, false).reduce((sum, past) => sum + past.approved_amount, 0);
  return capAt(state, used, state.terms.familyFloaterLimit, "The family's floater limit");
}

export const LIMIT_RULES: readonly Rule[] = [
  networkProvider, networkDiscount, coPayment, brandedDrugCoPayment, subLimits, perClaimLimit, annualLimit, familyFloaterLimit,
];
