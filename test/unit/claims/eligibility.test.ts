import { expect } from 'chai';
import { run, ruleOf, terms } from './builders.js';

describe('claims engine, step 1: eligibility', () => {
  it('a plain claim from a covered member with an active policy passes every eligibility rule', () => {
    const decision = run();
    for (const rule of ['memberIsCovered', 'policyActiveOnTreatmentDate', 'initialWaitingPeriod', 'specificAilmentWaitingPeriod',
      'maternityWaitingPeriod', 'preExistingConditionWaitingPeriod']) {
      expect(ruleOf(decision, rule).outcome, rule).to.equal('passed');
    }
    expect(decision.decision).to.equal('APPROVED');
  });

  describe('memberIsCovered -> MEMBER_NOT_COVERED', () => {
    it('rejects a patient who is not in the policy records', () => {
      const decision = run({ member: { covered: false } });
      expect(decision.decision).to.equal('REJECTED');
      expect(decision.rejection_reasons).to.include('MEMBER_NOT_COVERED');
      expect(decision.approved_amount).to.equal(0);
    });
    it('rejects a dependent when the terms cover employees only', () => {
      const decision = run({ member: { relationship: 'spouse' }, terms: terms((t) => { t.policy_holder.dependents_covered = false; }) });
      expect(decision.rejection_reasons).to.deep.equal(['MEMBER_NOT_COVERED']);
    });
    it('rejects a treatment before the patient was born (a child added with a later date of birth)', () => {
      const decision = run({ member: { relationship: 'child', date_of_birth: '2026-01-03' } });
      expect(decision.decision).to.equal('REJECTED');
      expect(decision.rejection_reasons).to.deep.equal(['MEMBER_NOT_COVERED']);
      expect(ruleOf(decision, 'memberIsCovered').message).to.equal('The patient was born on 2026-01-03, after the treatment date.');
      expect(run({ member: { relationship: 'child', date_of_birth: '2026-01-02' } }).decision).to.equal('APPROVED');
    });
    it('pays a dependent when dependents are covered', () => {
      expect(run({ member: { relationship: 'child' } }).decision).to.equal('APPROVED');
    });
  });

  describe('policyActiveOnTreatmentDate -> POLICY_INACTIVE', () => {
    const cases: [string, Parameters<typeof run>[0]][] = [
      ['no health policy at all', { cover: null }],
      ['a lapsed policy', { cover: { status: 'lapsed' } }],
      ['a cancelled policy', { cover: { status: 'cancelled' } }],
      ['treatment before the policy started', { cover: { start_date: '2026-01-03' } }],
      ['treatment after the policy ended', { cover: { end_date: '2026-01-01' } }],
    ];
    for (const [name, scenario] of cases) {
      it(`rejects ${name}`, () => {
        const decision = run(scenario);
        expect(decision.decision).to.equal('REJECTED');
        expect(decision.rejection_reasons).to.include('POLICY_INACTIVE');
      });
    }
    it('pays treatment inside the term of a policy that has expired since', () => {
      expect(run({ cover: { status: 'expired', end_date: '2026-01-02' } }).decision).to.equal('APPROVED');
    });
  });

  describe('waiting periods -> WAITING_PERIOD, counted from the cover start, eligible on the day the period ends', () => {
    it('initial 30 days: day 30 is eligible, day 29 is not, and the notes give the date', () => {
      expect(run({ cover: { start_date: '2025-12-03' } }).decision).to.equal('APPROVED');
      const early = run({ cover: { start_date: '2025-12-04' } });
      expect(early.decision).to.equal('REJECTED');
      expect(early.rejection_reasons).to.deep.equal(['WAITING_PERIOD']);
      expect(early.eligible_from).to.equal('2026-01-03');
      expect(early.notes).to.include('eligible for this treatment from 2026-01-03');
      expect(early.next_steps).to.include('2026-01-03');
    });

    it('diabetes 90 days (a specific ailment), whether or not it was pre-existing', () => {
      const diabetes = { diagnosis: 'Type 2 Diabetes', medicines_prescribed: ['Metformin'] };
      expect(run({ cover: { start_date: '2025-10-04' }, prescription: diabetes }).decision).to.equal('APPROVED');
      const early = run({ cover: { start_date: '2025-10-05' }, prescription: diabetes });
      expect(early.rejection_reasons).to.deep.equal(['WAITING_PERIOD']);
      expect(early.eligible_from).to.equal('2026-01-03');
    });

    it('hypertension 90 days and joint replacement 730 days', () => {
      expect(run({ cover: { start_date: '2025-11-01' }, prescription: { diagnosis: 'Essential hypertension' } }).rejection_reasons)
        .to.deep.equal(['WAITING_PERIOD']);
      const knee = run({ cover: { start_date: '2024-06-01' }, prescription: { diagnosis: 'Knee replacement follow-up' } });
      expect(knee.rejection_reasons).to.deep.equal(['WAITING_PERIOD']);
      expect(knee.eligible_from).to.equal('2026-06-01');
    });

    it('"joint pain" is not joint replacement', () => {
      expect(run({ cover: { start_date: '2025-11-01' }, prescription: { diagnosis: 'Chronic joint pain' } }).decision).to.equal('APPROVED');
    });

    it('pre-existing conditions wait 365 days; other diagnoses of the same member do not', () => {
      const member = { pre_existing_conditions: ['Asthma'] };
      const asthma = { diagnosis: 'Acute asthma exacerbation' };
      expect(run({ member, cover: { start_date: '2025-01-02' }, prescription: asthma }).decision).to.equal('APPROVED');
      const early = run({ member, cover: { start_date: '2025-01-03' }, prescription: asthma });
      expect(early.rejection_reasons).to.deep.equal(['WAITING_PERIOD']);
      expect(early.eligible_from).to.equal('2026-01-03');
      expect(run({ member, cover: { start_date: '2025-01-03' } }).decision).to.equal('APPROVED');
    });

    it('maternity waits 270 days', () => {
      const decision = run({ member: { gender: 'female', name: 'Priya Singh' }, cover: { start_date: '2025-06-01' },
        prescription: { diagnosis: 'Antenatal check-up, pregnancy 12 weeks' } });
      expect(decision.rejection_reasons).to.deep.equal(['WAITING_PERIOD']);
      expect(decision.eligible_from).to.equal('2026-02-26');
    });

    it('a dependent added later waits from the day they joined', () => {
      const decision = run({ member: { relationship: 'spouse', covered_from: '2025-12-20' } });
      expect(decision.rejection_reasons).to.deep.equal(['WAITING_PERIOD']);
      expect(decision.eligible_from).to.equal('2026-01-19');
    });

    it('the longest unmet waiting period gives the eligible-from date', () => {
      const decision = run({ cover: { start_date: '2025-12-20' }, member: { pre_existing_conditions: ['diabetes'] },
        prescription: { diagnosis: 'Diabetes mellitus' } });
      expect(decision.eligible_from).to.equal('2026-12-20');
    });
  });
});
