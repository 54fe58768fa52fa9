import { expect } from 'chai';
import { compareNames } from '../../../src/claims/engine/documents.js';
import { reconciles, run, ruleOf } from './builders.js';

describe('claims engine, step 2: documents', () => {
  describe('requiredDocumentsPresent -> MISSING_DOCUMENTS', () => {
    it('rejects a claim without a prescription, saying what is missing', () => {
      const decision = run({ prescription: null });
      expect(decision.decision).to.equal('REJECTED');
      expect(decision.rejection_reasons).to.deep.equal(['MISSING_DOCUMENTS']);
      expect(decision.notes).to.include('prescription');
      expect(decision.next_steps).to.include('missing documents');
    });
    it('rejects a claim without a bill', () => {
      expect(run({ bill: null }).rejection_reasons).to.include('MISSING_DOCUMENTS');
    });
  });

  describe('documentsLegible -> ILLEGIBLE_DOCUMENTS', () => {
    it('rejects a document marked unreadable, or read with OCR quality below 0.50', () => {
      expect(run({ prescription: { legible: false } }).rejection_reasons).to.deep.equal(['ILLEGIBLE_DOCUMENTS']);
      expect(run({ bill: { consultation_fee: 1000, medicines: 500, quality_score: 0.49 } }).rejection_reasons).to.deep.equal(['ILLEGIBLE_DOCUMENTS']);
    });
    it('a doubtful quality (0.50 to 0.79) lowers confidence by 0.10 without rejecting', () => {
      const decision = run({ bill: { consultation_fee: 1000, medicines: 500, quality_score: 0.5 } });
      expect(decision.decision).to.equal('APPROVED');
      expect(decision.confidence_score).to.equal(0.9);
      expect(run({ bill: { consultation_fee: 1000, medicines: 500, quality_score: 0.8 } }).confidence_score).to.equal(1);
    });
  });

  describe('prescriptionComplete -> INVALID_PRESCRIPTION', () => {
    it('rejects a prescription without a diagnosis or without the doctor', () => {
      expect(run({ prescription: { diagnosis: undefined } }).rejection_reasons).to.include('INVALID_PRESCRIPTION');
      expect(run({ prescription: { doctor_name: undefined } }).rejection_reasons).to.include('INVALID_PRESCRIPTION');
    });
  });

  describe('doctorRegistrationValid -> DOCTOR_REG_INVALID ([State Code]/[Number]/[Year])', () => {
    for (const good of ['KA/45678/2015', 'MH/23456/2018', 'dl/34567/2016', 'AYUR/KL/2345/2019', 'TN/567/1990']) {
      it(`accepts ${good}`, () => expect(ruleOf(run({ prescription: { doctor_reg: good } }), 'doctorRegistrationValid').outcome).to.equal('passed'));
    }
    for (const bad of [undefined, '', '45678', 'KA-45678-2015', 'XX/45678/2015', 'KA/45678/2027', 'KA/45678/15', 'KA/12/2015']) {
      it(`rejects ${JSON.stringify(bad)}`, () => {
        const decision = run({ prescription: { doctor_reg: bad } });
        expect(decision.decision).to.equal('REJECTED');
        expect(decision.rejection_reasons).to.deep.equal(['DOCTOR_REG_INVALID']);
      });
    }
  });

  describe('documentDatesMatch -> DATE_MISMATCH', () => {
    it('rejects a prescription or bill dated another day', () => {
      expect(run({ prescription: { date: '2026-01-01' } }).rejection_reasons).to.deep.equal(['DATE_MISMATCH']);
      expect(run({ bill: { consultation_fee: 1000, medicines: 500, date: '2026-01-03' } }).rejection_reasons).to.deep.equal(['DATE_MISMATCH']);
    });
    it('accepts matching dates and test reports dated between treatment and submission', () => {
      const decision = run({ prescription: { date: '2026-01-02' },
        claim: { documents: { test_reports: [{ test_name: 'CBC', date: '2026-01-04' }],
          prescription: { doctor_name: 'Dr. A', doctor_reg: 'KA/45678/2015', diagnosis: 'Viral fever', medicines_prescribed: ['Paracetamol'] },
          bill: { consultation_fee: 1000, medicines: 500 } } } });
      expect(decision.decision).to.equal('APPROVED');
    });
    it('rejects a treatment date after the submission date', () => {
      expect(run({ claim: { treatment_date: '2026-01-06' } }).rejection_reasons).to.include('DATE_MISMATCH');
    });
  });

  describe('patientDetailsMatch -> PATIENT_MISMATCH (minor variations accepted)', () => {
    it('tells exact, minor and different names apart', () => {
      expect(compareNames('Rajesh Kumar', 'Mr. RAJESH KUMAR')).to.equal('exact');
      expect(compareNames('Rajesh Kumar', 'R. Kumar')).to.equal('minor');
      expect(compareNames('Rajesh Kumar Sharma', 'Rajesh Sharma')).to.equal('minor');
      expect(compareNames('Rajesh Kumar', 'Rajesh Kumaar')).to.equal('minor');
      expect(compareNames('Rajesh Kumar', 'Suresh Patil')).to.equal('different');
    });
    it('rejects documents in another name, or an age off by more than a year', () => {
      expect(run({ prescription: { patient_name: 'Suresh Patil' } }).rejection_reasons).to.deep.equal(['PATIENT_MISMATCH']);
      expect(run({ prescription: { patient_age: 40 } }).rejection_reasons).to.deep.equal(['PATIENT_MISMATCH']);
    });
    it('accepts a minor variation with a 0.05 lower confidence, and an age within a year', () => {
      const decision = run({ prescription: { patient_name: 'R Kumar', patient_age: 38 } });
      expect(decision.decision).to.equal('APPROVED');
      expect(decision.confidence_score).to.equal(0.95);
    });
  });

  describe('billSupportsClaimedAmount', () => {
    it('claimed more than billed: the unbilled part is refused as MISSING_DOCUMENTS (PARTIAL)', () => {
      const decision = run({ claim: { claimed_amount: 2000 } });
      expect(decision.decision).to.equal('PARTIAL');
      expect(decision.rejection_reasons).to.deep.equal(['MISSING_DOCUMENTS']);
      expect(decision.deductions.unbilled).to.equal(50000);
      expect(decision.approved_amount).to.equal(135000);
      expect(reconciles(decision)).to.equal(true);
    });
    it('claimed less than billed: at most the claim is paid, nothing counted as withheld', () => {
      const decision = run({ claim: { claimed_amount: 1000 } });
      expect(decision.decision).to.equal('APPROVED');
      expect(decision.approved_amount).to.equal(90000);
      expect(reconciles(decision)).to.equal(true);
    });
  });
});
