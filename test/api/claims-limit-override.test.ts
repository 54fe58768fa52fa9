import crypto from 'node:crypto';
import { expect } from 'chai';
import { bearer, createTestTenant, createTestUser, type TestTenant, type TestUser } from '../helpers/actors.js';
import { addTerms, arrangeFamily, consultationClaim, PLUM_TERMS, type Family } from '../helpers/claims.js';
import { API, api } from '../helpers/context.js';

// A reviewer approving above an exhausted annual / floater limit: only as an override, with the override_limits
// permission and a reason, recorded on the review and in the audit trail. Terms with a Rs 2,000 annual limit.

describe('claims: a reviewer overriding the annual and floater limits', function () {
  this.timeout(120_000);
  let tenant: TestTenant;
  let agent: TestUser;
  let reviewer: TestUser;
  let supervisor: TestUser;
  let family: Family;
  const as = (user: { token: string }) => bearer(user.token);
  const decide = (user: TestUser | TestTenant['admin'], reviewId: string, body: Record<string, unknown>) =>
    api().post(`${API}/claims/reviews/${reviewId}`).set(...as(user)).send(body);
  const customRole = async (permissions: { action: string; subject: string }[]) => {
    const role_name = `claims_${crypto.randomBytes(4).toString('hex')}`;
    const res = await api().post(`${API}/roles`).set(...as(tenant.admin)).send({ role_name, data_scope: 'tenant', permissions });
    expect(res.status, res.text).to.equal(201);
    return role_name;
  };
  /** A claim the engine refers to a person (fraud signal), recommending Rs 1,350 while the limit is untouched. */
  const inReview = async (treatmentDate: string) => {
    const res = await api().post(`${API}/claims`).set(...as(agent)).send(consultationClaim(family.policyholder_id,
      { treatment_date: treatmentDate, previous_claims_same_day: 3 }));
    expect(res.body, JSON.stringify(res.body)).to.include({ decision: 'MANUAL_REVIEW', recommended_amount: 1350 });
    return res.body.review.review_id as string;
  };
  const reviews: string[] = [];
  const annual = async () => {
    const limits = await api().get(`${API}/policyholders/${family.policyholder_id}/limits?as_of=2026-11-30`).set(...as(agent));
    return limits.body.members.find((m: { relationship: string }) => m.relationship === 'self').annual;
  };

  before(async () => {
    tenant = await createTestTenant();
    const small = structuredClone(PLUM_TERMS);
    small.policy_id = 'SMALL_OPD';
    small.coverage_details.annual_limit = 2000;
    await addTerms(tenant, small);
    agent = await createTestUser(tenant, 'junior_agent', { agent: true });
    const reviewing = [{ action: 'read', subject: 'ClaimReview' }, { action: 'update', subject: 'ClaimReview' }, { action: 'read', subject: 'Claim' }];
    reviewer = await createTestUser(tenant, await customRole(reviewing));
    supervisor = await createTestUser(tenant, await customRole([...reviewing, { action: 'override_limits', subject: 'ClaimReview' }]));
    family = await arrangeFamily(tenant, agent.agent_id as string, { plan_code: 'SMALL_OPD' });
    // Three claims wait for a person while the limit is untouched; then another claim is approved meanwhile:
    for (const day of ['2026-11-11', '2026-11-12', '2026-11-13']) reviews.push(await inReview(day));
    // Rs 1,350 of the Rs 2,000 annual limit approved: Rs 650 left.
    const approved = await api().post(`${API}/claims`).set(...as(agent)).send(consultationClaim(family.policyholder_id, { treatment_date: '2026-11-10' }));
    expect(approved.body).to.include({ decision: 'APPROVED', approved_amount: 1350 });
  });

  it('approves up to what is left without an override; a paisa more is claims.limit_exceeded', async () => {
    const reviewId = reviews[0] as string;
    const over = await decide(reviewer, reviewId, { final_decision: 'PARTIAL', approved_amount: 650.01, review_notes: 'Consultation only.' });
    expect(over.status).to.equal(422);
    expect(over.body.code).to.equal('claims.limit_exceeded');
    expect(over.body.errors[0].path).to.equal('body.approved_amount');
    const at = await decide(reviewer, reviewId, { final_decision: 'PARTIAL', approved_amount: 650, review_notes: 'Consultation only.' });
    expect(at.status, at.text).to.equal(200);
    expect(at.body.review).to.include({ approved_amount: 650, limit_override: false, override_reason: null, override_excess: null });
    expect(await annual()).to.deep.equal({ limit: 2000, used: 2000, left: 0 });
  });

  it('past an exhausted limit: 403 without the permission, 422 without a reason, then approved, recorded and audited', async () => {
    const reviewId = reviews[1] as string;
    const plain = await decide(supervisor, reviewId, { final_decision: 'APPROVED', review_notes: 'Genuine.' });
    expect(plain.status).to.equal(422);
    expect(plain.body.code).to.equal('claims.limit_exceeded');
    const reason = 'Member hospitalised abroad; the medical director approved an ex-gratia payment.';
    const forbidden = await decide(reviewer, reviewId, { final_decision: 'APPROVED', review_notes: 'Genuine.', override_limits: true, override_reason: reason });
    expect(forbidden.status).to.equal(403);
    expect(forbidden.body.code).to.equal('claims.limit_override_forbidden');
    const unexplained = await decide(supervisor, reviewId, { final_decision: 'APPROVED', review_notes: 'Genuine.', override_limits: true });
    expect(unexplained.status).to.equal(422);
    expect(unexplained.body.code).to.equal('claims.override_reason_required');
    expect(unexplained.body.errors[0].path).to.equal('body.override_reason');
    expect((await api().get(`${API}/claims/reviews?status=PENDING`).set(...as(supervisor))).body.data
      .map((r: { review_id: string }) => r.review_id)).to.include(reviewId);

    const done = await decide(supervisor, reviewId, { final_decision: 'APPROVED', review_notes: 'Genuine.', override_limits: true, override_reason: reason });
    expect(done.status, done.text).to.equal(200);
    expect(done.body.review).to.include({ status: 'COMPLETED', final_decision: 'APPROVED', approved_amount: 1350,
      limit_override: true, override_reason: reason, override_excess: 1350, reviewer_id: supervisor.user_id });
    expect(done.body.claim).to.include({ decision: 'APPROVED', approved_amount: 1350 });
    expect(await annual()).to.deep.equal({ limit: 2000, used: 3350, left: 0 });

    const audit = await api().get(`${API}/audit?table=manual_reviews&record_id=${reviewId}`).set(...as(tenant.admin));
    expect(audit.status, audit.text).to.equal(200);
    const entry = audit.body.data.find((row: { action: string }) => row.action === 'update');
    expect(entry.actor_user_id).to.equal(supervisor.user_id);
    expect(entry.new_values).to.include({ limit_override: true, override_reason: reason, final_decision: 'APPROVED' });
  });

  it('the provider admin holds the permission (manage all); an override that is not needed records none', async () => {
    const reviewId = reviews[2] as string;
    const rejected = await decide(tenant.admin, reviewId, { final_decision: 'REJECTED', review_notes: 'Not genuine.', override_limits: true,
      override_reason: 'Not needed for a rejection at all.' });
    expect(rejected.status, rejected.text).to.equal(200);
    expect(rejected.body.review).to.include({ limit_override: false, override_reason: null });
  });
});
