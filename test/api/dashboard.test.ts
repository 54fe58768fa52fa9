import { expect } from 'chai';
import { inOwnerTransaction } from '../../src/db/privileged.js';
import { enterTenant } from '../../src/db/scope.js';
import { addDays, addMonths, firstOfMonth, firstOfYear } from '../../src/policies/calendar.js';
import { bearer, createTestTenant, createTestUser, type TestTenant, type TestUser } from '../helpers/actors.js';
import { activePolicy, createPolicy, createTestPolicyholder, daysAgo, moveTo, pay, policyBody, today } from '../helpers/policies.js';
import { API, api, testDeps } from '../helpers/context.js';
import { expectProblem } from '../helpers/problems.js';

// A small book arranged by hand, and the dashboard's figures worked out by hand from it.
describe("the agent's dashboard: figures equal what the rows say", () => {
  let tenant: TestTenant;
  let senior: TestUser;
  let juniorA: TestUser;
  let juniorB: TestUser;
  /** The payment dated the last day of last month counts towards this year unless this is January. */
  let lastMonthInThisYear: boolean;

  before(async () => {
    tenant = await createTestTenant();
    const admin = tenant.admin.token;
    const manager = await createTestUser(tenant, 'regional_manager', { agent: true });
    senior = await createTestUser(tenant, 'senior_agent', { agent: true, parentAgentId: manager.agent_id });
    juniorA = await createTestUser(tenant, 'junior_agent', { agent: true, parentAgentId: senior.agent_id });
    juniorB = await createTestUser(tenant, 'junior_agent', { agent: true, parentAgentId: senior.agent_id });
    const a1 = await createTestPolicyholder(tenant, juniorA.agent_id as string, 'Anil');
    const a2 = await createTestPolicyholder(tenant, juniorA.agent_id as string, 'Bina');
    const gone = await createTestPolicyholder(tenant, juniorA.agent_id as string, 'Chetan');
    await inOwnerTransaction(testDeps().db, async (tx) => {
      await enterTenant(tx, tenant);
      await tx('policyholders').where({ policyholder_id: gone }).update({ status: 'inactive' });
    });
    const b1 = await createTestPolicyholder(tenant, juniorB.agent_id as string, 'Deepa');

    // A's book. P1: monthly 1,000 from 16 days ago, unpaid: overdue 1,000.
    await activePolicy(admin, policyBody(a1, { premium_amount: 1000, start_date: daysAgo(16) }));
    // P2: yearly 12,000 from today; paid and refunded, so still due today: due 12,000, nothing collected.
    const p2 = await activePolicy(admin, policyBody(a1, { premium_amount: 12000, premium_frequency: 'yearly', start_date: today() }));
    const paid = await pay(juniorA.token, { policy_id: p2.policy_id, amount: 12000, payment_method: 'upi' });
    await api().post(`${API}/payments/${paid.body.payment_id}/refund`).set(...bearer(admin)).send({ reason: 'mandate failed' });
    // P3: monthly 500 from a month ago, three premiums paid today (1,500 collected); next due in two months.
    const p3 = await activePolicy(admin, policyBody(a2, { premium_amount: 500, start_date: addMonths(today(), -1) }));
    expect((await pay(juniorA.token, { policy_id: p3.policy_id, amount: 1500, payment_method: 'cash' })).status).to.equal(201);
    // P4: lapsed. P5: a proposal.
    const p4 = await activePolicy(admin, policyBody(a2, { premium_amount: 700, start_date: daysAgo(100) }));
    await moveTo(admin, p4.policy_id, 'lapsed');
    await createPolicy(juniorA.token, policyBody(a2, { premium_amount: 900 }));
    // P6: monthly 100 from 14 months ago: 15 premiums due by today, 2 paid (one 14 months ago, one on the last
    // day of last month): overdue 13 x 100 = 1,300.
    const start = addMonths(today(), -14);
    const p6 = await activePolicy(admin, policyBody(a2, { premium_amount: 100, start_date: start }));
    const lastOfLastMonth = addDays(firstOfMonth(today()), -1);
    for (const date of [start, lastOfLastMonth]) {
      expect((await pay(juniorA.token, { policy_id: p6.policy_id, amount: 100, payment_method: 'upi', payment_date: date })).status).to.equal(201);
    }
    lastMonthInThisYear = lastOfLastMonth >= firstOfYear(today());

    // B's book. P7: monthly 2,000 from today: due 2,000.
    await activePolicy(admin, policyBody(b1, { premium_amount: 2000, start_date: today() }));
  });

  async function dashboard(token: string, agentId: string, team = false) {
    return api().get(`${API}/agents/${agentId}/dashboard${team ? '?include_team=true' : ''}`).set(...bearer(token));
  }

  it("counts a junior agent's own book", async () => {
    const res = await dashboard(juniorA.token, juniorA.agent_id as string);
    expect(res.status, res.text).to.equal(200);
    expect(res.body).to.deep.equal({
      agent_id: juniorA.agent_id, include_team: false, as_of: today(),
      policyholders: 2,
      policies: { active: 4, lapsed: 1, total: 6 },
      premium_collected: {
        this_month: 1500, this_year: lastMonthInThisYear ? 1600 : 1500,
        payments_this_month: 1, payments_this_year: lastMonthInThisYear ? 2 : 1,
      },
      due: { within_days: 30, count: 1, amount: 12000 },
      overdue: { count: 2, amount: 2300 },
    });
  });

  it("adds up the team's books below a senior agent, and only with include_team", async () => {
    const own = await dashboard(senior.token, senior.agent_id as string);
    expect(own.body).to.deep.include({ policyholders: 0, policies: { active: 0, lapsed: 0, total: 0 },
      due: { within_days: 30, count: 0, amount: 0 }, overdue: { count: 0, amount: 0 } });
    const team = await dashboard(senior.token, senior.agent_id as string, true);
    expect(team.status, team.text).to.equal(200);
    expect(team.body).to.deep.include({
      include_team: true, policyholders: 3, policies: { active: 5, lapsed: 1, total: 7 },
      due: { within_days: 30, count: 2, amount: 14000 }, overdue: { count: 2, amount: 2300 },
    });
    expect(team.body.premium_collected.this_month).to.equal(1500);
    const ofA = await dashboard(senior.token, juniorA.agent_id as string);
    expect(ofA.body.policies).to.deep.equal({ active: 4, lapsed: 1, total: 6 });
  });

  it('adds up a book whose premiums pass 10^12 rupees, which no single amount may', async () => {
    const agent = await createTestUser(tenant, 'junior_agent', { agent: true });
    const holder = await createTestPolicyholder(tenant, agent.agent_id as string, 'Tata');
    const admin = tenant.admin.token;
    const largest = await activePolicy(admin, policyBody(holder, {
      premium_amount: 99999999999.99, premium_frequency: 'yearly', policy_term_years: 10, sum_assured: 999999999999.99,
    }));
    const small = await activePolicy(admin, policyBody(holder, { premium_amount: 1000, premium_frequency: 'yearly' }));
    for (const [policy, amount] of [[largest, 999999999999.9], [small, 1000]] as const) {
      expect((await pay(admin, { policy_id: policy.policy_id, amount, payment_method: 'nach' })).status).to.equal(201);
    }
    const res = await dashboard(agent.token, agent.agent_id as string);
    expect(res.status, res.text).to.equal(200);
    expect(res.body.premium_collected.this_year).to.equal(1000000000999.9);
  });

  it("is a 404 for an agent outside the caller's reach, in this tenant or another", async () => {
    expectProblem(await dashboard(juniorA.token, juniorB.agent_id as string), 404, [], 'agent.not_found');
    expectProblem(await dashboard(juniorA.token, senior.agent_id as string, true), 404, [], 'agent.not_found');
    const other = await createTestTenant();
    expectProblem(await dashboard(other.admin.token, juniorA.agent_id as string), 404, [], 'agent.not_found');
    const admin = await dashboard(tenant.admin.token, juniorB.agent_id as string);
    expect(admin.body).to.deep.include({ policyholders: 1, due: { within_days: 30, count: 1, amount: 2000 } });
  });
});
