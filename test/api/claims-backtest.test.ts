import crypto from 'node:crypto';
import { expect } from 'chai';
import { backtestJob } from '../../src/claims/backtest-job.js';
import { bearer, createTestTenant, createTestUser, type TestTenant, type TestUser } from '../helpers/actors.js';
import { addTerms, arrangeFamily, consultationClaim, PLUM_TERMS } from '../helpers/claims.js';
import { API, api } from '../helpers/context.js';
import { jobProcess, waitFor, type JobProcess } from '../helpers/jobs.js';

// Draft terms tried on past claims, as a job: POST …/backtest queues it (202), a worker runs it in the tenant as
// the system actor, GET …/backtests/{id} shows its status and then its report. Nothing else is written.

describe('claims: backtest of draft policy terms (a job)', function () {
  this.timeout(90_000);
  let tenant: TestTenant;
  let agent: TestUser;
  let worker: JobProcess | undefined;
  const claimIds: string[] = [];
  const as = (user: { token: string }) => bearer(user.token);
  const draftWithCopay = (percent: number) => {
    const draft = structuredClone(PLUM_TERMS);
    delete draft.policy_id;
    draft.coverage_details.consultation_fees.copay_percentage = percent;
    return draft;
  };
  const start = (body: Record<string, unknown>, user: { token: string } = tenant.admin, code = 'PLUM_OPD_2024') =>
    api().post(`${API}/claims/policy-terms/${code}/backtest`).set(...as(user)).send(body);
  const read = (id: string, user: { token: string } = tenant.admin, code = 'PLUM_OPD_2024') =>
    api().get(`${API}/claims/policy-terms/${code}/backtests/${id}`).set(...as(user));
  const finished = async (id: string) => {
    let body: Record<string, unknown> = {};
    await waitFor(async () => {
      body = (await read(id)).body;
      return body.status === 'completed' || body.status === 'failed';
    }, 60_000, `backtest ${id}`).catch((error: Error) => { throw new Error(`${error.message}: ${JSON.stringify(body)}`); });
    return body;
  };

  before(async () => {
    tenant = await createTestTenant();
    await addTerms(tenant);
    agent = await createTestUser(tenant, 'junior_agent', { agent: true });
    for (const day of ['2026-11-02', '2026-11-03', '2026-11-04']) {
      const family = await arrangeFamily(tenant, agent.agent_id as string);
      const res = await api().post(`${API}/claims`).set(...as(agent)).send(consultationClaim(family.policyholder_id, { treatment_date: day }));
      expect(res.body, res.text).to.include({ decision: 'APPROVED', approved_amount: 1350 });
      claimIds.push(res.body.claim_id);
    }
    // A claim the draft cannot change: rejected for its paperwork whatever the co-pay.
    const other = await arrangeFamily(tenant, agent.agent_id as string);
    const rejected = await api().post(`${API}/claims`).set(...as(agent)).send(consultationClaim(other.policyholder_id,
      { documents: { bill: { consultation_fee: 1500 } } }));
    expect(rejected.body.decision).to.equal('REJECTED');
    worker = await jobProcess([backtestJob], { workers: true });
  });
  after(async () => { await worker?.stop(); });

  it('queues the run (202), and the job reports which decisions and amounts would change; nothing else is written', async () => {
    const res = await start({ terms: draftWithCopay(20) });
    expect(res.status, res.text).to.equal(202);
    expect(res.body).to.include({ policy_terms_id: 'PLUM_OPD_2024', status: 'queued', limit: 200, report: null });
    const done = await finished(res.body.backtest_id);
    expect(done).to.include({ status: 'completed', last_error: null, attempts: 1 });
    expect(done.started_at).to.be.a('string');
    expect(done.finished_at).to.be.a('string');
    const report = done.report as { claims_considered: number; unchanged: number; recommended_total_before: number;
      recommended_total_after: number; changed: { claim_id: string; before: unknown; after: Record<string, unknown> }[] };
    expect(report).to.include({ claims_considered: 4, unchanged: 1, recommended_total_before: 4050, recommended_total_after: 3600 });
    expect(report.changed.map((c) => c.claim_id).sort()).to.deep.equal([...claimIds].sort());
    for (const change of report.changed) {
      expect(change.before).to.deep.equal({ decision: 'APPROVED', recommended_amount: 1350 });
      expect(change.after).to.include({ decision: 'APPROVED', recommended_amount: 1200 });
    }
    const claim = await api().get(`${API}/claims/${claimIds[0]}`).set(...as(agent));
    expect(claim.body).to.include({ approved_amount: 1350, policy_terms_version: 1 });
    const terms = await api().get(`${API}/claims/policy-terms/PLUM_OPD_2024`).set(...as(tenant.admin));
    expect(terms.body.version).to.equal(1);
  });

  it('tries only the most recent claims when given a limit; an unchanged draft changes nothing', async () => {
    const res = await start({ terms: draftWithCopay(10), limit: 2 });
    expect(res.status, res.text).to.equal(202);
    const done = await finished(res.body.backtest_id);
    expect(done.report).to.deep.include({ claims_considered: 2, unchanged: 2, changed: [] });
  });

  it('refuses whoever may not edit terms (403), unknown terms and runs (404), a bad draft (400), other tenants (404)', async () => {
    expect((await start({ terms: draftWithCopay(20) }, agent)).status).to.equal(403);
    const unknown = await start({ terms: draftWithCopay(20) }, tenant.admin, 'NO_SUCH_TERMS');
    expect(unknown.status).to.equal(404);
    expect(unknown.body.code).to.equal('claims.terms_not_found');
    const bad = await start({ terms: { ...draftWithCopay(20), coverage_details: 'lots' }, limit: 0 });
    expect(bad.status).to.equal(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).to.include('body.limit');
    const missing = await read(crypto.randomUUID());
    expect(missing.status).to.equal(404);
    expect(missing.body.code).to.equal('claims.backtest_not_found');
    const mine = await start({ terms: draftWithCopay(20), limit: 1 });
    expect((await read(mine.body.backtest_id, agent)).status).to.equal(403);
    expect((await read(mine.body.backtest_id, tenant.admin, 'OTHER_CODE')).status).to.equal(404);
    const stranger = await createTestTenant();
    expect((await read(mine.body.backtest_id, stranger.admin)).status).to.equal(404);
    await finished(mine.body.backtest_id);
  });
});
