import { expect } from 'chai';
import { addDays, addMonths, businessToday, daysBetween, isIsoDate } from '../../src/policies/calendar.js';
import {
  defaultGracePeriodDays, derivedSchedule, installmentCount, installmentDueDate, installmentsDueBy, installmentsPaidBy,
  isPastGrace, outstandingPremium, revivalDeadline, termsProblem, type PremiumFrequency, type PremiumTerms,
} from '../../src/policies/premium-schedule.js';

function terms(start: string, frequency: PremiumFrequency, term = 10, payingTerm = term): PremiumTerms {
  return { start_date: start, premium_frequency: frequency, policy_term_years: term, premium_paying_term_years: payingTerm };
}

describe('calendar dates', () => {
  const months: [string, number, string][] = [
    ['2026-01-31', 1, '2026-02-28'], ['2028-01-31', 1, '2028-02-29'], ['2026-01-31', 2, '2026-03-31'],
    ['2026-01-31', 3, '2026-04-30'], ['2026-08-31', 6, '2027-02-28'], ['2026-12-15', 1, '2027-01-15'],
    ['2028-02-29', 12, '2029-02-28'], ['2026-05-31', -3, '2026-02-28'], ['2026-03-10', 0, '2026-03-10'],
  ];
  for (const [from, count, to] of months) {
    it(`${from} + ${count} months is ${to}`, () => expect(addMonths(from, count)).to.equal(to));
  }

  it('adds days across month and year ends, and counts them', () => {
    expect(addDays('2026-12-17', 15)).to.equal('2027-01-01');
    expect(addDays('2028-02-28', 1)).to.equal('2028-02-29');
    expect(daysBetween('2026-12-01', '2027-01-01')).to.equal(31);
    expect(daysBetween('2027-01-01', '2026-12-01')).to.equal(-31);
  });

  it('knows a real date from a look-alike', () => {
    for (const ok of ['2026-02-28', '2028-02-29', '1999-12-31']) expect(isIsoDate(ok), ok).to.equal(true);
    for (const bad of ['2026-02-29', '2026-13-01', '2026-04-31', '26-01-01', '2026-1-01', '2026-01-01T00:00:00Z']) {
      expect(isIsoDate(bad), bad).to.equal(false);
    }
  });

  it("takes today's date in India, not in UTC", () => {
    expect(businessToday(new Date('2026-12-01T20:00:00Z'))).to.equal('2026-12-02'); // 01:30 IST
    expect(businessToday(new Date('2026-12-01T18:00:00Z'))).to.equal('2026-12-01'); // 23:30 IST
  });
});

