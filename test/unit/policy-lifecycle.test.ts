import { expect } from 'chai';
import {
  isLegalMove, LEGAL_MOVES, POLICY_STATUSES, refusalOfMove, refusalOfPayment, statusAfterPayment, type PolicyFacts,
  type PolicyStatus,
} from '../../src/policies/lifecycle.js';

// The spec of the lifecycle, one row per legal move; every pair not listed is illegal.
const LEGAL: [PolicyStatus, PolicyStatus][] = [
  ['draft', 'pending_approval'], ['draft', 'cancelled'],
  ['pending_approval', 'under_review'], ['pending_approval', 'approved'], ['pending_approval', 'draft'],
  ['pending_approval', 'cancelled'],
  ['under_review', 'approved'], ['under_review', 'draft'], ['under_review', 'cancelled'],
  ['approved', 'active'], ['approved', 'cancelled'],
  ['active', 'lapsed'], ['active', 'surrendered'], ['active', 'matured'], ['active', 'claimed'], ['active', 'cancelled'],
  ['lapsed', 'active'], ['lapsed', 'surrendered'], ['lapsed', 'cancelled'],
];

const TODAY = '2026-12-01';

/** A policy whose dates allow every legal move on TODAY: overdue past grace, within revival, matured. */
function facts(status: PolicyStatus, overrides: Partial<PolicyFacts> = {}): PolicyFacts {
  return {
    status, next_payment_date: '2026-10-01', grace_period_days: 30, revival_period_months: 60,
    maturity_date: '2026-11-01', ...overrides,
  };
}

describe('policy lifecycle: every pair of statuses', () => {
  for (const from of POLICY_STATUSES) {
    for (const to of POLICY_STATUSES) {
      const legal = LEGAL.some(([a, b]) => a === from && b === to);
      it(`${from} -> ${to} is ${legal ? 'legal' : 'illegal'}`, () => {
        expect(isLegalMove(from, to)).to.equal(legal);
        const refusal = refusalOfMove(facts(from, from === 'lapsed' ? { next_payment_date: TODAY } : {}), to, TODAY);
        if (legal) expect(refusal).to.equal(undefined);
        else expect(refusal?.code).to.equal('policy.illegal_transition');
      });
    }
  }

  it('lists exactly the legal moves of the table above', () => {
    const listed = Object.entries(LEGAL_MOVES).flatMap(([from, tos]) => tos.map((to) => `${from}->${to}`));
    expect(listed.sort()).to.deep.equal(LEGAL.map(([a, b]) => `${a}->${b}`).sort());
  });

  it('names the moves that are possible in the refusal', () => {
    expect(refusalOfMove(facts('draft'), 'active', TODAY)?.message).to.contain('pending_approval, cancelled');
    expect(refusalOfMove(facts('matured'), 'active', TODAY)?.message).to.contain('final');
    expect(refusalOfMove(facts('active'), 'draft', TODAY)?.message).to.match(/^An active policy cannot become draft;/);
    expect(refusalOfMove(facts('under_review'), 'active', TODAY)?.message).to.match(/^An under_review policy/);
    expect(refusalOfPayment(facts('under_review'), TODAY)?.message).to.equal('An under_review policy takes no premium payments.');
  });
});

describe('policy lifecycle: moves that depend on dates', () => {
  const cases: { name: string; policy: PolicyFacts; to: PolicyStatus; code: string | undefined }[] = [
    { name: 'lapse on the last day of grace', policy: facts('active', { next_payment_date: '2026-11-01' }), to: 'lapsed',
      code: 'policy.not_overdue' },
    { name: 'lapse the day after grace', policy: facts('active', { next_payment_date: '2026-10-31' }), to: 'lapsed',
      code: undefined },
    { name: 'lapse of a paid-up policy', policy: facts('active', { next_payment_date: null }), to: 'lapsed',
      code: 'policy.not_overdue' },
    { name: 'mature before the maturity date', policy: facts('active', { maturity_date: '2026-12-02' }), to: 'matured',
      code: 'policy.not_matured' },
    { name: 'mature on the maturity date', policy: facts('active', { maturity_date: TODAY }), to: 'matured', code: undefined },
    { name: 'revive with arrears past grace', policy: facts('lapsed', { next_payment_date: '2026-10-01' }), to: 'active',
      code: 'policy.premium_overdue' },
    { name: 'revive once arrears are paid', policy: facts('lapsed', { next_payment_date: '2026-11-15' }), to: 'active',
      code: undefined },
    { name: 'revive after the window', policy: facts('lapsed', { next_payment_date: '2021-11-30' }), to: 'active',
      code: 'policy.revival_window_closed' },
  ];
  for (const { name, policy, to, code } of cases) {
    it(`${name}: ${code ?? 'allowed'}`, () => expect(refusalOfMove(policy, to, TODAY)?.code).to.equal(code));
  }
});

describe('premium payments and the lifecycle', () => {
  const cases: { name: string; policy: PolicyFacts; paidOn: string; code: string | undefined }[] = [
    { name: 'draft', policy: facts('draft'), paidOn: TODAY, code: 'payment.policy_not_payable' },
    { name: 'cancelled', policy: facts('cancelled'), paidOn: TODAY, code: 'payment.policy_not_payable' },
    { name: 'approved', policy: facts('approved'), paidOn: TODAY, code: undefined },
    { name: 'active', policy: facts('active'), paidOn: TODAY, code: undefined },
    { name: 'paid up', policy: facts('active', { next_payment_date: null }), paidOn: TODAY, code: 'payment.nothing_due' },
    { name: 'lapsed within the window', policy: facts('lapsed', { next_payment_date: '2021-12-01' }), paidOn: TODAY,
      code: undefined },
    { name: 'lapsed after the window', policy: facts('lapsed', { next_payment_date: '2021-11-30' }), paidOn: TODAY,
      code: 'policy.revival_window_closed' },
  ];
  for (const { name, policy, paidOn, code } of cases) {
    it(`a payment on a ${name} policy: ${code ?? 'taken'}`, () => expect(refusalOfPayment(policy, paidOn)?.code).to.equal(code));
  }

  it('the first premium activates an approved policy', () => {
    expect(statusAfterPayment(facts('approved'), '2027-01-01', TODAY)).to.equal('active');
  });

  it('a payment revives a lapsed policy only when it clears the arrears', () => {
    const lapsed = facts('lapsed', { grace_period_days: 15 });
    expect(statusAfterPayment(lapsed, '2026-11-01', TODAY)).to.equal('lapsed'); // still a premium past grace
    expect(statusAfterPayment(lapsed, '2026-11-16', TODAY)).to.equal('active'); // within grace of the next one
    expect(statusAfterPayment(lapsed, null, TODAY)).to.equal('active'); // paid up
    expect(statusAfterPayment(facts('active'), '2026-11-01', TODAY)).to.equal('active');
  });
});
