import { expect } from 'chai';
import { past, reconciles, run, ruleOf, terms } from './builders.js';

// Boundary tests on every limit, with the co-pay switched off where it would blur the edge.
const noCopay = terms((t) => { t.coverage_details.consultation_fees.copay_percentage = 0; });
const general = (consultation: number, medicines: number) => ({
  terms: noCopay, claim: { claimed_amount: Math.round((consultation + medicines) * 100) / 100 }, bill: { consultation_fee: consultation, medicines },
});

describe('claims engine, step 4: limits and money', () => {
  describe('co-pay, branded-drug co-pay and network discount', () => {
    it('10% co-pay on a general visit outside the network (Rs 1,500 -> Rs 1,350)', () => {
      const decision = run({ bill: { consultation_fee: 1000, diagnostic_tests: 500, test_names: ['CBC'] }, prescription: { tests_prescribed: ['CBC'] } });
      expect(decision.decision).to.equal('APPROVED');
      expect(decision.approved_amount).to.equal(135000);
      expect(decision.deductions.copay).to.equal(15000);
    });

    it('network hospital: 20% network discount and no co-pay; cashless approved within the instant limit', () => {
      const decision = run({ claim: { claimed_amount: 4500, hospital: 'Apollo Hospitals', cashless_request: true },
        bill: { consultation_fee: 1500, medicines: 3000 } });
      expect(decision.decision).to.equal('APPROVED');
      expect(decision.approved_amount).to.equal(360000);
      expect(decision.deductions.network_discount).to.equal(90000);
      expect(decision.deductions.copay).to.equal(0);
      expect(decision.network_provider).to.equal(true);
      expect(decision.cashless_approved).to.equal(true);
    });

    it('recognises a network hospital by its brand, with a 0.05 lower confidence', () => {
      const decision = run({ claim: { hospital: 'Fortis Memorial Research Institute, Gurugram' } });
      expect(decision.network_provider).to.equal(true);
      expect(decision.confidence_score).to.equal(0.95);
      expect(run({ claim: { hospital: 'City Clinic' } }).network_provider).to.equal(false);
    });

    it('cashless at a non-network hospital is handled as a reimbursement', () => {
      const decision = run({ claim: { hospital: 'City Clinic', cashless_request: true } });
      expect(decision.cashless_approved).to.equal(false);
      expect(decision.notes).to.include('reimbursement');
    });

    it('branded medicines take the 30% branded-drug co-pay instead of the 10%', () => {
      const decision = run({ bill: [{ description: 'Consultation', amount: 1000 }, { description: 'Branded medicines', amount: 500 }] });
      expect(decision.deductions.copay).to.equal(10000);
      expect(decision.deductions.branded_drug_copay).to.equal(15000);
      expect(decision.approved_amount).to.equal(125000);
    });
  });

  describe('sub-limits (per member and policy year), at / just under / just over', () => {
    it('consultation Rs 2,000: at the limit pays in full, a paisa over is cut to the limit (PARTIAL, SUB_LIMIT_EXCEEDED)', () => {
      expect(run(general(2000, 1000)).approved_amount).to.equal(300000);
      expect(run(general(1999.99, 1000)).decision).to.equal('APPROVED');
      const over = run(general(2000.01, 1000));
      expect(over.decision).to.equal('PARTIAL');
      expect(over.rejection_reasons).to.deep.equal(['SUB_LIMIT_EXCEEDED']);
      expect(over.approved_amount).to.equal(300000);
      expect(over.deductions.sub_limit).to.equal(1);
    });

    it('counts what earlier claims of the policy year used, and only approved ones', () => {
      const used = past({ approved: 1500, approved_by_category: { consultation: 150000 } });
      const decision = run({ ...general(1000, 500), history: [used] });
      expect(decision.approved_amount).to.equal(100000);
      expect(ruleOf(decision, 'subLimits').codes).to.deep.equal(['SUB_LIMIT_EXCEEDED']);
      const lastYear = past({ treatment_date: '2024-12-31', approved: 2000, approved_by_category: { consultation: 200000 } });
      const pending = past({ decision: 'MANUAL_REVIEW', approved: 0, approved_by_category: { consultation: 200000 } });
      expect(run({ ...general(1000, 500), history: [lastYear, pending] }).approved_amount).to.equal(150000);
    });

    it('an exhausted category alone is REJECTED with SUB_LIMIT_EXCEEDED', () => {
      const decision = run({ terms: noCopay, bill: { consultation_fee: 1500 }, history: [past({ approved: 2000, approved_by_category: { consultation: 200000 } })] });
      expect(decision.decision).to.equal('REJECTED');
      expect(decision.rejection_reasons).to.deep.equal(['SUB_LIMIT_EXCEEDED']);
    });

    it('dental check-ups and cleaning within the Rs 2,000 routine limit', () => {
      const dental = { diagnosis: 'Dental check-up, gum bleeding', medicines_prescribed: undefined };
      expect(run({ claim: { claimed_amount: 2000 }, prescription: dental, bill: { dental_cleaning: 2000 } }).decision).to.equal('APPROVED');
      const over = run({ claim: { claimed_amount: 2000.01 }, prescription: dental, bill: { dental_cleaning: 2000.01 } });
      expect(over.decision).to.equal('PARTIAL');
      expect(over.approved_amount).to.equal(200000);
      expect(over.category_amounts).to.deep.equal({ dental: 200000, dental_routine: 200000 });
    });
  });

  describe('per-claim limit Rs 5,000 (on the amount payable after co-pay), at / just under / just over', () => {
    it('at and just under pass; just over is REJECTED with PER_CLAIM_EXCEEDED', () => {
      expect(run(general(2000, 3000)).approved_amount).to.equal(500000);
      expect(run(general(2000, 2999.99)).decision).to.equal('APPROVED');
      const over = run(general(2000, 3000.01));
      expect(over.decision).to.equal('REJECTED');
      expect(over.rejection_reasons).to.deep.equal(['PER_CLAIM_EXCEEDED']);
      expect(over.approved_amount).to.equal(0);
      expect(over.next_steps).to.include('Rs 5,000');
    });

    it('with the co-pay, a Rs 7,500 general claim pays Rs 6,750 > Rs 5,000 and is rejected', () => {
      const decision = run({ claim: { claimed_amount: 7500 }, bill: { consultation_fee: 2000, medicines: 5500 } });
      expect(decision.rejection_reasons).to.deep.equal(['PER_CLAIM_EXCEEDED']);
    });

    it("per_claim_limit_mode 'cap' pays up to the limit instead (PARTIAL)", () => {
      const cap = terms((t) => { t.coverage_details.consultation_fees.copay_percentage = 0; t.adjudication = { ...t.adjudication, per_claim_limit_mode: 'cap' }; });
      const decision = run({ ...general(2000, 3000.01), terms: cap });
      expect(decision.decision).to.equal('PARTIAL');
      expect(decision.approved_amount).to.equal(500000);
      expect(decision.deductions.per_claim_limit).to.equal(1);
      expect(decision.rejection_reasons).to.deep.equal(['PER_CLAIM_EXCEEDED']);
    });

    it('a dental visit is bounded by the dental sub-limit Rs 10,000, not the per-claim limit', () => {
      const dental = { diagnosis: 'Tooth decay', procedures: ['Root canal'], medicines_prescribed: undefined };
      expect(run({ claim: { claimed_amount: 10000 }, prescription: dental, bill: { root_canal: 10000 } }).decision).to.equal('APPROVED');
      const over = run({ claim: { claimed_amount: 10000.01 }, prescription: dental, bill: { root_canal: 10000.01 } });
      expect(over.decision).to.equal('PARTIAL');
      expect(over.rejection_reasons).to.deep.equal(['SUB_LIMIT_EXCEEDED']);
      expect(over.approved_amount).to.equal(1000000);
    });
  });

  describe("the member's annual limit Rs 50,000 and the family floater Rs 1,50,000", () => {
    const usedByMember = (rupees: number) => [past({ approved: rupees })];
    it('at, just under, just over and exhausted', () => {
      expect(run({ ...general(2000, 3000), history: usedByMember(45000) }).approved_amount).to.equal(500000);
      expect(run({ ...general(2000, 3000), history: usedByMember(44999.99) }).approved_amount).to.equal(500000);
      const over = run({ ...general(2000, 3000), history: usedByMember(45000.01) });
      expect(over.decision).to.equal('PARTIAL');
      expect(over.approved_amount).to.equal(499999);
      expect(over.rejection_reasons).to.deep.equal(['ANNUAL_LIMIT_EXCEEDED']);
      const exhausted = run({ ...general(2000, 3000), history: usedByMember(50000) });
      expect(exhausted.decision).to.equal('REJECTED');
      expect(exhausted.rejection_reasons).to.deep.equal(['ANNUAL_LIMIT_EXCEEDED']);
      expect(exhausted.next_steps).to.include('renews on 2027-01-01');
    });

    it("counts the whole family's approved claims against the floater", () => {
      const family = [past({ member_id: 'M2', approved: 50000 }), past({ member_id: 'M3', approved: 50000 }), past({ member_id: 'M4', approved: 45000 })];
      expect(run({ ...general(2000, 3000), history: family }).approved_amount).to.equal(500000);
      const over = run({ ...general(2000, 3000), history: [...family, past({ member_id: 'M5', approved: 0.01 })] });
      expect(over.approved_amount).to.equal(499999);
      expect(ruleOf(over, 'familyFloaterLimit').outcome).to.equal('adjusted');
    });

    it('policy years run from the cover start, not the calendar', () => {
      const decision = run({ ...general(2000, 3000), cover: { start_date: '2025-04-01' },
        history: [past({ treatment_date: '2025-03-31', approved: 50000 })] });
      expect(decision.policy_year).to.deep.equal({ start: '2025-04-01', end: '2026-04-01' });
      expect(decision.approved_amount).to.equal(500000);
    });
  });

  describe('money is exact integer paise', () => {
    it('rounds each percentage half up to the paisa, with no floating-point drift', () => {
      const decision = run({ claim: { claimed_amount: 1234.56, hospital: 'Max Healthcare Saket' },
        bill: [{ description: 'Consultation', amount: 1234.56 }] });
      expect(decision.deductions.network_discount).to.equal(24691); // 20% of 1,23,456 paise = 24,691.2
      expect(decision.approved_amount).to.equal(98765);
      const tenths = run({ claim: { claimed_amount: 1001 }, bill: Array.from({ length: 10 }, () => ({ description: 'Consultation', amount: 100.1 })) });
      expect(tenths.deductions.copay).to.equal(10010);
      expect(tenths.approved_amount).to.equal(90090);
    });

    it('claimed = approved (or recommended) + every deduction, whatever the decision', () => {
      const scenarios = [{}, general(2000, 3000.01), { claim: { claimed_amount: 2000 } }, { member: { covered: false } },
        { claim: { claimed_amount: 2500 }, bill: { consultation_fee: 1000, medicines: 500, room_rent: 1000 } },
        { ...general(2000, 3000), history: [past({ approved: 45000.01 })] }, { claim: { previous_claims_same_day: 3 } }];
      for (const scenario of scenarios) expect(reconciles(run(scenario)), JSON.stringify(scenario)).to.equal(true);
    });
  });
});
