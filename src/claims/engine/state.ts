import { toNumeric, type Paise } from '../../money.js';
import type { CompiledTerms } from './terms.js';
import type {
  AdjudicationInput, Category, FraudFlag, FraudFlagCode, IsoDate, Line, RejectionCode, StepName, TrailEntry,
} from './types.js';

// The working state one adjudication threads through its rules. Rules are named functions of the state; the
// runner records each in the trail with the amount before and after it.

export type DeductionBucket = 'copay' | 'branded_drug_copay' | 'network_discount' | 'excluded_items' | 'sub_limit'
  | 'per_claim_limit' | 'annual_limit' | 'unbilled' | 'rejected';

export interface State {
  readonly input: AdjudicationInput;
  readonly terms: CompiledTerms;
  readonly lines: Line[];
  readonly claimRejections: { code: RejectionCode; reason: string }[];
  /** Limits that cut the amount without refusing the claim (PARTIAL). */
  readonly limitReductions: { code: RejectionCode; reason: string }[];
  readonly trail: TrailEntry[];
  readonly flags: FraudFlag[];
  readonly penalties: { factor: string; penalty: number }[];
  readonly notes: string[];
  readonly manualReviewReasons: string[];
  readonly deductions: Record<DeductionBucket, Paise>;
  visitCategory: Category | null;
  alternativeSystem: string | null;
  network: boolean;
  eligibleFrom: IsoDate | null;
  policyYear: { start: IsoDate; end: IsoDate } | null;
}

export interface RuleResult {
  readonly outcome: TrailEntry['outcome'];
  readonly message: string;
  readonly input?: Record<string, unknown>;
  readonly codes?: readonly string[];
}

export type Rule = (state: State) => RuleResult;

export const passed = (message: string, input: Record<string, unknown> = {}): RuleResult => ({ outcome: 'passed', message, input });
export const skipped = (message: string, input: Record<string, unknown> = {}): RuleResult => ({ outcome: 'skipped', message, input });

export function payableTotal(state: State): Paise {
  return state.lines.reduce((sum, line) => sum + line.payable, 0);
}

export function runRules(state: State, step: StepName, rules: readonly Rule[]): void {
  for (const rule of rules) {
    const before = payableTotal(state);
    const result = rule(state);
    state.trail.push({
      step, rule: rule.name, outcome: result.outcome, input: result.input ?? {}, message: result.message,
      codes: result.codes ?? [], amount_before: before, amount_after: payableTotal(state),
    });
  }
}

export function rejectClaim(state: State, code: RejectionCode, reason: string): void {
  if (!state.claimRejections.some((rejection) => rejection.code === code && rejection.reason === reason)) {
    state.claimRejections.push({ code, reason });
  }
}

/** Refuses a line: its payable amount goes to excluded items; a line can collect several reasons. */
export function rejectLine(state: State, line: Line, code: RejectionCode, reason: string): void {
  if (line.rejections.some((rejection) => rejection.code === code)) return;
  line.rejections.push({ code, reason });
  state.deductions.excluded_items += line.payable;
  line.payable = 0;
}

/** Takes `amount` off the payable lines (those `filter` admits), the last line first. */
export function reduceLines(state: State, amount: Paise, bucket: DeductionBucket, filter: (line: Line) => boolean = () => true): Paise {
  let left = amount;
  for (const line of [...state.lines].reverse()) {
    if (left <= 0) break;
    if (!filter(line) || line.payable <= 0) continue;
    const cut = Math.min(line.payable, left);
    line.payable -= cut;
    left -= cut;
  }
  const taken = amount - left;
  state.deductions[bucket] += taken;
  return taken;
}

export function flag(state: State, code: FraudFlagCode, description: string): void {
  if (!state.flags.some((existing) => existing.code === code)) state.flags.push({ code, description });
}

export function penalise(state: State, factor: string, penalty: number): void {
  state.penalties.push({ factor, penalty });
}

/** The prescription's clinical text: diagnosis and treatment (what a whole-claim exclusion is read from). */
export function diagnosisText(state: State): string {
  const prescription = state.input.claim.documents.prescription;
  return [prescription?.diagnosis, prescription?.treatment].filter(Boolean).join(' ; ');
}

/** Everything the prescription says: diagnosis, treatment, procedures, tests, medicines. */
export function prescriptionText(state: State): string {
  const p = state.input.claim.documents.prescription;
  return [p?.diagnosis, p?.treatment, ...(p?.procedures ?? []), ...(p?.tests_prescribed ?? []),
    ...(p?.medicines_prescribed ?? [])].filter(Boolean).join(' ; ');
}

/** A line's own text; diagnostic lines also carry the test names read off the bill. */
export function lineText(state: State, line: Line): string {
  const details = line.category === 'diagnostic' ? state.input.claim.documents.bill?.details ?? [] : [];
  return [line.description, ...details].join(' ; ');
}

/** 'Rs 1,50,000' or 'Rs 1,350.50', from the exact decimal string (Indian digit grouping). */
export function rupeesText(paise: Paise): string {
  const [whole = '0', fraction = '00'] = toNumeric(paise).split('.');
  return `Rs ${BigInt(whole).toLocaleString('en-IN')}${fraction === '00' ? '' : `.${fraction}`}`;
}
