import { expect } from 'chai';
import { addMonths } from '../../src/policies/calendar.js';
import { LEGAL_MOVES, POLICY_STATUSES, type PolicyStatus } from '../../src/policies/lifecycle.js';
import { bearer, createTestTenant, createTestUser, type TestTenant, type TestUser } from '../helpers/actors.js';
import { createPolicy, createTestPolicyholder, daysAgo, moveTo, policyBody, today } from '../helpers/policies.js';
import { API, api } from '../helpers/context.js';
import { expectProblem } from '../helpers/problems.js';

describe('policies: proposals, derived schedule and lifecycle', () => {
  let tenant: TestTenant;
  let admin: string;
  let manager: TestUser;
  let junior: TestUser;
  let holder: string;

  before(async () => {
    tenant = await createTestTenant();
    admin = tenant.admin.token;
    manager = await createTestUser(tenant, 'regional_manager', { agent: true });
    junior = await createTestUser(tenant, 'junior_agent', { agent: true, parentAgentId: manager.agent_id });
    holder = await createTestPolicyholder(tenant, junior.agent_id as string);
  });

  it("an agent proposes a policy for its policyholder; the schedule is derived and the policy joins the policyholder's agent's book", async () => {
    const policy = await createPolicy(junior.token, policyBody(holder, {
      start_date: '2026-01-31', policy_term_years: 10, premium_paying_term_years: 7, premium_amount: 1350.5,
    }));
    expect(policy).to.include({
      status: 'draft', agent_id: junior.agent_id, policyholder_id: holder, category: 'life', premium_mode: 'limited_pay',
      premium_amount: 1350.5, sum_assured: 500000, maturity_date: '2036-01-31', next_payment_date: '2026-01-31',
      installments_total: 84, installments_paid: 0, grace_period_days: 15, revival_period_months: 60, created_by: junior.user_id,
    });
    expect(policy.policy_number).to.match(/^P\d{4}[0-9A-Z]{10}$/);
    expect(policy.status_history).to.have.length(1);
    expect(policy.status_history[0]).to.include({ from_status: null, to_status: 'draft', changed_by: junior.user_id, source: 'api' });
  });

  it('a health policy is category health and keeps its plan_code for the claims module', async () => {
    const policy = await createPolicy(junior.token, policyBody(holder, {
      policy_type: 'health', plan_name: 'OPD Care', plan_code: 'PLUM_OPD_2024', premium_frequency: 'yearly', policy_term_years: 1,
      start_date: '2026-04-01',
    }));
    expect(policy).to.include({ category: 'health', plan_code: 'PLUM_OPD_2024', renewal_date: '2027-04-01', grace_period_days: 30 });
  });

  it('refuses derived and ownership fields in bodies (mass assignment), naming each', async () => {
    const res = await api().post(`${API}/policies`).set(...bearer(junior.token)).send(policyBody(holder, {
      agent_id: manager.agent_id, tenant_id: tenant.tenant_id, status: 'active', created_by: manager.user_id,
      next_payment_date: '2030-01-01', outstanding_amount: 0,
    }));
    const problem = expectProblem(res, 400, [], 'request.invalid');
    expect(JSON.stringify(problem.errors)).to.contain('agent_id').and.contain('tenant_id').and.contain('status')
      .and.contain('created_by').and.contain('next_payment_date');
    const policy = await createPolicy(junior.token, policyBody(holder));
    const patch = await api().patch(`${API}/policies/${policy.policy_id}`).set(...bearer(admin))
      .send({ status: 'active', agent_id: manager.agent_id, installments_paid: 5 });
    expectProblem(patch, 400, [], 'request.invalid');
    const after = await api().get(`${API}/policies/${policy.policy_id}`).set(...bearer(junior.token));
    expect(after.body).to.include({ status: 'draft', agent_id: junior.agent_id, installments_paid: 0 });
  });

  it('a policy number is unique in the tenant', async () => {
    await createPolicy(junior.token, policyBody(holder, { policy_number: 'lic-2026-000123' }));
    const res = await api().post(`${API}/policies`).set(...bearer(admin)).send(policyBody(holder, { policy_number: 'LIC-2026-000123' }));
    expectProblem(res, 409, [], 'resource.duplicate');
  });

  it('refuses impossible terms: a paying term past the policy term, a non-date, a zero premium, a future application', async () => {
    const res = await api().post(`${API}/policies`).set(...bearer(junior.token)).send(policyBody(holder, {
      premium_paying_term_years: 20, policy_term_years: 10,
    }));
    expectProblem(res, 400, ['body.premium_paying_term_years']);
    const bad = await api().post(`${API}/policies`).set(...bearer(junior.token)).send(policyBody(holder, {
      start_date: '2026-02-30', premium_amount: 0, sum_assured: 10.005, application_date: addMonths(today(), 1),
    }));
    expectProblem(bad, 400, ['body.start_date', 'body.premium_amount', 'body.sum_assured', 'body.application_date']);
    const future = await api().post(`${API}/policies`).set(...bearer(junior.token)).send(policyBody(holder, {
      application_date: addMonths(today(), 1),
    }));
    expectProblem(future, 400, ['body.application_date']);
  });

  it('refuses a start date whose maturity would pass year 9999 (a later move or payment failed on its five-digit dates)', async () => {
    const res = await api().post(`${API}/policies`).set(...bearer(junior.token)).send(policyBody(holder, {
      start_date: '9999-12-31', policy_term_years: 100,
    }));
    expectProblem(res, 400, ['body.start_date'], 'request.invalid');
    const last = await createPolicy(junior.token, policyBody(holder, { start_date: '9989-12-31', policy_term_years: 10 }));
    expect(last).to.include({ maturity_date: '9999-12-31' });
    const patched = await api().patch(`${API}/policies/${last.policy_id}`).set(...bearer(junior.token)).send({ policy_term_years: 11 });
    expectProblem(patched, 400, ['body.start_date'], 'request.invalid');
  });

  it('refuses money a NUMERIC(14, 2) column cannot hold, naming the field instead of failing in the database', async () => {
    const huge = await api().post(`${API}/policies`).set(...bearer(junior.token)).send(policyBody(holder, {
      sum_assured: 9999999999999.99,
    }));
    expectProblem(huge, 400, ['body.sum_assured'], 'request.invalid');
    // Each premium fits, but 180 of them would not: the premium paid and outstanding are such sums.
    const total = await api().post(`${API}/policies`).set(...bearer(junior.token)).send(policyBody(holder, {
      premium_amount: 99999999999.99,
    }));
    expectProblem(total, 400, ['body.premium_amount'], 'request.invalid');
    const policy = await createPolicy(junior.token, policyBody(holder));
    const patched = await api().patch(`${API}/policies/${policy.policy_id}`).set(...bearer(junior.token))
      .send({ premium_amount: 99999999999.99 });
    expectProblem(patched, 400, ['body.premium_amount'], 'request.invalid');
  });

  it('terms change (and the schedule with them) before approval, and are locked after', async () => {
    const policy = await createPolicy(junior.token, policyBody(holder, { start_date: '2026-03-31' }));
    const changed = await api().patch(`${API}/policies/${policy.policy_id}`).set(...bearer(junior.token))
      .send({ premium_frequency: 'quarterly', premium_amount: 7500 });
    expect(changed.status, changed.text).to.equal(200);
    expect(changed.body).to.include({ premium_frequency: 'quarterly', installments_total: 60, grace_period_days: 30, premium_amount: 7500 });
    await moveTo(admin, policy.policy_id, 'pending_approval', 'approved');
    const locked = await api().patch(`${API}/policies/${policy.policy_id}`).set(...bearer(junior.token)).send({ premium_amount: 1 });
    expectProblem(locked, 409, [], 'policy.terms_locked');
    const renamed = await api().patch(`${API}/policies/${policy.policy_id}`).set(...bearer(junior.token)).send({ plan_name: 'Other plan' });
    expectProblem(renamed, 409, [], 'policy.terms_locked');
    const nominee = await api().patch(`${API}/policies/${policy.policy_id}`).set(...bearer(junior.token))
      .send({ nominee_details: { name: 'Ravi', relation: 'son' } });
    expect(nominee.status, nominee.text).to.equal(200);
    expect(nominee.body.nominee_details).to.deep.equal({ name: 'Ravi', relation: 'son' });
  });

  it('a premium paying term left to its default follows the policy term and a single premium turned regular', async () => {
    const patch = (id: string, body: Record<string, unknown>) =>
      api().patch(`${API}/policies/${id}`).set(...bearer(junior.token)).send(body);
    const regular = await createPolicy(junior.token, policyBody(holder, { premium_frequency: 'yearly', policy_term_years: 10 }));
    const longer = await patch(regular.policy_id, { policy_term_years: 20 });
    expect(longer.status, longer.text).to.equal(200);
    expect(longer.body).to.include({ premium_mode: 'regular', premium_paying_term_years: 20, installments_total: 20 });
    const shorter = await patch(regular.policy_id, { policy_term_years: 5 });
    expect(shorter.status, shorter.text).to.equal(200);
    expect(shorter.body).to.include({ premium_mode: 'regular', premium_paying_term_years: 5, installments_total: 5 });

    const single = await createPolicy(junior.token, policyBody(holder, {
      premium_frequency: 'single', premium_amount: 50000, policy_term_years: 10,
    }));
    expect(single).to.include({ premium_mode: 'single', premium_paying_term_years: 1, installments_total: 1 });
    const monthly = await patch(single.policy_id, { premium_frequency: 'monthly', premium_amount: 500 });
    expect(monthly.status, monthly.text).to.equal(200);
    expect(monthly.body).to.include({ premium_mode: 'regular', premium_paying_term_years: 10, installments_total: 120 });

    // A limited paying term given on purpose stays as it was.
    const limited = await createPolicy(junior.token, policyBody(holder, {
      premium_frequency: 'yearly', policy_term_years: 20, premium_paying_term_years: 10,
    }));
    const kept = await patch(limited.policy_id, { policy_term_years: 25 });
    expect(kept.body).to.include({ premium_mode: 'limited_pay', premium_paying_term_years: 10, installments_total: 10 });
  });

  it('an agent submits its proposal, but approving is a decision it may not take', async () => {
    const policy = await createPolicy(junior.token, policyBody(holder));
    await moveTo(junior.token, policy.policy_id, 'pending_approval');
    const approve = await api().post(`${API}/policies/${policy.policy_id}/status`).set(...bearer(junior.token)).send({ status: 'approved' });
    expectProblem(approve, 403, [], 'access.forbidden');
    const approved = await moveTo(manager.token, policy.policy_id, 'approved');
    expect(approved).to.include({ status: 'approved', approval_date: today(), approved_by: manager.user_id });
    expect(approved.status_history.map((change: { to_status: string }) => change.to_status))
      .to.deep.equal(['draft', 'pending_approval', 'approved']);
    expect(approved.status_history[2]).to.include({ changed_by: manager.user_id, reason: 'test', from_status: 'pending_approval' });
  });

  describe('every move from every status, through the API', () => {
    // How to reach each status from draft; the policy started 400 days ago on a yearly one-year term, so it is
    // past the grace period of its unpaid premium (it may lapse) and past its maturity date (it may mature).
    const PATH: Record<PolicyStatus, PolicyStatus[]> = {
      draft: [], pending_approval: ['pending_approval'], under_review: ['pending_approval', 'under_review'],
      approved: ['pending_approval', 'approved'], active: ['pending_approval', 'approved', 'active'],
      lapsed: ['pending_approval', 'approved', 'active', 'lapsed'],
      surrendered: ['pending_approval', 'approved', 'active', 'surrendered'],
      matured: ['pending_approval', 'approved', 'active', 'matured'],
      claimed: ['pending_approval', 'approved', 'active', 'claimed'], cancelled: ['cancelled'],
    };
    /** Legal moves the dates refuse: a lapsed policy with arrears is revived by paying them, not by a status change. */
    const DATE_RULE: Partial<Record<string, string>> = { 'lapsed>active': 'policy.premium_overdue' };

    async function policyIn(status: PolicyStatus): Promise<string> {
      const policy = await createPolicy(admin, policyBody(holder, {
        premium_frequency: 'yearly', policy_term_years: 1, start_date: daysAgo(400),
      }));
      await moveTo(admin, policy.policy_id, ...PATH[status]);
      return policy.policy_id;
    }

    for (const from of POLICY_STATUSES) {
      it(`from ${from}: ${LEGAL_MOVES[from].join(', ') || 'nothing'} legal, the rest 409 policy.illegal_transition`, async () => {
        const unchanged = await policyIn(from);
        for (const to of POLICY_STATUSES) {
          const legal = LEGAL_MOVES[from].includes(to);
          const policyId = legal ? await policyIn(from) : unchanged;
          const res = await api().post(`${API}/policies/${policyId}/status`).set(...bearer(admin)).send({ status: to, reason: 'matrix' });
          const dateRule = DATE_RULE[`${from}>${to}`];
          if (!legal) expectProblem(res, 409, [], 'policy.illegal_transition');
          else if (dateRule) expectProblem(res, 409, [], dateRule as never);
          else {
            expect(res.status, `${from} -> ${to}: ${res.text}`).to.equal(200);
            expect(res.body.status).to.equal(to);
            expect(res.body.status_history.at(-1)).to.include({ from_status: from, to_status: to, reason: 'matrix', source: 'api' });
          }
        }
        const after = await api().get(`${API}/policies/${unchanged}`).set(...bearer(admin));
        expect(after.body.status).to.equal(from);
      });
    }
  });

  it('lists by status and policyholder; an active policy cannot lapse before its grace period ends', async () => {
    const policy = await createPolicy(junior.token, policyBody(holder, { start_date: today() }));
    await moveTo(admin, policy.policy_id, 'pending_approval', 'approved', 'active');
    const early = await api().post(`${API}/policies/${policy.policy_id}/status`).set(...bearer(admin)).send({ status: 'lapsed' });
    expectProblem(early, 409, [], 'policy.not_overdue');
    const list = await api().get(`${API}/policies?status=active&policyholder_id=${holder}`).set(...bearer(junior.token));
    expect(list.status, list.text).to.equal(200);
    expect(list.body.data.map((row: { policy_id: string }) => row.policy_id)).to.include(policy.policy_id);
    expect(list.body.data.every((row: { status: string }) => row.status === 'active')).to.equal(true);
    // A misspelt filter is refused, as on /agents and /policyholders, rather than ignored (which would list everything).
    expectProblem(await api().get(`${API}/policies?stauts=active`).set(...bearer(junior.token)), 400, ['query']);
    expectProblem(await api().get(`${API}/policies/${policy.policy_id}/payments?statsu=completed`).set(...bearer(junior.token)),
      400, ['query']);
  });
});
