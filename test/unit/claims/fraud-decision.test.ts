import { expect } from 'chai';
import { past, reconciles, run, terms } from './builders.js';

describe('claims engine: fraud signals send a payable claim to a person', () => {
  it('MULTIPLE_CLAIMS_SAME_DAY: two or more other claims that day (as declared, or on record)', () => {
    const decision = run({ claim: { previous_claims_same_day: 3 } });
    expect(decision.decision).to.equal('MANUAL_REVIEW');
    expect(decision.fraud_flags.map((f) => f.code)).to.deep.equal(['MULTIPLE_CLAIMS_SAME_DAY']);
    expect(decision.approved_amount).to.equal(0);
    expect(decision.recommended_decision).to.equal('APPROVED');
    expect(decision.recommended_amount).to.equal(135000);
    expect(run({ claim: { previous_claims_same_day: 1 } }).decision).to.equal('APPROVED');
    const recorded = [past({ claim_id: 'A', treatment_date: '2026-01-02', approved: 600 }), past({ claim_id: 'B', treatment_date: '2026-01-02', approved: 700 })];
    expect(run({ history: recorded }).fraud_flags.map((f) => f.code)).to.include('MULTIPLE_CLAIMS_SAME_DAY');
  });

  it('SAME_PROVIDER_SAME_DAY: the family claimed from this provider on this day already', () => {
    const decision = run({ claim: { hospital: 'City Clinic' }, history: [past({ member_id: 'M2', treatment_date: '2026-01-02', hospital: 'city clinic', approved: 800 })] });
    expect(decision.fraud_flags.map((f) => f.code)).to.deep.equal(['SAME_PROVIDER_SAME_DAY']);
    expect(decision.decision).to.equal('MANUAL_REVIEW');
  });

  it('HIGH_CLAIM_FREQUENCY: four claims in the 30 days before', () => {
    const history = ['2025-12-05', '2025-12-12', '2025-12-20', '2025-12-28'].map((date, i) => past({ claim_id: `C${i}`, treatment_date: date, approved: 600 }));
    expect(run({ history }).fraud_flags.map((f) => f.code)).to.deep.equal(['HIGH_CLAIM_FREQUENCY']);
    expect(run({ history: history.slice(1) }).fraud_flags).to.deep.equal([]);
  });

  it('DUPLICATE_BILL: the same bill number on a claim for another date', () => {
    const decision = run({ bill: { consultation_fee: 1000, medicines: 500, bill_number: 'INV-9' },
      history: [past({ treatment_date: '2025-12-20', bill_number: 'INV-9', approved: 1350 })] });
    expect(decision.fraud_flags.map((f) => f.code)).to.deep.equal(['DUPLICATE_BILL']);
  });

  it('DIAGNOSIS_PATIENT_MISMATCH, SUSPECTED_ALTERATION and PROVIDER_BLACKLISTED', () => {
    expect(run({ prescription: { diagnosis: 'Ovarian cyst' } }).fraud_flags.map((f) => f.code)).to.deep.equal(['DIAGNOSIS_PATIENT_MISMATCH']);
    expect(run({ prescription: { altered: true } }).fraud_flags.map((f) => f.code)).to.deep.equal(['SUSPECTED_ALTERATION']);
    const blacklist = terms((t) => { t.adjudication = { ...t.adjudication, blacklisted_providers: ['Shady Clinic'] }; });
    expect(run({ terms: blacklist, claim: { hospital: 'Shady Clinic, Pune' } }).fraud_flags.map((f) => f.code)).to.deep.equal(['PROVIDER_BLACKLISTED']);
  });

  it('a claim the rules refuse stays REJECTED, its flags on record', () => {
    const decision = run({ claim: { previous_claims_same_day: 3 }, member: { covered: false } });
    expect(decision.decision).to.equal('REJECTED');
    expect(decision.fraud_flags).to.have.length(1);
  });
});

