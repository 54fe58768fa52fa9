import { expect } from 'chai';
import { run, ruleOf, terms } from './builders.js';

const dentalVisit = { diagnosis: 'Tooth decay requiring root canal', procedures: ['Root canal treatment'], medicines_prescribed: undefined };

describe('claims engine, step 3: coverage', () => {
  describe('classifyBillItems: keys, descriptions, explicit categories, the visit', () => {
    it('classifies bill keys and descriptions with the keyword tables of the terms', () => {
      const decision = run({ claim: { claimed_amount: 3100 }, prescription: { tests_prescribed: ['CBC'] },
        bill: [{ description: 'Consultation fee', amount: 1000 }, { description: 'CBC blood test', amount: 600 },
          { description: 'Tablets', amount: 500 }, { description: 'Eye consultation', amount: 1000 }] });
      const lines = ruleOf(decision, 'classifyBillItems').input.lines as { category: string }[];
      expect(lines.map((line) => line.category)).to.deep.equal(['consultation', 'diagnostic', 'pharmacy', 'vision']);
    });

    it('an explicit category wins', () => {
      const decision = run({ bill: [{ description: 'Charges', amount: 1500, category: 'consultation' }] });
      expect(decision.decision).to.equal('APPROVED');
      expect(decision.category_amounts).to.deep.equal({ consultation: 135000 });
    });

    it('a line of an Ayurvedic visit is alternative medicine from the visit (therapy charges), with no co-pay', () => {
      const decision = run({ claim: { claimed_amount: 4000 },
        prescription: { doctor_name: 'Vaidya Krishnan', doctor_reg: 'AYUR/KL/2345/2019', diagnosis: 'Chronic joint pain',
          treatment: 'Panchakarma therapy', medicines_prescribed: undefined },
        bill: { consultation_fee: 1000, therapy_charges: 3000 } });
      expect(decision.decision).to.equal('APPROVED');
      expect(decision.approved_amount).to.equal(400000);
      expect(decision.category_amounts).to.deep.equal({ alternative_medicine: 400000 });
      expect(decision.confidence_score).to.equal(0.94);
    });

    it('serviceIsCovered -> SERVICE_NOT_COVERED for a line that is no benefit, the rest paid (PARTIAL)', () => {
      const decision = run({ claim: { claimed_amount: 2500 }, bill: { consultation_fee: 1000, medicines: 500, room_rent: 1000 } });
      expect(decision.decision).to.equal('PARTIAL');
      expect(decision.rejection_reasons).to.deep.equal(['SERVICE_NOT_COVERED']);
      expect(decision.rejected_items).to.deep.equal([{ description: 'Room rent', amount: 100000, reason_code: 'SERVICE_NOT_COVERED', reason: 'not an OPD benefit of this plan' }]);
      expect(decision.approved_amount).to.equal(135000);
    });

    it('SERVICE_NOT_COVERED for a category the terms do not cover', () => {
      const decision = run({ terms: terms((t) => { t.coverage_details.pharmacy.covered = false; }) });
      expect(decision.decision).to.equal('PARTIAL');
      expect(decision.rejection_reasons).to.deep.equal(['SERVICE_NOT_COVERED']);
    });
  });

  describe('exclusionsApply: per line PARTIAL, by diagnosis REJECTED', () => {
    it('COSMETIC_PROCEDURE: teeth whitening beside a root canal is refused, the root canal paid (PARTIAL)', () => {
      const decision = run({ claim: { claimed_amount: 12000 },
        prescription: { ...dentalVisit, procedures: ['Root canal treatment', 'Teeth whitening'] },
        bill: { root_canal: 8000, teeth_whitening: 4000 } });
      expect(decision.decision).to.equal('PARTIAL');
      expect(decision.approved_amount).to.equal(800000);
      expect(decision.rejection_reasons).to.deep.equal(['COSMETIC_PROCEDURE']);
      expect(decision.rejected_items[0]).to.include({ description: 'Teeth whitening', amount: 400000, reason_code: 'COSMETIC_PROCEDURE' });
      expect(decision.deductions.excluded_items).to.equal(400000);
    });

    it('EXCLUDED_CONDITION: a weight-loss diagnosis excludes every line (REJECTED)', () => {
      const decision = run({ claim: { claimed_amount: 8000 },
        prescription: { diagnosis: 'Obesity - BMI 35', treatment: 'Bariatric consultation and diet plan', medicines_prescribed: undefined },
        bill: { consultation_fee: 3000, diet_plan: 5000 } });
      expect(decision.decision).to.equal('REJECTED');
      expect(decision.rejection_reasons).to.deep.equal(['SERVICE_NOT_COVERED', 'EXCLUDED_CONDITION']);
      expect(decision.approved_amount).to.equal(0);
    });

    it('EXPERIMENTAL_TREATMENT', () => {
      const decision = run({ prescription: { treatment: 'Experimental stem cell therapy' } });
      expect(decision.decision).to.equal('REJECTED');
      expect(decision.rejection_reasons).to.deep.equal(['EXPERIMENTAL_TREATMENT']);
    });

    it('infertility, HIV, alcoholism, adventure sports and self-inflicted injuries are EXCLUDED_CONDITION', () => {
      for (const diagnosis of ['Primary infertility', 'HIV infection', 'Alcohol dependence', 'Fracture from paragliding accident',
        'Self inflicted wound']) {
        expect(run({ prescription: { diagnosis } }).rejection_reasons, diagnosis).to.deep.equal(['EXCLUDED_CONDITION']);
      }
    });

    it('whole words only: "forward" is not war, "doctor" is not CT', () => {
      const decision = run({ prescription: { diagnosis: 'Sprain while moving forward' }, bill: { doctor_consultation: 1000, medicines: 500 } });
      expect(decision.decision).to.equal('APPROVED');
    });

    it('vitamins are excluded line by line unless the diagnosis is a deficiency', () => {
      const bill = [{ description: 'Consultation', amount: 1000 }, { description: 'Vitamin D3 supplement', amount: 500, category: 'pharmacy' as const }];
      const fever = run({ bill });
      expect(fever.decision).to.equal('PARTIAL');
      expect(fever.rejection_reasons).to.deep.equal(['EXCLUDED_CONDITION']);
      const deficiency = run({ bill, prescription: { diagnosis: 'Vitamin D deficiency', medicines_prescribed: ['Vitamin D3'] } });
      expect(deficiency.decision).to.equal('APPROVED');
    });

    it('alternative medicine outside the listed systems is excluded (Non-allopathic, except listed)', () => {
      const decision = run({ prescription: { treatment: 'Acupuncture sessions', diagnosis: 'Back pain', medicines_prescribed: undefined },
        bill: { acupuncture: 1500 } });
      expect(decision.decision).to.equal('REJECTED');
      expect(decision.rejection_reasons).to.deep.equal(['EXCLUDED_CONDITION']);
    });
  });

  describe('dentalProcedureCovered and visionItemCovered', () => {
    it('a dental implant is not a covered procedure', () => {
      const decision = run({ claim: { claimed_amount: 9000 }, prescription: dentalVisit, bill: { root_canal: 6000, dental_implant: 3000 } });
      expect(decision.decision).to.equal('PARTIAL');
      expect(decision.rejection_reasons).to.deep.equal(['SERVICE_NOT_COVERED']);
      expect(decision.approved_amount).to.equal(600000);
    });
    it('LASIK is not covered; an eye test and glasses are', () => {
      const decision = run({ claim: { claimed_amount: 3500 }, prescription: { diagnosis: 'Myopia', medicines_prescribed: undefined },
        bill: { eye_test: 500, spectacles: 2000, lasik_consultation: 1000 } });
      expect(decision.decision).to.equal('PARTIAL');
      expect(decision.rejected_items.map((item) => item.description)).to.deep.equal(['Lasik consultation']);
      expect(decision.approved_amount).to.equal(250000);
    });
  });

  describe('preAuthorisationObtained -> PRE_AUTH_MISSING (MRI, CT)', () => {
    const mri = { diagnosis: 'Suspected lumbar disc herniation', tests_prescribed: ['MRI Lumbar Spine'], medicines_prescribed: undefined };
    it('rejects an MRI without a pre-authorisation', () => {
      const decision = run({ claim: { claimed_amount: 15000 }, prescription: mri, bill: { mri_scan: 15000 } });
      expect(decision.decision).to.equal('REJECTED');
      expect(decision.rejection_reasons).to.deep.equal(['PRE_AUTH_MISSING']);
    });
    it('refuses only the CT line when the visit has other lines (PARTIAL), and reads test names off the bill', () => {
      const decision = run({ claim: { claimed_amount: 4000 }, prescription: { tests_prescribed: ['CT scan of head'] },
        bill: { consultation_fee: 1000, diagnostic_tests: 3000, test_names: ['CT head'] } });
      expect(decision.decision).to.equal('PARTIAL');
      expect(decision.rejection_reasons).to.deep.equal(['PRE_AUTH_MISSING']);
      expect(decision.approved_amount).to.equal(90000);
    });
    it('pays an MRI with a pre-authorisation', () => {
      const decision = run({ claim: { claimed_amount: 4000, pre_authorization_id: 'PA-2026-001' }, prescription: mri, bill: { mri_scan: 4000 } });
      expect(decision.decision).to.equal('APPROVED');
      expect(decision.approved_amount).to.equal(360000);
    });
  });
});
