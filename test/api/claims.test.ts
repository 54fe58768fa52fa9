import { expect } from 'chai';
import { bearer, createTestTenant, createTestUser, type TestTenant, type TestUser } from '../helpers/actors.js';
import { addTerms, arrangeFamily, consultationClaim, PLUM_TERMS, type Family } from '../helpers/claims.js';
import { ownerInTenant } from '../helpers/catalog.js';
import { API, api } from '../helpers/context.js';

describe('claims: submission, decision, review, visibility', () => {
  let tenant: TestTenant;
  let agent: TestUser;
  let otherAgent: TestUser;
  let family: Family;
  const as = (user: { token: string }) => bearer(user.token);

  before(async () => {
    tenant = await createTestTenant();
    await addTerms(tenant);
    agent = await createTestUser(tenant, 'junior_agent', { agent: true });
    otherAgent = await createTestUser(tenant, 'junior_agent', { agent: true });
    family = await arrangeFamily(tenant, agent.agent_id as string);
  });

  it('an agent submits a claim: 201, adjudicated and stored with its decision, readable number and trail', async () => {
    const res = await api().post(`${API}/claims`).set(...as(agent)).send(consultationClaim(family.policyholder_id));
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body).to.include({ decision: 'APPROVED', approved_amount: 1350, claimed_amount: 1500, status: 'decided',
      policy_terms_id: 'PLUM_OPD_2024', policy_terms_version: 1, policy_id: family.policy_id });
    expect(res.body.claim_number).to.match(/^CLM\d{6}$/);
    expect(res.body.deductions.copay).to.equal(150);
    expect(res.body.trail.map((entry: { rule: string }) => entry.rule)).to.include.members(['initialWaitingPeriod', 'coPayment', 'decide']);
    const byNumber = await api().get(`${API}/claims/${res.body.claim_number.toLowerCase()}`).set(...as(agent));
    expect(byNumber.status).to.equal(200);
    expect(byNumber.body.claim_id).to.equal(res.body.claim_id);
    const byId = await api().get(`${API}/claims/${res.body.claim_id}`).set(...as(tenant.admin));
    expect(byId.body.trail).to.deep.equal(res.body.trail);
  });

  it('answers as a FHIR R4 ClaimResponse on ?format=fhir', async () => {
    const fresh = await arrangeFamily(tenant, agent.agent_id as string);
    const claim = await api().post(`${API}/claims`).set(...as(agent)).send(consultationClaim(fresh.policyholder_id, {
      hospital: 'Apollo Hospitals', documents: { prescription: { doctor_name: 'Dr. A', doctor_reg: 'KA/45678/2015', diagnosis: 'Viral fever',
        medicines_prescribed: ['Paracetamol'] }, bill: { consultation_fee: 1000, medicines: 500, room_rent: 500 } }, claimed_amount: 2000 }));
    const res = await api().get(`${API}/claims/${claim.body.claim_id}?format=fhir`).set(...as(agent));
    expect(res.status).to.equal(200);
    expect(res.headers['content-type']).to.match(/^application\/fhir\+json/);
    expect(res.body).to.include({ resourceType: 'ClaimResponse', id: claim.body.claim_id, outcome: 'partial' });
    const totals = Object.fromEntries(res.body.total.map((t: { category: { coding: { code: string }[] }; amount: { value: number } }) =>
      [t.category.coding[0]?.code, t.amount.value]));
    expect(totals).to.deep.equal({ submitted: 2000, eligible: 1500, copay: 0, 'network-discount': 300, excluded: 500, benefit: 1200 });
    expect(res.body.error[0].code.coding[0].code).to.equal('SERVICE_NOT_COVERED');
  });

  it('the cover decides: waiting periods count from the health policy start', async () => {
    const recent = await arrangeFamily(tenant, agent.agent_id as string, { start_date: '2026-11-01' });
    const res = await api().post(`${API}/claims`).set(...as(agent)).send(consultationClaim(recent.policyholder_id));
    expect(res.body.decision).to.equal('REJECTED');
    expect(res.body.rejection_reasons).to.deep.equal(['WAITING_PERIOD']);
    expect(res.body.eligible_from).to.equal('2026-12-01');
  });

  it("the policyholder's pre-existing conditions (stored sealed) start their waiting period", async () => {
    const recent = await arrangeFamily(tenant, agent.agent_id as string, { start_date: '2026-06-01' });
    const patched = await api().patch(`${API}/policyholders/${recent.policyholder_id}`).set(...as(agent))
      .send({ pre_existing_conditions: [{ condition: 'Migraine', diagnosed_on: '2024-03-01' }] });
    expect(patched.status, JSON.stringify(patched.body)).to.equal(200);
    const res = await api().post(`${API}/claims`).set(...as(agent)).send(consultationClaim(recent.policyholder_id, {
      documents: { prescription: { doctor_name: 'Dr. Sharma', doctor_reg: 'KA/45678/2015', diagnosis: 'Migraine', medicines_prescribed: ['Sumatriptan'] },
        bill: { consultation_fee: 1000, medicines: 500 } } }));
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body.decision).to.equal('REJECTED');
    expect(res.body.rejection_reasons).to.deep.equal(['WAITING_PERIOD']);
    expect(res.body.eligible_from).to.equal('2027-06-01');
  });

  it('a dependent claims on the family cover; the limits show it per member', async () => {
    const dep = await api().post(`${API}/policyholders/${family.policyholder_id}/dependents`).set(...as(agent))
      .send({ full_name: 'Priya Kumar', relationship: 'spouse', date_of_birth: '1990-02-01', gender: 'female' });
    expect(dep.status, JSON.stringify(dep.body)).to.equal(201);
    const list = await api().get(`${API}/policyholders/${family.policyholder_id}/dependents`).set(...as(agent));
    expect(list.body.data.map((d: { dependent_id: string }) => d.dependent_id)).to.deep.equal([dep.body.dependent_id]);
    const claim = await api().post(`${API}/claims`).set(...as(agent)).send(consultationClaim(family.policyholder_id, {
      dependent_id: dep.body.dependent_id, treatment_date: '2026-11-21',
      documents: { prescription: { doctor_name: 'Dr. Rao', doctor_reg: 'MH/23456/2018', diagnosis: 'Tooth decay', procedures: ['Filling'] },
        bill: { tooth_filling: 2500 } }, claimed_amount: 2500 }));
    expect(claim.body.decision, JSON.stringify(claim.body.notes)).to.equal('APPROVED');
    const limits = await api().get(`${API}/policyholders/${family.policyholder_id}/limits?as_of=2026-11-30`).set(...as(agent));
    expect(limits.status, JSON.stringify(limits.body)).to.equal(200);
    expect(limits.body.policy_year).to.deep.equal({ start: '2026-01-01', end: '2027-01-01' });
    const spouse = limits.body.members.find((m: { dependent_id: string | null }) => m.dependent_id === dep.body.dependent_id);
    expect(spouse.categories.dental).to.deep.equal({ limit: 10000, used: 2500, left: 7500 });
    const self = limits.body.members.find((m: { relationship: string }) => m.relationship === 'self');
    expect(self.annual).to.deep.equal({ limit: 50000, used: 1350, left: 48650 });
    expect(limits.body.family).to.deep.equal({ limit: 150000, used: 3850, left: 146150 });
  });

  it("limits for a date outside the health policy: 422 claims.no_cover naming as_of, not a policy year the member was not in", async () => {
    const path = `${API}/policyholders/${family.policyholder_id}/limits`;
    for (const asOf of ['2024-06-01', '2030-01-02']) {
      const res = await api().get(`${path}?as_of=${asOf}`).set(...as(agent));
      expect(res.status, asOf).to.equal(422);
      expect(res.body.code).to.equal('claims.no_cover');
      expect(res.body.errors).to.deep.equal([{ path: 'query.as_of', message: 'must be within the health policy (2025-01-01 to 2030-01-01)' }]);
    }
    for (const [asOf, start] of [['2025-01-01', '2025-01-01'], ['2030-01-01', '2030-01-01']] as const) {
      const res = await api().get(`${path}?as_of=${asOf}`).set(...as(agent));
      expect(res.status, asOf).to.equal(200);
      expect(res.body.policy_year.start).to.equal(start);
    }
  });

  it("a dependent's claim for a treatment before she was born is refused (MEMBER_NOT_COVERED), not paid", async () => {
    const fresh = await arrangeFamily(tenant, agent.agent_id as string);
    const baby = await api().post(`${API}/policyholders/${fresh.policyholder_id}/dependents`).set(...as(agent))
      .send({ full_name: 'Baby Kumar', relationship: 'child', date_of_birth: '2026-10-01' });
    const res = await api().post(`${API}/claims`).set(...as(agent)).send(consultationClaim(fresh.policyholder_id, {
      dependent_id: baby.body.dependent_id, treatment_date: '2026-09-10', submission_date: '2026-09-12' }));
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body).to.include({ decision: 'REJECTED', approved_amount: 0 });
    expect(res.body.rejection_reasons).to.deep.equal(['MEMBER_NOT_COVERED']);
  });

  it('refuses the same person twice as a dependent (409), even sent at once; a twin with another name is added', async () => {
    const fresh = await arrangeFamily(tenant, agent.agent_id as string);
    const path = `${API}/policyholders/${fresh.policyholder_id}/dependents`;
    const spouse = { full_name: 'Priya  Kumar', relationship: 'spouse', date_of_birth: '1990-02-01' };
    const [first, second] = await Promise.all([api().post(path).set(...as(agent)).send(spouse), api().post(path).set(...as(agent)).send(spouse)]);
    expect([first.status, second.status].sort()).to.deep.equal([201, 409]);
    const again = await api().post(path).set(...as(agent)).send({ ...spouse, full_name: 'priya kumar ' });
    expect(again.status).to.equal(409);
    expect(again.body.code).to.equal('claims.dependent_exists');
    const twins = ['Asha Kumar', 'Usha Kumar'].map((full_name) => ({ full_name, relationship: 'child', date_of_birth: '2020-05-05' }));
    for (const twin of twins) expect((await api().post(path).set(...as(agent)).send(twin)).status).to.equal(201);
    expect((await api().get(path).set(...as(agent))).body.data.length).to.equal(3);
  });

  it('refuses a dependent born in the future, or covered before being born, and writes nothing', async () => {
    const path = `${API}/policyholders/${family.policyholder_id}/dependents`;
    const before = (await api().get(path).set(...as(agent))).body.data.length;
    const unborn = await api().post(path).set(...as(agent)).send({ full_name: 'Not Yet', relationship: 'child', date_of_birth: '2999-01-01' });
    expect(unborn.status, JSON.stringify(unborn.body)).to.equal(400);
    expect(unborn.body.errors).to.deep.equal([{ path: 'body.date_of_birth', message: 'must not be in the future' }]);
    const early = await api().post(path).set(...as(agent))
      .send({ full_name: 'Baby Kumar', relationship: 'child', date_of_birth: '2026-06-01', covered_from: '2026-01-01' });
    expect(early.status, JSON.stringify(early.body)).to.equal(400);
    expect(early.body.errors).to.deep.equal([{ path: 'body.covered_from', message: 'must not be before the date of birth' }]);
    const both = await api().post(path).set(...as(agent)).send({ full_name: 'Not Yet', relationship: 'cousin', date_of_birth: '2999-01-01' });
    expect(both.body.errors.map((e: { path: string }) => e.path)).to.deep.equal(['body.relationship', 'body.date_of_birth']);
    expect((await api().get(path).set(...as(agent))).body.data.length).to.equal(before);
    const born = await api().post(path).set(...as(agent))
      .send({ full_name: 'Baby Kumar', relationship: 'child', date_of_birth: '2026-06-01', covered_from: '2026-06-01' });
    expect(born.status, JSON.stringify(born.body)).to.equal(201);
  });

  it('a suspicious claim waits for a person; the reviewer decides, is recorded, and the approval counts against the limits', async () => {
    const res = await api().post(`${API}/claims`).set(...as(agent)).send(consultationClaim(family.policyholder_id,
      { treatment_date: '2026-11-22', previous_claims_same_day: 3 }));
    expect(res.body).to.include({ decision: 'MANUAL_REVIEW', approved_amount: 0, status: 'in_review', recommended_amount: 1350 });
    expect(res.body.review.status).to.equal('PENDING');
    const queue = await api().get(`${API}/claims/reviews?status=PENDING`).set(...as(tenant.admin));
    const review = queue.body.data.find((r: { claim_id: string }) => r.claim_id === res.body.claim_id);
    expect(review).to.include({ recommended_decision: 'APPROVED', recommended_amount: 1350 });
    expect((await api().post(`${API}/claims/reviews/${review.review_id}`).set(...as(agent))
      .send({ final_decision: 'APPROVED', review_notes: 'ok' })).status).to.equal(403);
    const decided = await api().post(`${API}/claims/reviews/${review.review_id}`).set(...as(tenant.admin))
      .send({ final_decision: 'APPROVED', review_notes: 'Called the clinic: three family members seen that day.' });
    expect(decided.status, JSON.stringify(decided.body)).to.equal(200);
    expect(decided.body.review).to.include({ status: 'COMPLETED', final_decision: 'APPROVED', approved_amount: 1350 });
    expect(decided.body.review.reviewer_id).to.be.a('string');
    expect(decided.body.review.reviewed_at).to.be.a('string');
    // The reviewer's notes are answered as written and stored sealed (they may cite the diagnosis).
    expect(decided.body.review.review_notes).to.equal('Called the clinic: three family members seen that day.');
    const stored = await ownerInTenant(tenant, async (client) => (await client.query(
      'SELECT review_notes, review_texts_sealed FROM manual_reviews WHERE review_id = $1', [review.review_id])).rows[0]);
    expect(stored.review_notes).to.equal(null);
    expect(stored.review_texts_sealed).to.match(/^k\d+:/);
    expect(decided.body.claim).to.include({ decision: 'APPROVED', approved_amount: 1350, status: 'reviewed', engine_decision: 'MANUAL_REVIEW' });
    // Read after the review, the claim no longer tells the member it waits for an assessor, and its trail ends
    // with the person's decision (the amount it paid), not the engine's referral (0).
    const reread = await api().get(`${API}/claims/${res.body.claim_id}`).set(...as(agent));
    for (const claim of [decided.body.claim, reread.body]) {
      expect(claim.next_steps).to.equal('The approved amount will be paid to your registered bank account.');
      expect(claim.notes).to.match(/^Decided by a claims assessor: APPROVED: Rs 1,350 of Rs 1,500\. Referred to a claims assessor/);
      expect(claim.trail.at(-1)).to.deep.include({ step: 'review', rule: 'manualReview', amount_before: 1350, amount_after: 1350 });
      expect(claim.trail.at(-2).rule).to.equal('decide');
    }
    const listedAfter = await api().get(`${API}/claims?policyholder_id=${family.policyholder_id}&decision=APPROVED`).set(...as(agent));
    expect(listedAfter.body.data.find((c: { claim_id: string }) => c.claim_id === res.body.claim_id).next_steps)
      .to.equal('The approved amount will be paid to your registered bank account.');
    const again = await api().post(`${API}/claims/reviews/${review.review_id}`).set(...as(tenant.admin))
      .send({ final_decision: 'REJECTED', review_notes: 'changed my mind' });
    expect(again.status).to.equal(409);
    expect(again.body.code).to.equal('claims.review_closed');
    const limits = await api().get(`${API}/policyholders/${family.policyholder_id}/limits?as_of=2026-11-30`).set(...as(agent));
    const self = limits.body.members.find((m: { relationship: string }) => m.relationship === 'self');
    expect(self.annual.used).to.equal(2700);
  });

  it('a reviewer cannot approve more than the claim, nor a PARTIAL without an amount', async () => {
    const res = await api().post(`${API}/claims`).set(...as(agent)).send(consultationClaim(family.policyholder_id,
      { treatment_date: '2026-11-23', previous_claims_same_day: 5 }));
    const reviewId = res.body.review.review_id;
    const tooMuch = await api().post(`${API}/claims/reviews/${reviewId}`).set(...as(tenant.admin))
      .send({ final_decision: 'APPROVED', approved_amount: 1500.01, review_notes: 'x' });
    expect(tooMuch.status).to.equal(422);
    expect(tooMuch.body.code).to.equal('claims.review_amount_invalid');
    const noAmount = await api().post(`${API}/claims/reviews/${reviewId}`).set(...as(tenant.admin)).send({ final_decision: 'PARTIAL', review_notes: 'x' });
    expect(noAmount.status).to.equal(422);
    const partial = await api().post(`${API}/claims/reviews/${reviewId}`).set(...as(tenant.admin))
      .send({ final_decision: 'PARTIAL', approved_amount: 1000, review_notes: 'Tests not itemised; consultation paid.' });
    expect(partial.body.claim).to.include({ decision: 'PARTIAL', approved_amount: 1000 });
    expect(partial.body.claim.notes).to.match(/^Decided by a claims assessor: PARTIAL: Rs 1,000 of Rs 1,500\./);
    expect(partial.body.claim.trail.at(-1)).to.deep.include({ step: 'review', amount_before: res.body.recommended_amount, amount_after: 1000 });
    // Paying more than recommended waives deductions (the limits first, then co-pays, then refusals): approved +
    // deductions stay the claimed amount, and no deduction grows.
    expect(res.body.recommended_amount).to.be.below(1000);
    const deductions = partial.body.claim.deductions as Record<string, number>;
    expect(Math.round(Object.values(deductions).reduce((total, amount) => total + amount, 0) * 100)).to.equal(50000);
    for (const [key, amount] of Object.entries(deductions)) expect(amount, key).to.be.at.most(res.body.deductions[key]);
  });

  it('an assessor paying more than recommended waives deductions, limits first: approved + deductions is the claimed amount', async () => {
    const fresh = await arrangeFamily(tenant, agent.agent_id as string);
    const res = await api().post(`${API}/claims`).set(...as(agent)).send(consultationClaim(fresh.policyholder_id, {
      previous_claims_same_day: 3, claimed_amount: 2000,
      documents: { prescription: { doctor_name: 'Dr. Sharma', doctor_reg: 'KA/45678/2015', diagnosis: 'Viral fever', tests_prescribed: ['CBC'] },
        bill: { consultation_fee: 1000, diagnostic_tests: 500, room_rent: 500, test_names: ['CBC'] } } }));
    expect(res.body).to.include({ decision: 'MANUAL_REVIEW', recommended_amount: 1350 });
    expect(res.body.deductions).to.include({ copay: 150, excluded_items: 500, rejected: 0 });
    const paid = await api().post(`${API}/claims/reviews/${res.body.review.review_id}`).set(...as(tenant.admin))
      .send({ final_decision: 'APPROVED', approved_amount: 1900, review_notes: 'Room rent paid ex gratia; co-pay waived.' });
    expect(paid.status, JSON.stringify(paid.body)).to.equal(200);
    const claim = (await api().get(`${API}/claims/${res.body.claim_id}`).set(...as(agent))).body;
    expect(claim).to.include({ decision: 'APPROVED', approved_amount: 1900 });
    expect(claim.deductions).to.include({ copay: 0, excluded_items: 100, rejected: 0 });
    // The category split is the assessor's (what the limits count), not the engine's Rs 1,350.
    expect(res.body.category_amounts).to.deep.equal({ consultation: 900, diagnostic: 450 });
    expect(claim.category_amounts).to.deep.equal({ consultation: 1450, diagnostic: 450 });
    expect(Math.round(Object.values(claim.deductions as Record<string, number>).reduce((total, amount) => total + amount, 0) * 100)).to.equal(10000);
  });

  it('a claim the assessor rejects shows the recommended amount as refused: approved + deductions is the claimed amount', async () => {
    const res = await api().post(`${API}/claims`).set(...as(agent)).send(consultationClaim(family.policyholder_id,
      { treatment_date: '2026-11-19', previous_claims_same_day: 3 }));
    expect(res.body.decision).to.equal('MANUAL_REVIEW');
    const sum = (deductions: Record<string, number>) => Object.values(deductions).reduce((total, amount) => total + amount, 0);
    expect(Math.round((res.body.recommended_amount + sum(res.body.deductions)) * 100)).to.equal(150000);
    const rejected = await api().post(`${API}/claims/reviews/${res.body.review.review_id}`).set(...as(tenant.admin))
      .send({ final_decision: 'REJECTED', review_notes: 'The clinic could not confirm the visit.' });
    expect(rejected.status, JSON.stringify(rejected.body)).to.equal(200);
    const claim = (await api().get(`${API}/claims/${res.body.claim_id}`).set(...as(agent))).body;
    expect(claim).to.include({ decision: 'REJECTED', approved_amount: 0 });
    expect(claim.deductions.rejected).to.equal(res.body.deductions.rejected + res.body.recommended_amount);
    expect(claim.category_amounts).to.deep.equal({});
    expect(Math.round(sum(claim.deductions) * 100)).to.equal(150000);
    expect(claim.next_steps).to.match(/^Nothing will be paid/);
  });

  it("another agent can't see, list or claim against this family; another tenant can't either", async () => {
    const mine = await api().post(`${API}/claims`).set(...as(agent)).send(consultationClaim(family.policyholder_id, { treatment_date: '2026-11-24' }));
    expect((await api().get(`${API}/claims/${mine.body.claim_id}`).set(...as(otherAgent))).status).to.equal(404);
    expect((await api().get(`${API}/claims/${mine.body.claim_number}`).set(...as(otherAgent))).body.code).to.equal('claims.not_found');
    expect((await api().get(`${API}/claims`).set(...as(otherAgent))).body.data).to.deep.equal([]);
    const theirs = await api().post(`${API}/claims`).set(...as(otherAgent)).send(consultationClaim(family.policyholder_id));
    expect(theirs.status).to.equal(404);
    expect((await api().get(`${API}/policyholders/${family.policyholder_id}/limits`).set(...as(otherAgent))).status).to.equal(404);
    expect((await api().get(`${API}/policyholders/${family.policyholder_id}/dependents`).set(...as(otherAgent))).status).to.equal(404);
    const stranger = await createTestTenant();
    expect((await api().get(`${API}/claims/${mine.body.claim_id}`).set(...bearer(stranger.admin.token))).status).to.equal(404);
    const listed = await api().get(`${API}/claims?policyholder_id=${family.policyholder_id}`).set(...as(agent));
    expect(listed.body.data.length).to.be.greaterThan(3);
    expect(listed.body.data[0]).to.not.have.property('trail');
  });

  it('every claim records the terms version that decided it', async () => {
    const edited = structuredClone(PLUM_TERMS);
    edited.coverage_details.consultation_fees.copay_percentage = 20;
    const put = await api().put(`${API}/claims/policy-terms/PLUM_OPD_2024`).set(...as(tenant.admin)).send(edited);
    expect(put.body.version).to.equal(2);
    const fresh = await arrangeFamily(tenant, agent.agent_id as string);
    const res = await api().post(`${API}/claims`).set(...as(agent)).send(consultationClaim(fresh.policyholder_id));
    expect(res.body).to.include({ policy_terms_version: 2, approved_amount: 1200, policy_terms_version_id: put.body.version_id });
    await api().put(`${API}/claims/policy-terms/PLUM_OPD_2024`).set(...as(tenant.admin)).send(PLUM_TERMS);
  });

  it('no cover and no terms named: 422 claims.no_cover; terms named but no policy: POLICY_INACTIVE', async () => {
    const uninsured = await arrangeFamily(tenant, agent.agent_id as string, { plan_code: null });
    const refused = await api().post(`${API}/claims`).set(...as(agent)).send(consultationClaim(uninsured.policyholder_id));
    expect(refused.status).to.equal(422);
    expect(refused.body.code).to.equal('claims.no_cover');
    const decided = await api().post(`${API}/claims`).set(...as(agent)).send(consultationClaim(uninsured.policyholder_id, { policy_terms_id: 'plum_opd_2024' }));
    expect(decided.status).to.equal(201);
    expect(decided.body.rejection_reasons).to.deep.equal(['POLICY_INACTIVE']);
  });

  it('refuses bad input with the fields at fault', async () => {
    const res = await api().post(`${API}/claims`).set(...as(agent)).send(consultationClaim(family.policyholder_id, {
      treatment_date: '2026-11-26', submission_date: '2026-11-25', claimed_amount: 10.001,
      documents: { bill: { 'Consultation Fee': 100, medicines: -1 } } }));
    expect(res.status).to.equal(400);
    const paths = res.body.errors.map((e: { path: string }) => e.path);
    expect(paths).to.include.members(['body.claimed_amount', 'body.documents.bill.medicines']);
    const dates = await api().post(`${API}/claims`).set(...as(agent)).send(consultationClaim(family.policyholder_id, {
      treatment_date: '2026-11-26', submission_date: '2026-11-25' }));
    expect(dates.status).to.equal(400);
    expect(dates.body.errors[0].path).to.equal('body.treatment_date');
    // The dates are judged with the other fields, not in a second round once those are fixed.
    const together = await api().post(`${API}/claims`).set(...as(agent)).send(consultationClaim(family.policyholder_id, {
      treatment_date: '2026-11-26', submission_date: '2026-11-25', claimed_amount: -1 }));
    expect(together.body.errors).to.deep.equal([
      { path: 'body.claimed_amount', message: 'must be an amount in rupees, at least 0, below Rs 1,00,00,00,000, with at most two decimals' },
      { path: 'body.treatment_date', message: 'must not be after the submission date' }]);
    for (const claimed_amount of [1e9, 1e15, 1000.001]) {
      const amount = await api().post(`${API}/claims`).set(...as(agent)).send(consultationClaim(family.policyholder_id, { claimed_amount }));
      expect(amount.body.errors, String(claimed_amount)).to.deep.equal([{ path: 'body.claimed_amount',
        message: 'must be an amount in rupees, at least 0, below Rs 1,00,00,00,000, with at most two decimals' }]);
    }
    const future = await api().post(`${API}/claims`).set(...as(agent)).send(consultationClaim(family.policyholder_id, {
      submission_date: '2999-01-01', hospital: '' }));
    expect(future.body.errors.map((e: { path: string }) => e.path)).to.deep.equal(['body.hospital', 'body.submission_date']);
    const { submission_date: _left, ...withoutSubmission } = consultationClaim(family.policyholder_id, { treatment_date: '2999-01-01' });
    const treatedLater = await api().post(`${API}/claims`).set(...as(agent)).send(withoutSubmission);
    expect(treatedLater.body.errors).to.deep.equal([{ path: 'body.treatment_date', message: 'must not be in the future' }]);
  });

  it('names the bill line at fault when a list-form bill has a wrongly typed field, not just "bill: Invalid input"', async () => {
    const listed = await api().post(`${API}/claims`).set(...as(agent)).send(consultationClaim(family.policyholder_id, {
      documents: { bill: [{ description: 'Consultation', amount: '1000' }, { description: 'Tests', amount: 500, branded: 'no' }] } }));
    expect(listed.status).to.equal(400);
    expect(listed.body.errors.map((e: { path: string }) => e.path)).to.deep.equal(['body.documents.bill.0.amount', 'body.documents.bill.1.branded']);
    const neither = await api().post(`${API}/claims`).set(...as(agent)).send(consultationClaim(family.policyholder_id, { documents: { bill: 1500 } }));
    expect(neither.status).to.equal(400);
    expect(neither.body.errors).to.deep.equal([{ path: 'body.documents.bill',
      message: 'must be a list of { description, amount } items, or an object of amounts keyed by what they are' }]);
    const badNumber = await api().get(`${API}/claims/not-a-claim`).set(...as(agent));
    expect(badNumber.body.errors).to.deep.equal([{ path: 'params.claim_id', message: 'must be a claim uuid or a claim number such as CLM000001' }]);
  });

  it('refuses a date before 1900 by its field: year 0001 broke the date arithmetic (500), year 0000 the database', async () => {
    for (const treatment_date of ['0000-01-01', '0001-01-01', '1899-12-31']) {
      const res = await api().post(`${API}/claims`).set(...as(agent)).send(consultationClaim(family.policyholder_id, { treatment_date }));
      expect(res.status, treatment_date).to.equal(400);
      expect(res.body.errors, treatment_date).to.deep.equal([{ path: 'body.treatment_date', message: 'must be 1900-01-01 or later' }]);
    }
  });

  it('pages claims and reviews with the same limit rule, and words, as every other list', async () => {
    for (const path of ['/claims', '/claims/reviews']) {
      const zero = await api().get(`${API}${path}?limit=0`).set(...as(agent));
      expect(zero.status, path).to.equal(400);
      expect(zero.body.errors, path).to.deep.equal([{ path: 'query.limit', message: 'must be at least 1' }]);
      const over = await api().get(`${API}${path}?limit=201`).set(...as(agent));
      expect(over.body.errors, path).to.deep.equal([{ path: 'query.limit', message: 'must be at most 200' }]);
    }
  });
});
