import { expect } from 'chai';
import { inOwnerTransaction } from '../../src/db/privileged.js';
import { enterTenant } from '../../src/db/scope.js';
import { API_ENDPOINTS } from '../../src/endpoints.js';
import { bearer, createTestTenant, createTestUser, login, TEST_PASSWORD, type TestTenant, type TestUser } from '../helpers/actors.js';
import { activePolicy, createTestPolicyholder, pay, policyBody } from '../helpers/policies.js';
import { API, api, testDeps } from '../helpers/context.js';

// Who reaches what among policies, payments and dashboards: every such route of the router, called on junior agent
// A's records by A, by A's sibling B, by their senior, by the provider admin, by another tenant's admin and by the
// policyholder user whose policy it is. Anything the caller cannot see is a 404, exactly like a missing record.

type Who = 'juniorA' | 'juniorB' | 'senior' | 'admin' | 'otherAdmin' | 'policyholder';
const WHO: Who[] = ['juniorA', 'juniorB', 'senior', 'admin', 'otherAdmin', 'policyholder'];

interface World {
  tokens: Record<Who, string>;
  holderA: string; policyA: string; paymentA: string; refundableA: string; agentA: string;
  holderB: string; policyB: string; paymentB: string; agentB: string;
}

interface Case {
  readonly call: (world: World) => { method: 'get' | 'post' | 'patch'; url: string; body?: object; key?: string };
  readonly expect: Record<Who, number>;
  /** For lists: which of A's and B's records each caller finds. */
  readonly lists?: (world: World) => { ids: (body: { data: Record<string, string>[] }) => string[]; a: string; b: string };
}

const SEE_A = { juniorA: 200, juniorB: 404, senior: 200, admin: 200, otherAdmin: 404, policyholder: 200 } as const;
const LIST = { juniorA: 200, juniorB: 200, senior: 200, admin: 200, otherAdmin: 200, policyholder: 200 } as const;
const FINDS_A: Record<Who, boolean> = { juniorA: true, juniorB: false, senior: true, admin: true, otherAdmin: false, policyholder: true };
const FINDS_B: Record<Who, boolean> = { juniorA: false, juniorB: true, senior: true, admin: true, otherAdmin: false, policyholder: false };

const CASES: Record<string, Case> = {
  'get /policies': { call: () => ({ method: 'get', url: '/policies?limit=200' }), expect: LIST,
    lists: (w) => ({ ids: (body) => body.data.map((row) => row.policy_id as string), a: w.policyA, b: w.policyB }) },
  'post /policies': { call: (w) => ({ method: 'post', url: '/policies', body: policyBody(w.holderA) }),
    expect: { juniorA: 201, juniorB: 404, senior: 201, admin: 201, otherAdmin: 404, policyholder: 403 } },
  'post /policies/lapse-run': { call: () => ({ method: 'post', url: '/policies/lapse-run', body: {} }),
    expect: { juniorA: 403, juniorB: 403, senior: 403, admin: 200, otherAdmin: 200, policyholder: 403 } },
  'get /policies/:policy_id': { call: (w) => ({ method: 'get', url: `/policies/${w.policyA}` }), expect: SEE_A },
  'patch /policies/:policy_id': {
    call: (w) => ({ method: 'patch', url: `/policies/${w.policyA}`, body: { nominee_details: { name: 'Meera' } } }),
    expect: { ...SEE_A, policyholder: 403 } },
  'post /policies/:policy_id/status': {
    // An active policy asked to become active: those who see it learn the move is illegal, others that it is not there.
    call: (w) => ({ method: 'post', url: `/policies/${w.policyA}/status`, body: { status: 'active' } }),
    expect: { juniorA: 409, juniorB: 404, senior: 409, admin: 409, otherAdmin: 404, policyholder: 403 } },
  'get /policies/:policy_id/payments': { call: (w) => ({ method: 'get', url: `/policies/${w.policyA}/payments` }), expect: SEE_A },
  'post /payments': {
    call: (w) => ({ method: 'post', url: '/payments', body: { policy_id: w.policyA, amount: 100, payment_method: 'upi' } }),
    expect: { juniorA: 201, juniorB: 404, senior: 201, admin: 201, otherAdmin: 404, policyholder: 403 } },
  'get /payments': { call: () => ({ method: 'get', url: '/payments?limit=200' }), expect: LIST,
    lists: (w) => ({ ids: (body) => body.data.map((row) => row.payment_id as string), a: w.paymentA, b: w.paymentB }) },
  'get /payments/:payment_id': { call: (w) => ({ method: 'get', url: `/payments/${w.paymentA}` }), expect: SEE_A },
  'post /payments/:payment_id/reconcile': {
    call: (w) => ({ method: 'post', url: `/payments/${w.paymentA}/reconcile`, body: {} }),
    expect: { juniorA: 403, juniorB: 403, senior: 403, admin: 200, otherAdmin: 404, policyholder: 403 } },
  'post /payments/:payment_id/refund': {
    call: (w) => ({ method: 'post', url: `/payments/${w.refundableA}/refund`, body: { reason: 'matrix' } }),
    expect: { juniorA: 403, juniorB: 403, senior: 403, admin: 200, otherAdmin: 404, policyholder: 403 } },
  'get /agents/:agent_id/dashboard': { call: (w) => ({ method: 'get', url: `/agents/${w.agentA}/dashboard` }),
    expect: { ...SEE_A, policyholder: 403 } },
};

