import { expect } from 'chai';
import { addDays, businessToday } from '../../src/policies/calendar.js';
import { bearer, createTestUser, type TestUser } from '../helpers/actors.js';
import { bookFixture, createPolicyholderAs, type BookFixture } from '../helpers/book.js';
import { API, api } from '../helpers/context.js';
import { expectProblem, UNKNOWN_ID } from '../helpers/problems.js';

describe('policyholders API', () => {
  let fx: BookFixture;
  let juniorA: string;

  before(async () => {
    fx = await bookFixture();
    juniorA = fx.token('juniorA');
  });

  const get = (token: string, id: string) => api().get(`${API}/policyholders/${id}`).set(...bearer(token));
  const patch = (token: string, id: string, body: Record<string, unknown>) =>
    api().patch(`${API}/policyholders/${id}`).set(...bearer(token)).send(body);
  const search = async (token: string, q: string) => {
    const res = await api().get(`${API}/policyholders`).query({ q, limit: 200 }).set(...bearer(token));
    expect(res.status, res.text).to.equal(200);
    return (res.body.data as { policyholder_id: string }[]).map((row) => row.policyholder_id);
  };

  it('creates a full record in the caller\'s own book: money in rupees, pre-existing conditions, canonical fields', async () => {
    const res = await api().post(`${API}/policyholders`).set(...bearer(juniorA)).send({
      salutation: 'Smt', first_name: ' Lakshmi ', last_name: 'Narayanan', date_of_birth: '1980-07-15', gender: 'female',
      email: 'Lakshmi.N@Example.IN', phone_number: '+919812345678', customer_id: 'cust-0001',
      address: { line1: '12 MG Road', city: 'Bengaluru', state: 'Karnataka', pincode: '560001' },
      marital_status: 'married', occupation: 'Architect', annual_income: 1250000.5,
      pre_existing_conditions: [{ condition: 'Type 2 diabetes', diagnosed_on: '2019-04-01' }, { condition: 'Hypertension' }],
      nominee_details: { name: 'Ravi Narayanan', relationship: 'spouse', share_percent: 100 },
    });
    expect(res.status, res.text).to.equal(201);
    expect(res.body).to.include({ first_name: 'Lakshmi', email: 'lakshmi.n@example.in', customer_id: 'CUST-0001',
      annual_income: 1250000.5, agent_id: fx.users.juniorA.agent_id, status: 'active', user_id: null });
    expect(res.body.address).to.deep.equal({ line1: '12 MG Road', city: 'Bengaluru', state: 'Karnataka', pincode: '560001', country: 'IN' });
    expect(res.body.pre_existing_conditions).to.deep.equal([{ condition: 'Type 2 diabetes', diagnosed_on: '2019-04-01' }, { condition: 'Hypertension' }]);
    expect((await get(juniorA, res.body.policyholder_id)).body).to.deep.equal(res.body);
  });

  it('names annual_income when it is too large for its NUMERIC(14, 2) column', async () => {
    const res = await api().post(`${API}/policyholders`).set(...bearer(juniorA)).send({
      first_name: 'Crorepati', annual_income: 9999999999999.99,
    });
    expectProblem(res, 400, ['body.annual_income'], 'request.invalid');
  });

  it('names date_of_birth for a year PostgreSQL has no date in (0000), instead of blaming the body', async () => {
    const res = await api().post(`${API}/policyholders`).set(...bearer(juniorA)).send({
      first_name: 'Methuselah', date_of_birth: '0000-01-01',
    });
    expectProblem(res, 400, ['body.date_of_birth'], 'request.invalid');
  });

  it('refuses a birth or diagnosis in the future, naming every such field with the other bad ones', async () => {
    const tomorrow = addDays(businessToday(), 1);
    const res = await api().post(`${API}/policyholders`).set(...bearer(juniorA)).send({
      first_name: 'Unborn', date_of_birth: tomorrow, annual_income: -1,
      nominee_details: { name: 'Later', relationship: 'child', date_of_birth: '2999-01-01' },
      pre_existing_conditions: [{ condition: 'Asthma', diagnosed_on: tomorrow }],
    });
    expectProblem(res, 400, ['body.date_of_birth', 'body.annual_income', 'body.nominee_details.date_of_birth',
      'body.pre_existing_conditions.0.diagnosed_on'], 'request.invalid');
    const today = await api().post(`${API}/policyholders`).set(...bearer(juniorA)).send({ first_name: 'Newborn', date_of_birth: businessToday() });
    expect(today.status, today.text).to.equal(201);
  });

  it('searches name, phone, e-mail and customer id, within the caller\'s reach only', async () => {
    const mine = await createPolicyholderAs(juniorA, { first_name: 'Zubin', last_name: 'Mistry', email: 'zubin.m@example.in',
      phone_number: '+919900112233', customer_id: 'ZM-77' });
    const theirs = await createPolicyholderAs(fx.token('juniorB'), { first_name: 'Zubin', last_name: 'Other', phone_number: '+919900112299' });
    for (const q of ['zub', 'MISTRY', 'zubin.m@', '9900112233', '+91 99001 12233', 'zm-77', 'zubin mis', 'Mistry Zubin']) {
      expect(await search(juniorA, q), q).to.deep.equal([mine]);
    }
    expect(await search(fx.token('senior'), 'zubin')).to.have.members([mine, theirs]);
    expect(await search(juniorA, '99001122')).to.deep.equal([mine]);
    // The country code typed before only the first digits, as the README's example does ('+91 98123').
    for (const q of ['+91 99001', '+9199001122', '+91-99001']) expect(await search(juniorA, q), q).to.deep.equal([mine]);
    for (const q of ['ubin', 'zubin other', '100%_', '%%', 'zz\\']) expect(await search(juniorA, q), q).to.deep.equal([]);
    expectProblem(await api().get(`${API}/policyholders?q=z`).set(...bearer(juniorA)), 400, ['query.q']);
  });

  it('pages newest first without repeats or gaps', async () => {
    const created: string[] = [];
    for (let index = 0; index < 5; index += 1) created.push(await createPolicyholderAs(fx.token('juniorB'), { first_name: `Page${index}` }));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: { data: { policyholder_id: string }[]; next_cursor: string | null } } = await api()
        .get(`${API}/policyholders`).query({ limit: 2, ...(cursor ? { cursor } : {}) }).set(...bearer(fx.token('juniorB')));
      expect(res.status).to.equal(200);
      seen.push(...res.body.data.map((row: { policyholder_id: string }) => row.policyholder_id));
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(seen.slice(0, 5)).to.deep.equal([...created].reverse());
    expect(new Set(seen).size).to.equal(seen.length);
  });

  describe('mass assignment: a body cannot move a record out of reach', () => {
    it('refuses tenant_id, status and created_by on create; agent_id of an agent out of reach is a 404', async () => {
      for (const field of ['tenant_id', 'created_by', 'status']) {
        expectProblem(await api().post(`${API}/policyholders`).set(...bearer(juniorA)).send({ first_name: 'X', [field]: UNKNOWN_ID }), 400, ['body']);
      }
      expectProblem(await api().post(`${API}/policyholders`).set(...bearer(juniorA))
        .send({ first_name: 'X', agent_id: fx.users.juniorB.agent_id }), 404, [], 'agent.not_found');
      expectProblem(await api().post(`${API}/policyholders`).set(...bearer(fx.token('otherAdmin')))
        .send({ first_name: 'X', agent_id: fx.users.juniorA.agent_id }), 404, [], 'agent.not_found');
    });

    it('a PATCH with agent_id out of reach, tenant_id or created_by changes nothing', async () => {
      const id = await createPolicyholderAs(juniorA, { first_name: 'Stay' });
      expectProblem(await patch(juniorA, id, { agent_id: fx.users.juniorB.agent_id, first_name: 'Moved' }), 404, [], 'agent.not_found');
      expectProblem(await patch(juniorA, id, { tenant_id: UNKNOWN_ID }), 400, ['body']);
      expectProblem(await patch(juniorA, id, { created_by: UNKNOWN_ID }), 400, ['body']);
      expect((await get(juniorA, id)).body).to.include({ first_name: 'Stay', agent_id: fx.users.juniorA.agent_id });
      expect((await get(fx.token('juniorB'), id)).status).to.equal(404);
    });

    it('a senior may hand a record to another agent of its team; the old agent then no longer sees it', async () => {
      const id = await createPolicyholderAs(juniorA, { first_name: 'Handed' });
      const res = await patch(fx.token('senior'), id, { agent_id: fx.users.juniorB.agent_id });
      expect(res.status, res.text).to.equal(200);
      expect((await get(juniorA, id)).status).to.equal(404);
      expect((await get(fx.token('juniorB'), id)).body.agent_id).to.equal(fx.users.juniorB.agent_id);
    });

    it('an admin (no agent of its own) must name the agent', async () => {
      expectProblem(await api().post(`${API}/policyholders`).set(...bearer(fx.token('admin'))).send({ first_name: 'X' }), 422,
        ['body.agent_id'], 'agent.required');
    });
  });

  it('deactivates and reactivates; a deactivated record takes no other change', async () => {
    const id = await createPolicyholderAs(juniorA, { first_name: 'Leaving' });
    const manager = fx.token('manager');
    expect((await api().delete(`${API}/policyholders/${id}`).set(...bearer(manager))).status).to.equal(204);
    expect((await api().delete(`${API}/policyholders/${id}`).set(...bearer(manager))).status).to.equal(204);
    const read = await get(juniorA, id);
    expect(read.body.status).to.equal('inactive');
    expect(read.body.deactivated_at).to.be.a('string');
    expectProblem(await patch(juniorA, id, { occupation: 'Chef' }), 409, [], 'policyholder.inactive');
    expect((await patch(juniorA, id, { status: 'active' })).body).to.include({ status: 'active', deactivated_at: null });
  });

  it('links a policyholder login that sees only its own record', async () => {
    const own = await get(fx.token('policyholder'), fx.policyholderA);
    expect(own.status).to.equal(200);
    expect(own.body.user_id).to.equal(fx.users.policyholder.user_id);
    expect((await get(fx.token('policyholder'), fx.policyholderB)).status).to.equal(404);
    const list = await api().get(`${API}/policyholders?limit=200`).set(...bearer(fx.token('policyholder')));
    expect(list.body.data.map((row: { policyholder_id: string }) => row.policyholder_id)).to.deep.equal([fx.policyholderA]);
    const someone: TestUser = await createTestUser(fx.tenant, 'policyholder');
    expectProblem(await patch(fx.token('admin'), fx.policyholderB, { user_id: fx.users.policyholder.user_id }), 409, [], 'policyholder.user_taken');
    expectProblem(await patch(juniorA, fx.policyholderA, { user_id: someone.user_id }), 403);
  });

  it('a policyholder login keeps seeing its own record when the record changes hands or its agent moves', async () => {
    const holder = fx.token('policyholder');
    const handed = await patch(fx.token('senior'), fx.policyholderA, { agent_id: fx.users.juniorB.agent_id });
    expect(handed.status, handed.text).to.equal(200);
    expect((await get(holder, fx.policyholderA)).status).to.equal(200);
    const moved = await api().patch(`${API}/agents/${fx.users.juniorB.agent_id}`).set(...bearer(fx.token('admin')))
      .send({ parent_agent_id: fx.users.manager.agent_id });
    expect(moved.status, moved.text).to.equal(200);
    expect((await get(holder, fx.policyholderA)).status).to.equal(200);
    const list = await api().get(`${API}/policyholders?limit=200`).set(...bearer(holder));
    expect(list.body.data.map((row: { policyholder_id: string }) => row.policyholder_id)).to.deep.equal([fx.policyholderA]);
    expect((await get(holder, fx.policyholderB)).status).to.equal(404);
    await api().patch(`${API}/agents/${fx.users.juniorB.agent_id}`).set(...bearer(fx.token('admin'))).send({ parent_agent_id: fx.users.senior.agent_id });
    await patch(fx.token('admin'), fx.policyholderA, { agent_id: fx.users.juniorA.agent_id });
  });

  it('answers 404 for an unknown policyholder', async () => {
    expectProblem(await get(juniorA, UNKNOWN_ID), 404, [], 'policyholder.not_found');
  });
});
