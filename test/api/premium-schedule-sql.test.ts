import { expect } from 'chai';
import { addDays } from '../../src/policies/calendar.js';
import { installmentCount, installmentsDueBy, type PremiumFrequency, type PremiumTerms } from '../../src/policies/premium-schedule.js';
import { INSTALLMENTS_DUE_SQL } from '../../src/policies/repository.js';
import { testDeps } from '../helpers/context.js';

// The dashboard and outstanding_amount count instalments in SQL; the rules count them in TypeScript. Both must agree
// on every day, month ends and leap years included.
describe('premium schedule: the SQL count of instalments due agrees with the rules', () => {
  it('for every frequency, awkward start dates and each day of two years', async () => {
    const starts = ['2024-01-31', '2024-02-29', '2023-08-31', '2024-03-30', '2024-12-15'];
    const frequencies: PremiumFrequency[] = ['monthly', 'quarterly', 'half_yearly', 'yearly', 'single'];
    const cases: { terms: PremiumTerms; asOf: string }[] = [];
    for (const start of starts) {
      for (const frequency of frequencies) {
        const terms = { start_date: start, premium_frequency: frequency, policy_term_years: 2, premium_paying_term_years: 1 };
        for (let day = -3; day < 730; day += 1) cases.push({ terms, asOf: addDays(start, day) });
      }
    }
    const rows = cases.map(({ terms, asOf }) => [terms.start_date, terms.premium_frequency, installmentCount(terms), asOf]);
    const counts: number[] = await testDeps().db.app.transaction(async (tx) => {
      const { rows: result } = await tx.raw(`
        SELECT (${INSTALLMENTS_DUE_SQL.replaceAll(':as_of', 'c.as_of')})::int AS due
          FROM jsonb_to_recordset(?::jsonb) AS c(start_date date, premium_frequency text, installments_total int, as_of date, n int)
          CROSS JOIN LATERAL (SELECT c.start_date, c.premium_frequency, c.installments_total) p
         ORDER BY c.n`, [JSON.stringify(rows.map(([start_date, premium_frequency, installments_total, as_of], n) =>
        ({ start_date, premium_frequency, installments_total, as_of, n })))]);
      return result.map((row: { due: number }) => row.due);
    });
    const mismatches = cases.filter(({ terms, asOf }, index) => installmentsDueBy(terms, asOf) !== counts[index])
      .map(({ terms, asOf }) => `${terms.start_date} ${terms.premium_frequency} ${asOf}`);
    expect(cases.length).to.be.greaterThan(18_000);
    expect(mismatches.slice(0, 10)).to.deep.equal([]);
  });
});
