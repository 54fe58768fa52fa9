import { expect } from 'chai';
import { bolaMatrix, bookFixture, type BookFixture } from '../helpers/book.js';
import { bearer } from '../helpers/actors.js';
import { API, api } from '../helpers/context.js';
import { activePolicy, pay, policyBody } from '../helpers/policies.js';

// Who may see and change what among policies and payments, route by route, for every route the router serves
// under /policies and /payments (the dashboard's case is in book-bola.test.ts, with the other /agents routes).
// Each request aims at juniorA's book; a record outside the caller's reach is a 404, an action the role lacks a 403.

describe('BOLA matrix: policies and payments', () => {
  let fixture: BookFixture;
  let policyA: string;
  let policyB: string;
  let paymentA: string;

  /** A fresh completed payment on juniorA's policy, for the routes that change a payment. */
  async function freshPaymentA(): Promise<string> {
    const res = await pay(fixture.token('admin'), { policy_id: policyA, amount: 100, payment_method: 'upi' });
    expect(res.status, res.text).to.equal(201);
    return res.body.payment_id;
  }

  before(async () => {
    fixture = await bookFixture();
    policyA = (await activePolicy(fixture.token('admin'), policyBody(fixture.policyholderA, { premium_amount: 100 }))).policy_id;
    policyB = (await activePolicy(fixture.token('admin'), policyBody(fixture.policyholderB, { premium_amount: 100 }))).policy_id;
    paymentA = await freshPaymentA();
  });

  const SEES_A = { juniorA: 200, juniorB: 404, senior: 200, manager: 200, admin: 200, otherAdmin: 404, policyholder: 200 };
  const LISTS_A = { juniorA: true, juniorB: false, senior: true, manager: true, admin: true, otherAdmin: false, policyholder: true };
  const LIST = { juniorA: 200, juniorB: 200, senior: 200, manager: 200, admin: 200, otherAdmin: 200, policyholder: 200 };

  bolaMatrix(['/policies', '/payments'], [
    { route: 'GET /policies', request: () => ({ path: '/policies?limit=200' }), expect: LIST,
      listed: { id: () => policyA, by: LISTS_A } },
    { route: 'POST /policies', request: (fx) => ({ path: '/policies', body: policyBody(fx.policyholderA) }),
      expect: { juniorA: 201, juniorB: 404, senior: 201, manager: 201, admin: 201, otherAdmin: 404, policyholder: 403 } },
    { route: 'POST /policies/lapse-run', request: () => ({ path: '/policies/lapse-run', body: {} }),
      expect: { juniorA: 403, juniorB: 403, senior: 403, manager: 403, admin: 200, otherAdmin: 200, policyholder: 403 } },
    { route: 'GET /policies/:policy_id', request: () => ({ path: `/policies/${policyA}` }), expect: SEES_A },
    { route: 'PATCH /policies/:policy_id', request: () => ({ path: `/policies/${policyA}`, body: { nominee_details: { name: 'Meera' } } }),
      expect: { ...SEES_A, policyholder: 403 } },
    // An active policy asked to become active: those who see it learn the move is illegal, the others that it is not there.
    { route: 'POST /policies/:policy_id/status', request: () => ({ path: `/policies/${policyA}/status`, body: { status: 'active' } }),
      expect: { juniorA: 409, juniorB: 404, senior: 409, manager: 409, admin: 409, otherAdmin: 404, policyholder: 403 } },
    { route: 'GET /policies/:policy_id/payments', request: () => ({ path: `/policies/${policyA}/payments` }), expect: SEES_A },
    { route: 'POST /payments', request: () => ({ path: '/payments', body: { policy_id: policyA, amount: 100, payment_method: 'upi' } }),
      expect: { juniorA: 201, juniorB: 404, senior: 201, manager: 201, admin: 201, otherAdmin: 404, policyholder: 403 } },
    { route: 'GET /payments', request: () => ({ path: '/payments?limit=200' }), expect: LIST,
      listed: { id: () => paymentA, by: LISTS_A } },
    { route: 'GET /payments/:payment_id', request: () => ({ path: `/payments/${paymentA}` }), expect: SEES_A },
    { route: 'POST /payments/:payment_id/reconcile', request: async () => ({ path: `/payments/${await freshPaymentA()}/reconcile`, body: {} }),
      expect: { juniorA: 403, juniorB: 403, senior: 403, manager: 200, admin: 200, otherAdmin: 404, policyholder: 403 } },
    { route: 'POST /payments/:payment_id/refund',
      request: async () => ({ path: `/payments/${await freshPaymentA()}/refund`, body: { reason: 'matrix' } }),
      expect: { juniorA: 403, juniorB: 403, senior: 403, manager: 200, admin: 200, otherAdmin: 404, policyholder: 403 } },
  ], () => fixture);

  it("filters never reach past the caller's book: juniorA asking for juniorB's agent, policy or policyholder gets nothing of B's", async () => {
    const agentB = fixture.users.juniorB.agent_id as string;
    for (const path of [`/policies?agent_id=${agentB}`, `/policies?policyholder_id=${fixture.policyholderB}`,
      `/payments?policy_id=${policyB}`, `/payments?agent_id=${agentB}`, '/policies?due=upcoming&due_within_days=365',
      `/agents/${agentB}/dashboard`]) {
      const res = await api().get(`${API}${path}`).set(...bearer(fixture.token('juniorA')));
      expect(JSON.stringify(res.body), path).not.to.contain(policyB);
      if (res.status === 200 && Array.isArray(res.body.data)) expect(res.body.data, path).to.satisfy((rows: { agent_id: string }[]) => rows.every((row) => row.agent_id !== agentB));
    }
    expect((await pay(fixture.token('juniorB'), { policy_id: policyA, amount: 100, payment_method: 'upi' })).status).to.equal(404);
  });

  it('V4.1.2 agent_id, tenant_id, status or created_by in a body cannot move a record out of reach (mass assignment)', async () => {
    const agentB = fixture.users.juniorB.agent_id as string;
    const moved = await api().patch(`${API}/policies/${policyA}`).set(...bearer(fixture.token('juniorA')))
      .send({ agent_id: agentB, tenant_id: fixture.otherTenant.tenant_id, created_by: fixture.users.juniorB.user_id, status: 'cancelled' });
    expect(moved.status).to.equal(400);
    const payment = await api().post(`${API}/payments`).set(...bearer(fixture.token('juniorA')))
      .send({ policy_id: policyA, amount: 100, payment_method: 'upi', agent_id: agentB, status: 'refunded', tenant_id: fixture.otherTenant.tenant_id });
    expect(payment.status).to.equal(400);
    const proposal = await api().post(`${API}/policies`).set(...bearer(fixture.token('juniorA')))
      .send({ ...policyBody(fixture.policyholderA), agent_id: agentB });
    expect(proposal.status).to.equal(400);
    const still = await api().get(`${API}/policies/${policyA}`).set(...bearer(fixture.token('juniorA')));
    expect(still.body).to.include({ agent_id: fixture.users.juniorA.agent_id, status: 'active' });
  });
});