describe('premium schedule', () => {
  const counts: [PremiumFrequency, number, number][] = [
    ['monthly', 10, 120], ['quarterly', 10, 40], ['half_yearly', 10, 20], ['yearly', 10, 10], ['single', 10, 1],
    ['yearly', 5, 5], ['monthly', 1, 12],
  ];
  for (const [frequency, payingTerm, count] of counts) {
    it(`${frequency} over ${payingTerm} years is ${count} instalments`, () => {
      expect(installmentCount(terms('2026-01-15', frequency, 20, payingTerm))).to.equal(count);
    });
  }

  it('counts each due date from the start date, so month ends do not drift', () => {
    const monthly = terms('2026-01-31', 'monthly');
    expect([0, 1, 2, 3, 13].map((index) => installmentDueDate(monthly, index)))
      .to.deep.equal(['2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30', '2027-02-28']);
    expect(installmentDueDate(terms('2026-08-31', 'half_yearly'), 1)).to.equal('2027-02-28');
    expect(installmentDueDate(terms('2026-08-31', 'quarterly'), 2)).to.equal('2027-02-28');
  });

  const schedules: { name: string; terms: PremiumTerms; paid: number; next: string | null; renewal: string; maturity: string }[] = [
    { name: 'new monthly policy', terms: terms('2026-01-31', 'monthly', 10), paid: 0, next: '2026-01-31',
      renewal: '2027-01-31', maturity: '2036-01-31' },
    { name: 'monthly, two paid', terms: terms('2026-01-31', 'monthly', 10), paid: 2, next: '2026-03-31',
      renewal: '2027-01-31', maturity: '2036-01-31' },
    { name: 'monthly, a year paid', terms: terms('2026-01-31', 'monthly', 10), paid: 12, next: '2027-01-31',
      renewal: '2027-01-31', maturity: '2036-01-31' },
    { name: 'yearly, limited pay, all paid', terms: terms('2024-02-29', 'yearly', 10, 3), paid: 3, next: null,
      renewal: '2034-02-28', maturity: '2034-02-28' },
    { name: 'one-year health cover, paid', terms: terms('2026-04-01', 'yearly', 1), paid: 1, next: null,
      renewal: '2027-04-01', maturity: '2027-04-01' },
    { name: 'single premium, unpaid', terms: terms('2026-04-01', 'single', 5), paid: 0, next: '2026-04-01',
      renewal: '2027-04-01', maturity: '2031-04-01' },
    { name: 'single premium, paid', terms: terms('2026-04-01', 'single', 5), paid: 1, next: null,
      renewal: '2031-04-01', maturity: '2031-04-01' },
  ];
  for (const row of schedules) {
    it(`${row.name}: next ${row.next}, renewal ${row.renewal}, maturity ${row.maturity}`, () => {
      const derived = derivedSchedule(row.terms, row.paid);
      expect(derived.next_payment_date).to.equal(row.next);
      expect(derived.renewal_date).to.equal(row.renewal);
      expect(derived.maturity_date).to.equal(row.maturity);
    });
  }

  it('counts instalments fallen due and the premium outstanding', () => {
    const quarterly = terms('2026-01-31', 'quarterly', 1);
    expect(installmentsDueBy(quarterly, '2026-01-30')).to.equal(0);
    expect(installmentsDueBy(quarterly, '2026-01-31')).to.equal(1);
    expect(installmentsDueBy(quarterly, '2026-04-30')).to.equal(2);
    expect(installmentsDueBy(quarterly, '2030-01-01')).to.equal(4); // never more than the term has
    expect(outstandingPremium(quarterly, 250050, 1, '2026-08-01')).to.equal(500100); // Apr 30 and Jul 31 unpaid
    expect(outstandingPremium(quarterly, 250050, 3, '2026-08-01')).to.equal(0); // paid ahead
  });

  it('has a grace period of 15 days for monthly premiums and 30 otherwise', () => {
    expect(defaultGracePeriodDays('monthly')).to.equal(15);
    expect(defaultGracePeriodDays('quarterly')).to.equal(30);
    expect(defaultGracePeriodDays('yearly')).to.equal(30);
    expect(defaultGracePeriodDays('single')).to.equal(0);
    expect(isPastGrace('2026-11-01', 30, '2026-12-01')).to.equal(false);
    expect(isPastGrace('2026-11-01', 30, '2026-12-02')).to.equal(true);
    expect(isPastGrace(null, 0, '2099-01-01')).to.equal(false);
    expect(revivalDeadline('2026-02-28', 60)).to.equal('2031-02-28');
  });

  it('takes only whole premiums, and no more than remain', () => {
    expect(installmentsPaidBy(300000, 100000, 5)).to.equal(3);
    expect(installmentsPaidBy(150000, 100000, 5)).to.equal(undefined);
    expect(installmentsPaidBy(600000, 100000, 5)).to.equal(undefined);
    expect(installmentsPaidBy(0, 100000, 5)).to.equal(undefined);
  });

  it('refuses a paying term longer than the policy', () => {
    expect(termsProblem(terms('2026-01-01', 'yearly', 10, 12))?.path).to.equal('body.premium_paying_term_years');
    expect(termsProblem(terms('2026-01-01', 'single', 10, 12))).to.equal(undefined);
  });
});
