import { expect } from 'chai';
import { addMonths } from '../../src/policies/calendar.js';
import { bearer, createTestTenant, createTestUser, type TestTenant, type TestUser } from '../helpers/actors.js';
import { activePolicy, createPolicy, createTestPolicyholder, monthsAgo, moveTo, pay, policyBody, today } from '../helpers/policies.js';
import { API, api } from '../helpers/context.js';
import { expectProblem } from '../helpers/problems.js';

describe('premium payments: exactly once, and the policy account moves with them', () => {
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

  async function policyNow(policyId: string) {
    const res = await api().get(`${API}/policies/${policyId}`).set(...bearer(junior.token));
    expect(res.status, res.text).to.equal(200);
    return res.body;
  }

  async function paymentsOf(policyId: string) {
    const res = await api().get(`${API}/policies/${policyId}/payments`).set(...bearer(junior.token));
    expect(res.status, res.text).to.equal(200);
    return res.body.data as { payment_id: string; status: string }[];
  }

  it('when 20 identical payments with one Idempotency-Key arrive at once, one payment exists and every reply is it', async () => {
    const policy = await activePolicy(admin, policyBody(holder, { start_date: '2026-01-31', premium_amount: 2500.5 }));
    const body = { policy_id: policy.policy_id, amount: 2500.5, payment_method: 'upi', payment_gateway: 'razorpay' };
    const replies = await Promise.all(Array.from({ length: 20 }, () => pay(junior.token, body, 'collect-2026-01-asha')));
    for (const reply of replies) expect(reply.status, reply.text).to.equal(201);
    const [first] = replies;
    for (const reply of replies) expect(reply.body).to.deep.equal(first?.body);
    expect(replies.filter((reply) => reply.headers['idempotent-replayed'] === 'true')).to.have.length(19);
    expect(await paymentsOf(policy.policy_id)).to.have.length(1);
    expect(first?.body).to.include({ amount: 2500.5, installments_covered: 1, due_date: '2026-01-31', status: 'completed',
      payment_date: today(), agent_id: junior.agent_id, created_by: junior.user_id });
    expect(await policyNow(policy.policy_id)).to.include({
      installments_paid: 1, total_payments: 1, total_premium_paid: 2500.5, last_payment_date: today(), next_payment_date: '2026-02-28',
    });
  });

  it('20 concurrent repeats of one gateway_transaction_id (no key) also record one payment', async () => {
    const policy = await activePolicy(admin, policyBody(holder, { premium_amount: 999.99 }));
    const body = { policy_id: policy.policy_id, amount: 999.99, payment_method: 'net_banking', gateway_transaction_id: 'pay_Nx81Qa' };
    const replies = await Promise.all(Array.from({ length: 20 }, () => pay(junior.token, body)));
    expect(new Set(replies.map((reply) => `${reply.status} ${reply.body.payment_id}`)).size).to.equal(1);
    expect(replies[0]?.status).to.equal(201);
    expect(await paymentsOf(policy.policy_id)).to.have.length(1);
  });

  it('a used key with another body is a 422 payment.idempotency_conflict, and records nothing', async () => {
    const policy = await activePolicy(admin, policyBody(holder, { premium_amount: 1000 }));
    const first = await pay(junior.token, { policy_id: policy.policy_id, amount: 1000, payment_method: 'cash' }, 'key-conflict-1');
    expect(first.status, first.text).to.equal(201);
    const other = await pay(junior.token, { policy_id: policy.policy_id, amount: 2000, payment_method: 'cash' }, 'key-conflict-1');
    expectProblem(other, 422, [], 'payment.idempotency_conflict');
    const gateway = await pay(junior.token, { policy_id: policy.policy_id, amount: 1000, payment_method: 'upi', gateway_transaction_id: 'g-1' });
    expect(gateway.status).to.equal(201);
    const reused = await pay(junior.token, { policy_id: policy.policy_id, amount: 2000, payment_method: 'upi', gateway_transaction_id: 'g-1' });
    expectProblem(reused, 422, [], 'payment.idempotency_conflict');
    expect(await paymentsOf(policy.policy_id)).to.have.length(2);
  });

  it('pays whole premiums only, in exact paise: three at once moves the due date three months', async () => {
    const policy = await activePolicy(admin, policyBody(holder, { start_date: '2026-01-31', premium_amount: 0.1 }));
    const part = await pay(junior.token, { policy_id: policy.policy_id, amount: 0.15, payment_method: 'upi' });
    expectProblem(part, 422, ['body.amount'], 'payment.amount_mismatch');
    const three = await pay(junior.token, { policy_id: policy.policy_id, amount: 0.3, payment_method: 'upi' });
    expect(three.status, three.text).to.equal(201);
    expect(three.body.installments_covered).to.equal(3);
    expect(await policyNow(policy.policy_id)).to.include({ total_premium_paid: 0.3, installments_paid: 3, next_payment_date: '2026-04-30' });
    const tooMuch = await pay(junior.token, { policy_id: policy.policy_id, amount: 1000, payment_method: 'upi' });
    expectProblem(tooMuch, 422, ['body.amount'], 'payment.amount_mismatch');
  });

  it('takes no payment for a proposal, nor one dated in the future; the first premium activates an approved policy', async () => {
    const draft = await createPolicy(junior.token, policyBody(holder, { premium_amount: 500 }));
    expectProblem(await pay(junior.token, { policy_id: draft.policy_id, amount: 500, payment_method: 'upi' }), 422, [],
      'payment.policy_not_payable');
    expectProblem(await pay(junior.token, { policy_id: draft.policy_id, amount: 500, payment_method: 'upi', payment_date: addMonths(today(), 1) }),
      400, ['body.payment_date']);
    // A future date is named with the other bad fields, in one answer.
    expectProblem(await pay(junior.token, { policy_id: draft.policy_id, amount: 500.555, payment_method: 'upi',
      payment_date: addMonths(today(), 1) }), 400, ['body.amount', 'body.payment_date']);
    await moveTo(admin, draft.policy_id, 'pending_approval', 'approved');
    expect((await pay(junior.token, { policy_id: draft.policy_id, amount: 500, payment_method: 'cheque' })).status).to.equal(201);
    const after = await policyNow(draft.policy_id);
    expect(after.status).to.equal('active');
    expect(after.status_history.at(-1)).to.include({ from_status: 'approved', to_status: 'active', source: 'payment',
      reason: 'first premium received', changed_by: junior.user_id });
  });

  it('a lapsed policy is revived by the payment that clears its arrears, not by one that leaves some past grace', async () => {
    const policy = await activePolicy(admin, policyBody(holder, { start_date: monthsAgo(3), premium_amount: 1200 }));
    const run = await api().post(`${API}/policies/lapse-run`).set(...bearer(admin)).send({});
    expect(run.body.policy_ids).to.include(policy.policy_id);
    expect(await policyNow(policy.policy_id)).to.include({ status: 'lapsed', lapsed_on: today(), outstanding_amount: 4800 });
    expect((await pay(junior.token, { policy_id: policy.policy_id, amount: 1200, payment_method: 'upi' })).status).to.equal(201);
    expect(await policyNow(policy.policy_id)).to.include({ status: 'lapsed', outstanding_amount: 3600 });
    expect((await pay(junior.token, { policy_id: policy.policy_id, amount: 2400, payment_method: 'upi' })).status).to.equal(201);
    const revived = await policyNow(policy.policy_id);
    expect(revived).to.include({ status: 'active', lapsed_on: null, next_payment_date: today(), outstanding_amount: 1200 });
    expect(revived.status_history.at(-1)).to.include({ from_status: 'lapsed', to_status: 'active', source: 'payment', reason: 'revived by payment' });
  });

  it('a refund takes the payment off the policy account; a second refund is refused', async () => {
    const policy = await activePolicy(admin, policyBody(holder, { start_date: '2026-01-31', premium_amount: 100 }));
    const first = await pay(junior.token, { policy_id: policy.policy_id, amount: 100, payment_method: 'upi', payment_date: '2026-02-01' });
    const second = await pay(junior.token, { policy_id: policy.policy_id, amount: 200, payment_method: 'upi' });
    expect(await policyNow(policy.policy_id)).to.include({ installments_paid: 3, total_premium_paid: 300, last_payment_date: today() });
    expectProblem(await api().post(`${API}/payments/${second.body.payment_id}/refund`).set(...bearer(junior.token)).send({ reason: 'x' }),
      403, [], 'access.forbidden');
    const blank = expectProblem(await api().post(`${API}/payments/${second.body.payment_id}/refund`).set(...bearer(manager.token))
      .send({ reason: '   ' }), 400, ['body.reason']);
    expect(blank.errors).to.deep.equal([{ path: 'body.reason', message: 'must not be empty' }]);
    const refund = await api().post(`${API}/payments/${second.body.payment_id}/refund`).set(...bearer(manager.token))
      .send({ reason: 'cheque bounced' });
    expect(refund.status, refund.text).to.equal(200);
    expect(refund.body).to.include({ status: 'refunded', refund_reason: 'cheque bounced', refunded_by: manager.user_id });
    expect(await policyNow(policy.policy_id)).to.include({
      installments_paid: 1, total_payments: 1, total_premium_paid: 100, last_payment_date: '2026-02-01', next_payment_date: '2026-02-28',
    });
    expectProblem(await api().post(`${API}/payments/${second.body.payment_id}/refund`).set(...bearer(manager.token)).send({ reason: 'again' }),
      409, [], 'payment.not_refundable');
    expect(first.status).to.equal(201);
  });

  it('takes no premium dated before the policy\'s application and start dates, and writes nothing', async () => {
    const policy = await activePolicy(admin, policyBody(holder, { premium_amount: 700 }));
    expectProblem(await pay(junior.token, { policy_id: policy.policy_id, amount: 700, payment_method: 'cash', payment_date: '2001-01-01' }),
      422, ['body.payment_date'], 'payment.before_application');
    expect(await paymentsOf(policy.policy_id)).to.deep.equal([]);
    expect(await policyNow(policy.policy_id)).to.include({ installments_paid: 0, total_payments: 0 });
    // A policy entered after the fact: premiums from its start date count, though it was applied for today.
    const entered = await activePolicy(admin, policyBody(holder, { start_date: monthsAgo(2), premium_amount: 700 }));
    expect((await pay(junior.token, { policy_id: entered.policy_id, amount: 700, payment_method: 'cash', payment_date: monthsAgo(2) })).status)
      .to.equal(201);
  });

  it('records a due_date only if it is the instalment the payment pays first, the policy\'s next due date', async () => {
    const policy = await activePolicy(admin, policyBody(holder, { start_date: monthsAgo(1), premium_amount: 400 }));
    expectProblem(await pay(junior.token, { policy_id: policy.policy_id, amount: 400, payment_method: 'upi', due_date: '1900-01-01' }),
      422, ['body.due_date'], 'payment.due_date_mismatch');
    expectProblem(await pay(junior.token, { policy_id: policy.policy_id, amount: 400, payment_method: 'upi', due_date: today() }),
      422, ['body.due_date'], 'payment.due_date_mismatch');
    expect(await paymentsOf(policy.policy_id)).to.deep.equal([]);
    const paid = await pay(junior.token, { policy_id: policy.policy_id, amount: 800, payment_method: 'upi', due_date: monthsAgo(1) });
    expect(paid.status, paid.text).to.equal(201);
    expect(paid.body).to.include({ due_date: monthsAgo(1), installments_covered: 2 });
  });

  it('refuses to refund a premium of a policy that has paid out, and shows nothing outstanding on a closed policy', async () => {
    const policy = await activePolicy(admin, policyBody(holder, {
      start_date: monthsAgo(13), policy_term_years: 1, premium_frequency: 'yearly', premium_amount: 900 }));
    const paid = await pay(junior.token, { policy_id: policy.policy_id, amount: 900, payment_method: 'upi', payment_date: monthsAgo(13) });
    expect(paid.status, paid.text).to.equal(201);
    await moveTo(admin, policy.policy_id, 'matured');
    expectProblem(await api().post(`${API}/payments/${paid.body.payment_id}/refund`).set(...bearer(manager.token)).send({ reason: 'oops' }),
      409, [], 'payment.not_refundable');
    expect(await policyNow(policy.policy_id)).to.include({ status: 'matured', installments_paid: 1, outstanding_amount: 0 });
    // Surrendered with premiums unpaid: none of them can be collected any more.
    const unpaid = await activePolicy(admin, policyBody(holder, { start_date: monthsAgo(3), premium_amount: 300 }));
    expect((await policyNow(unpaid.policy_id)).outstanding_amount).to.equal(1200);
    await moveTo(admin, unpaid.policy_id, 'surrendered');
    expect(await policyNow(unpaid.policy_id)).to.include({ status: 'surrendered', outstanding_amount: 0 });
  });

  it('reconciles a completed payment once (a repeat changes nothing); a refunded one is refused', async () => {
    const policy = await activePolicy(admin, policyBody(holder, { premium_amount: 300 }));
    const paid = await pay(junior.token, { policy_id: policy.policy_id, amount: 300, payment_method: 'nach' });
    const url = `${API}/payments/${paid.body.payment_id}/reconcile`;
    expectProblem(await api().post(url).set(...bearer(junior.token)).send({}), 403, [], 'access.forbidden');
    const done = await api().post(url).set(...bearer(admin)).send({ reference: 'UTR 4471' });
    expect(done.status, done.text).to.equal(200);
    expect(done.body).to.include({ reconciled: true, reconciliation_reference: 'UTR 4471' });
    const again = await api().post(url).set(...bearer(admin)).send({ reference: 'other' });
    expect(again.body).to.deep.equal(done.body);
    const other = await pay(junior.token, { policy_id: policy.policy_id, amount: 300, payment_method: 'nach' });
    await api().post(`${API}/payments/${other.body.payment_id}/refund`).set(...bearer(admin)).send({ reason: 'duplicate debit' });
    expectProblem(await api().post(`${API}/payments/${other.body.payment_id}/reconcile`).set(...bearer(admin)).send({}), 409, [],
      'payment.not_reconcilable');
  });

  it('lists payments by policy, agent, status, reconciliation and date range', async () => {
    const policy = await activePolicy(admin, policyBody(holder, { start_date: '2026-01-31', premium_amount: 10 }));
    for (const date of ['2026-02-01', '2026-03-01', '2026-04-01']) {
      await pay(junior.token, { policy_id: policy.policy_id, amount: 10, payment_method: 'upi', payment_date: date });
    }
    const march = await api().get(`${API}/payments?policy_id=${policy.policy_id}&from=2026-02-15&to=2026-03-31`).set(...bearer(junior.token));
    expect(march.body.data.map((row: { payment_date: string }) => row.payment_date)).to.deep.equal(['2026-03-01']);
    const mine = await api().get(`${API}/payments?agent_id=${junior.agent_id}&status=completed&limit=200`).set(...bearer(manager.token));
    expect(mine.body.data.length).to.be.greaterThan(3);
    expect(mine.body.data.every((row: { agent_id: string; status: string }) => row.agent_id === junior.agent_id && row.status === 'completed'))
      .to.equal(true);
    const unreconciled = await api().get(`${API}/payments?reconciled=false&policy_id=${policy.policy_id}`).set(...bearer(admin));
    expect(unreconciled.body.data).to.have.length(3);
    expectProblem(await api().get(`${API}/payments?from=2026-03-01&to=2026-02-01`).set(...bearer(admin)), 400, ['query.to']);
    expectProblem(await api().get(`${API}/payments?reconcilled=false`).set(...bearer(admin)), 400, ['query']);
    expectProblem(await pay(junior.token, { policy_id: policy.policy_id, amount: 10, payment_method: 'upi' }, 'has space'), 400,
      ['headers.idempotency-key']);
  });

  it('reports a bad Idempotency-Key in the same 400 as the bad body fields, and describes the key in the OpenAPI document', async () => {
    const policy = await activePolicy(admin, policyBody(holder, { start_date: '2026-01-31', premium_amount: 10 }));
    for (const key of ['has space', 'k'.repeat(256)]) {
      expectProblem(await pay(junior.token, { policy_id: policy.policy_id, amount: -1 }, key), 400,
        ['headers.idempotency-key', 'body.amount', 'body.payment_method']);
    }
    const empty = await api().post(`${API}/payments`).set(...bearer(junior.token)).set('Idempotency-Key', '')
      .send({ policy_id: policy.policy_id, amount: 10, payment_method: 'upi' });
    expectProblem(empty, 400, ['headers.idempotency-key']);
    expect(await paymentsOf(policy.policy_id)).to.deep.equal([]);
    const doc = await api().get('/openapi.json');
    const parameters = doc.body.paths['/payments'].post.parameters as { name: string; in: string; schema: { pattern?: string } }[];
    expect(parameters.find((parameter) => parameter.name === 'Idempotency-Key')?.schema.pattern).to.be.a('string');
  });
});
