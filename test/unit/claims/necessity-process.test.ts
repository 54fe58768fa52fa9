import { expect } from 'chai';
import { past, run } from './builders.js';

describe('claims engine, step 5: medical necessity -> NOT_MEDICALLY_NECESSARY', () => {
  it('medicines billed that the prescription does not list', () => {
    const decision = run({ prescription: { medicines_prescribed: [] } });
    expect(decision.decision).to.equal('PARTIAL');
    expect(decision.rejection_reasons).to.deep.equal(['NOT_MEDICALLY_NECESSARY']);
    expect(decision.approved_amount).to.equal(90000);
  });
  it('an MRI the prescription does not order, even with a pre-authorisation', () => {
    const decision = run({ claim: { claimed_amount: 4000, pre_authorization_id: 'PA-1' }, prescription: { medicines_prescribed: undefined },
      bill: { mri_scan: 4000 } });
    expect(decision.rejection_reasons).to.deep.equal(['NOT_MEDICALLY_NECESSARY']);
  });
  it('dental work without a dental diagnosis', () => {
    const decision = run({ claim: { claimed_amount: 2500 }, bill: { consultation_fee: 1000, medicines: 500, tooth_filling: 1000 } });
    expect(decision.decision).to.equal('PARTIAL');
    expect(decision.rejection_reasons).to.deep.equal(['NOT_MEDICALLY_NECESSARY']);
  });
});

describe('claims engine: process checks', () => {
  it('minimumClaimAmount -> BELOW_MIN_AMOUNT: Rs 500 is processed, Rs 499.99 is not', () => {
    expect(run({ claim: { claimed_amount: 500 }, bill: { consultation_fee: 500 } }).decision).to.equal('APPROVED');
    const below = run({ claim: { claimed_amount: 499.99 }, bill: { consultation_fee: 499.99 } });
    expect(below.decision).to.equal('REJECTED');
    expect(below.rejection_reasons).to.deep.equal(['BELOW_MIN_AMOUNT']);
  });

  it('submittedInTime -> LATE_SUBMISSION: day 30 is in time, day 31 late', () => {
    expect(run({ claim: { submission_date: '2026-02-01' } }).decision).to.equal('APPROVED');
    const late = run({ claim: { submission_date: '2026-02-02' } });
    expect(late.decision).to.equal('REJECTED');
    expect(late.rejection_reasons).to.deep.equal(['LATE_SUBMISSION']);
  });

  describe('notADuplicate -> DUPLICATE_CLAIM', () => {
    const earlier = past({ claim_id: 'CLM000007', treatment_date: '2026-01-02', bill_fingerprint: '50000,100000', approved: 1350 });
    it('the same bill for the same treatment date is a duplicate', () => {
      const decision = run({ history: [earlier] });
      expect(decision.decision).to.equal('REJECTED');
      expect(decision.rejection_reasons).to.deep.equal(['DUPLICATE_CLAIM']);
      expect(decision.notes).to.include('CLM000007');
    });
    it('the same bill number for the same date is a duplicate whatever the amounts', () => {
      const decision = run({ bill: { consultation_fee: 1000, medicines: 500, bill_number: 'B-77' },
        history: [past({ treatment_date: '2026-01-02', bill_number: 'b-77', approved: 900 })] });
      expect(decision.rejection_reasons).to.include('DUPLICATE_CLAIM');
    });
    it('resubmitting after a rejection is not a duplicate', () => {
      expect(run({ history: [{ ...earlier, decision: 'REJECTED', approved_amount: 0 }] }).rejection_reasons).to.not.include('DUPLICATE_CLAIM');
    });
  });
});