describe('claims engine: the four decisions', () => {
  it('APPROVED: everything payable (co-pay and discount are the plan working, not a refusal)', () => {
    const decision = run();
    expect(decision.decision).to.equal('APPROVED');
    expect(decision.rejection_reasons).to.deep.equal([]);
    expect(decision.next_steps).to.include('bank account');
  });
  it('PARTIAL: some lines refused or a limit cut, something paid', () => {
    expect(run({ claim: { claimed_amount: 2500 }, bill: { consultation_fee: 1000, medicines: 500, room_rent: 1000 } }).decision).to.equal('PARTIAL');
  });
  it('REJECTED: nothing payable', () => {
    const decision = run({ claim: { submission_date: '2026-03-01' } });
    expect(decision.decision).to.equal('REJECTED');
    expect(decision.approved_amount).to.equal(0);
    expect(decision.deductions.rejected).to.equal(150000);
    expect(reconciles(decision)).to.equal(true);
  });

  describe('MANUAL_REVIEW', () => {
    const capTerms = terms((t) => { t.adjudication = { ...t.adjudication, per_claim_limit_mode: 'cap' }; });
    it('above Rs 25,000 claimed; Rs 25,000 itself is decided by the rules', () => {
      const bill = (amount: number) => ({ terms: capTerms, claim: { claimed_amount: amount }, bill: { consultation_fee: 2000, medicines: amount - 2000 } });
      expect(run(bill(25000)).decision).to.equal('PARTIAL');
      const high = run(bill(25000.01));
      expect(high.decision).to.equal('MANUAL_REVIEW');
      expect(high.manual_review_reasons[0]).to.include('high-value');
    });
    it('a high-value claim refused only by the per-claim limit goes to a person; one refused for eligibility does not', () => {
      expect(run({ claim: { claimed_amount: 30000 }, bill: { consultation_fee: 2000, medicines: 28000 } }).decision).to.equal('MANUAL_REVIEW');
      expect(run({ claim: { claimed_amount: 30000, submission_date: '2026-03-01' }, bill: { consultation_fee: 2000, medicines: 28000 } }).decision).to.equal('REJECTED');
    });
    it('confidence below 0.70; 0.70 itself is decided by the rules', () => {
      const misc = (n: number) => Array.from({ length: n }, (_, i) => ({ description: `Sundry charge ${i + 1}`, amount: 100 }));
      const atThreshold = run({ claim: { claimed_amount: 1800 }, bill: [{ description: 'Consultation', amount: 1500 }, ...misc(3)] });
      expect(atThreshold.confidence_score).to.equal(0.7);
      expect(atThreshold.decision).to.equal('PARTIAL');
      const below = run({ claim: { claimed_amount: 1800 }, prescription: { patient_name: 'R Kumar' }, bill: [{ description: 'Consultation', amount: 1500 }, ...misc(3)] });
      expect(below.confidence_score).to.equal(0.65);
      expect(below.decision).to.equal('MANUAL_REVIEW');
      expect(below.confidence_factors).to.have.length(4);
    });
  });

  it('is deterministic: the same input gives the same decision and trail', () => {
    expect(JSON.stringify(run({ claim: { previous_claims_same_day: 3 } }))).to.equal(JSON.stringify(run({ claim: { previous_claims_same_day: 3 } })));
  });

  it('the trail lists every rule, in order, each with its input and the amount before and after', () => {
    const decision = run();
    const steps = [...new Set(decision.trail.map((entry) => entry.step))];
    expect(steps).to.deep.equal(['eligibility', 'documents', 'coverage', 'medical_necessity', 'process', 'limits', 'fraud', 'decision']);
    const copay = decision.trail.find((entry) => entry.rule === 'coPayment');
    expect(copay).to.include({ outcome: 'adjusted', amount_before: 150000, amount_after: 135000 });
    expect(copay?.input).to.deep.equal({ copay_percent: 10, network: false });
  });
});
