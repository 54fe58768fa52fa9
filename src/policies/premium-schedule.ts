import { PREMIUM_FREQUENCIES } from '../../schemas/policies.js';
import type { Paise } from '../money.js';
import { addDays, addMonths, type IsoDate } from './calendar.js';

// The premium schedule of a policy, derived from its start date, frequency and terms: never typed in by clients.
// Instalment k (from 0) falls due k periods after the start date, counted from the start date each time, so a
// policy started on Jan 31 is due on Feb 28/29, Mar 31, Apr 30, ... (PostgreSQL's `date + interval` agrees).

export { PREMIUM_FREQUENCIES };
export type PremiumFrequency = (typeof PREMIUM_FREQUENCIES)[number];

/** Months between two instalments; a single premium has one instalment only. */
export const MONTHS_PER_INSTALLMENT: Record<PremiumFrequency, number> = {
  monthly: 1, quarterly: 3, half_yearly: 6, yearly: 12, single: 0,
};

export interface PremiumTerms {
  readonly start_date: IsoDate;
  readonly premium_frequency: PremiumFrequency;
  /** Years of cover: the policy matures (or, for health and general cover, comes up for renewal) after these. */
  readonly policy_term_years: number;
  /** Years over which premiums are paid (at most the policy term); ignored for a single premium. */
  readonly premium_paying_term_years: number;
}

/** Regulators' usual grace: 15 days for monthly premiums, 30 days otherwise; nothing to wait for on a single premium. */
export function defaultGracePeriodDays(frequency: PremiumFrequency): number {
  if (frequency === 'single') return 0;
  return frequency === 'monthly' ? 15 : 30;
}

/** LIC and most insurers let a lapsed policy be revived within five years of the first unpaid premium. */
export const DEFAULT_REVIVAL_PERIOD_MONTHS = 60;

export function installmentCount(terms: PremiumTerms): number {
  const months = MONTHS_PER_INSTALLMENT[terms.premium_frequency];
  return months === 0 ? 1 : (terms.premium_paying_term_years * 12) / months;
}

export function installmentDueDate(terms: PremiumTerms, index: number): IsoDate {
  return addMonths(terms.start_date, index * MONTHS_PER_INSTALLMENT[terms.premium_frequency]);
}

export function maturityDate(terms: PremiumTerms): IsoDate {
  return addMonths(terms.start_date, terms.policy_term_years * 12);
}

/** The due date of the first unpaid instalment, or null once every instalment is paid. */
export function nextDueDate(terms: PremiumTerms, installmentsPaid: number): IsoDate | null {
  return installmentsPaid < installmentCount(terms) ? installmentDueDate(terms, installmentsPaid) : null;
}

/**
 * The next policy anniversary on or after the next due date (the maturity date once premiums are paid up), never
 * after maturity: when a yearly renewal premium, or a health cover's renewal, is next up.
 */
export function renewalDate(terms: PremiumTerms, installmentsPaid: number): IsoDate {
  const maturity = maturityDate(terms);
  const from = nextDueDate(terms, installmentsPaid) ?? maturity;
  for (let years = 1; years < terms.policy_term_years; years += 1) {
    const anniversary = addMonths(terms.start_date, years * 12);
    if (anniversary >= from) return anniversary;
  }
  return maturity;
}

/** How many instalments have fallen due on or before `asOf` (paid or not). */
export function installmentsDueBy(terms: PremiumTerms, asOf: IsoDate): number {
  const total = installmentCount(terms);
  let due = 0;
  while (due < total && installmentDueDate(terms, due) <= asOf) due += 1;
  return due;
}

/** The last day a premium due on `dueDate` may still be paid without the policy lapsing. */
export function graceEnds(dueDate: IsoDate, gracePeriodDays: number): IsoDate {
  return addDays(dueDate, gracePeriodDays);
}

/** True when the first unpaid premium was due so long ago that its grace period is over on `asOf`. */
export function isPastGrace(nextDue: IsoDate | null, gracePeriodDays: number, asOf: IsoDate): boolean {
  return nextDue !== null && asOf > graceEnds(nextDue, gracePeriodDays);
}

/** The last day a policy that lapsed over the premium due on `firstUnpaidDue` may be revived. */
export function revivalDeadline(firstUnpaidDue: IsoDate, revivalPeriodMonths: number): IsoDate {
  return addMonths(firstUnpaidDue, revivalPeriodMonths);
}

/** Premium due and unpaid on `asOf`: instalments fallen due beyond those paid, times the premium. */
export function outstandingPremium(terms: PremiumTerms, premium: Paise, installmentsPaid: number, asOf: IsoDate): Paise {
  return Math.max(0, installmentsDueBy(terms, asOf) - installmentsPaid) * premium;
}

/** The dates a policy shows, derived from its terms and the instalments paid so far. */
export interface DerivedSchedule {
  readonly installments_total: number;
  readonly maturity_date: IsoDate;
  readonly renewal_date: IsoDate;
  readonly next_payment_date: IsoDate | null;
}

export function derivedSchedule(terms: PremiumTerms, installmentsPaid: number): DerivedSchedule {
  return {
    installments_total: installmentCount(terms),
    maturity_date: maturityDate(terms),
    renewal_date: renewalDate(terms, installmentsPaid),
    next_payment_date: nextDueDate(terms, installmentsPaid),
  };
}

/** Why terms cannot make a schedule, or undefined when they can. */
export function termsProblem(terms: PremiumTerms): { path: string; message: string } | undefined {
  if (terms.premium_frequency !== 'single' && terms.premium_paying_term_years > terms.policy_term_years) {
    return { path: 'body.premium_paying_term_years', message: 'must not exceed policy_term_years' };
  }
  // Every derived date must stay a YYYY-MM-DD date: a maturity in year 10000 or later (a five-digit year, which
  // compares wrongly as text) would be stored, PostgreSQL takes it, and then fail the schedule's own date arithmetic
  // on a later move or payment.
  if (maturityDate(terms).length > 'YYYY-MM-DD'.length) {
    return { path: 'body.start_date', message: 'plus policy_term_years must mature by 9999-12-31' };
  }
  return undefined;
}

/**
 * How many instalments an amount pays: it must be a whole number of premiums, and no more than remain unpaid.
 * Undefined otherwise (a part payment, or more than is left to pay).
 */
export function installmentsPaidBy(amount: Paise, premium: Paise, remaining: number): number | undefined {
  if (amount <= 0 || premium <= 0 || amount % premium !== 0) return undefined;
  const count = amount / premium;
  return count <= remaining ? count : undefined;
}