/** The routes this matrix answers for, taken from the router: a new one fails the first test until it has a case. */
const ROUTES = API_ENDPOINTS.map(({ spec }) => spec)
  .filter((spec) => /^\/(policies|payments)(\/|$)/.test(spec.path) || spec.path === '/agents/:agent_id/dashboard')
  .map((spec) => `${spec.method} ${spec.path}`);

describe('policies, payments and dashboards: who sees and changes what (BOLA matrix)', () => {
  let world: World;

  before(async () => {
    const tenant: TestTenant = await createTestTenant();
    const other = await createTestTenant();
    const senior = await createTestUser(tenant, 'senior_agent', { agent: true });
    const juniorA: TestUser = await createTestUser(tenant, 'junior_agent', { agent: true, parentAgentId: senior.agent_id });
    const juniorB: TestUser = await createTestUser(tenant, 'junior_agent', { agent: true, parentAgentId: senior.agent_id });
    const holderA = await createTestPolicyholder(tenant, juniorA.agent_id as string);
    const holderB = await createTestPolicyholder(tenant, juniorB.agent_id as string);
    const customer = await createTestUser(tenant, 'policyholder');
    await inOwnerTransaction(testDeps().db, async (tx) => {
      await enterTenant(tx, tenant);
      await tx('users').where({ user_id: customer.user_id }).update({ policyholder_id: holderA });
    });
    const customerToken = (await login({ tenant: tenant.tenant_code, email: customer.email, password: TEST_PASSWORD })).access_token;
    const policyA = await activePolicy(tenant.admin.token, policyBody(holderA, { premium_amount: 100 }));
    const policyB = await activePolicy(tenant.admin.token, policyBody(holderB, { premium_amount: 100 }));
    const paymentA = await pay(juniorA.token, { policy_id: policyA.policy_id, amount: 100, payment_method: 'upi' });
    const refundableA = await pay(juniorA.token, { policy_id: policyA.policy_id, amount: 100, payment_method: 'upi' });
    const paymentB = await pay(juniorB.token, { policy_id: policyB.policy_id, amount: 100, payment_method: 'upi' });
    world = {
      tokens: { juniorA: juniorA.token, juniorB: juniorB.token, senior: senior.token, admin: tenant.admin.token,
        otherAdmin: other.admin.token, policyholder: customerToken },
      holderA, policyA: policyA.policy_id, paymentA: paymentA.body.payment_id, refundableA: refundableA.body.payment_id,
      agentA: juniorA.agent_id as string, holderB, policyB: policyB.policy_id, paymentB: paymentB.body.payment_id,
      agentB: juniorB.agent_id as string,
    };
  });

  it('has a case for every policy, payment and dashboard route of the router', () => {
    expect(ROUTES.length).to.be.greaterThan(10);
    expect(ROUTES.filter((route) => !CASES[route])).to.deep.equal([]);
  });

  for (const [route, matrixCase] of Object.entries(CASES)) {
    it(`${route}: ${WHO.map((who) => `${who} ${matrixCase.expect[who]}`).join(', ')}`, async () => {
      for (const who of WHO) {
        const { method, url, body } = matrixCase.call(world);
        const res = await api()[method](`${API}${url}`).set(...bearer(world.tokens[who])).send(body);
        expect(res.status, `${who}: ${res.text}`).to.equal(matrixCase.expect[who]);
        if (!matrixCase.lists) continue;
        const { ids, a, b } = matrixCase.lists(world);
        const found = ids(res.body);
        expect(found.includes(a), `${who} finds A's record`).to.equal(FINDS_A[who]);
        expect(found.includes(b), `${who} finds B's record`).to.equal(FINDS_B[who]);
      }
    });
  }

  it("filters never reach past the caller's book: A asking for B's agent, policy or policyholder gets empty pages", async () => {
    for (const url of [`/policies?agent_id=${world.agentB}`, `/policies?policyholder_id=${world.holderB}`,
      `/payments?policy_id=${world.policyB}`, `/payments?agent_id=${world.agentB}`, '/policies?due=upcoming&due_within_days=365']) {
      const res = await api().get(`${API}${url}`).set(...bearer(world.tokens.juniorA));
      expect(res.status, res.text).to.equal(200);
      expect(JSON.stringify(res.body.data), url).not.to.contain(world.policyB);
    }
    const replay = await pay(world.tokens.juniorB, { policy_id: world.policyA, amount: 100, payment_method: 'upi' });
    expect(replay.status).to.equal(404);
  });

  it('ownership fields in a body cannot move a record out of reach (mass assignment)', async () => {
    const moved = await api().patch(`${API}/policies/${world.policyA}`).set(...bearer(world.tokens.juniorA))
      .send({ agent_id: world.agentB, tenant_id: '00000000-0000-4000-8000-000000000000', created_by: world.agentB });
    expect(moved.status).to.equal(400);
    const payment = await api().post(`${API}/payments`).set(...bearer(world.tokens.juniorA))
      .send({ policy_id: world.policyA, amount: 100, payment_method: 'upi', agent_id: world.agentB, status: 'refunded', tenant_id: world.agentB });
    expect(payment.status).to.equal(400);
    const still = await api().get(`${API}/policies/${world.policyA}`).set(...bearer(world.tokens.juniorA));
    expect(still.body.agent_id).to.equal(world.agentA);
  });
});
