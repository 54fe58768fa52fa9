import { expect } from 'chai';
import { backtestJob } from '../../src/claims/backtest-job.js';
import { bearer, createTestTenant, createTestUser, type TestTenant, type TestUser } from '../helpers/actors.js';
import { createPolicyholderAs } from '../helpers/book.js';
import { addTerms, consultationClaim, PLUM_TERMS } from '../helpers/claims.js';
import { API, api } from '../helpers/context.js';
import { jobProcess, waitFor, type JobProcess } from '../helpers/jobs.js';
import { expectProblem } from '../helpers/problems.js';

// Consent notices and versions, a policyholder's decisions per purpose, and the processing each one gates:
// marketing (the derived marketing_consent) and analytics (the claims backtest's re-use of stored claims).

describe('consent', () => {
  let tenant: TestTenant;
  let agent: TestUser;
  let holder: string;

  const decide = async (body: Record<string, unknown>, status = 201) => {
    const res = await api().post(`${API}/policyholders/${holder}/consents`).set(...bearer(agent.token)).send(body);
    expect(res.status, res.text).to.equal(status);
    return res.body;
  };
  let worker: JobProcess | undefined;
  /** Runs a backtest (a job) to its end; returns how many claims it replayed. */
  const backtested = async () => {
    const res = await api().post(`${API}/claims/policy-terms/PLUM_OPD_2024/backtest`).set(...bearer(tenant.admin.token)).send({ terms: PLUM_TERMS });
    expect(res.status, res.text).to.equal(202);
    let run: { status?: string; report?: { claims_considered: number } } = {};
    await waitFor(async () => {
      run = (await api().get(`${API}/claims/policy-terms/PLUM_OPD_2024/backtests/${res.body.backtest_id}`)
        .set(...bearer(tenant.admin.token))).body;
      return run.status === 'completed' || run.status === 'failed';
    }, 60_000, 'the backtest');
    expect(run.status).to.equal('completed');
    return run.report?.claims_considered as number;
  };

  before(async () => {
    tenant = await createTestTenant();
    agent = await createTestUser(tenant, 'regional_manager', { agent: true });
    await addTerms(tenant);
    holder = await createPolicyholderAs(agent.token, { first_name: 'Consenting' });
    worker = await jobProcess([backtestJob], { workers: true });
  });
  after(async () => { await worker?.stop(); });

  it('publishes notices in versions per purpose', async () => {
    for (const title of ['Offers v1', 'Offers v2']) {
      const res = await api().post(`${API}/consent-notices`).set(...bearer(tenant.admin.token)).send({ purpose: 'marketing', title, body: 'We may send you offers.' });
      expect(res.status, res.text).to.equal(201);
    }
    const list = await api().get(`${API}/consent-notices?purpose=marketing`).set(...bearer(agent.token));
    expect(list.body.data.map((n: { version: number }) => n.version)).to.deep.equal([2, 1]);
    expectProblem(await api().post(`${API}/consent-notices`).set(...bearer(agent.token)).send({ purpose: 'marketing', title: 'x', body: 'y' }), 403);
  });

  it('records given and withdrawn with time, channel and notice; marketing_consent follows the latest decision', async () => {
    const given = await decide({ purpose: 'marketing', status: 'given', channel: 'app' });
    expect(given.current).to.deep.equal({ marketing: 'given' });
    expect(given.history[0]).to.include({ channel: 'app', notice_version: 2 });
    expect((await api().get(`${API}/policyholders/${holder}`).set(...bearer(agent.token))).body.marketing_consent).to.equal(true);
    const withdrawn = await decide({ purpose: 'marketing', status: 'withdrawn', channel: 'call_centre' });
    expect(withdrawn.current).to.deep.equal({ marketing: 'withdrawn' });
    expect((await api().get(`${API}/policyholders/${holder}`).set(...bearer(agent.token))).body.marketing_consent).to.equal(false);
    // The API field still works, and is recorded as a decision through the agent.
    await api().patch(`${API}/policyholders/${holder}`).set(...bearer(agent.token)).send({ marketing_consent: true }).expect(200);
    const after = await api().get(`${API}/policyholders/${holder}/consents`).set(...bearer(agent.token));
    expect(after.body.current).to.deep.equal({ marketing: 'given' });
    expect(after.body.history[0]).to.include({ status: 'given', channel: 'agent' });
    expect(after.body.history).to.have.length(3);
    await decide({ purpose: 'marketing', status: 'given', channel: 'fax' }, 400);
  });

  it('a withdrawn analytics consent takes the person out of the claims backtest', async () => {
    const claim = await api().post(`${API}/claims`).set(...bearer(agent.token)).send(consultationClaim(holder, { policy_terms_id: 'PLUM_OPD_2024' }));
    expect(claim.status, claim.text).to.equal(201);
    expect(await backtested()).to.equal(1);
    await decide({ purpose: 'analytics', status: 'withdrawn', channel: 'email' });
    expect(await backtested()).to.equal(0);
    await decide({ purpose: 'analytics', status: 'given', channel: 'email' });
    expect(await backtested()).to.equal(1);
  });
});
