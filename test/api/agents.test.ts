import crypto from 'node:crypto';
import { expect } from 'chai';
import { bearer, createTestTenant, createTestUser, login, TEST_PASSWORD, type TestTenant, type TestUser } from '../helpers/actors.js';
import { createPolicyholderAs } from '../helpers/book.js';
import { API, api } from '../helpers/context.js';
import { expectProblem, UNKNOWN_ID } from '../helpers/problems.js';

const code = (prefix = 'AG') => `${prefix}-${crypto.randomBytes(4).toString('hex').toUpperCase()}`;

describe('agents API and the hierarchy', () => {
  let tenant: TestTenant;
  let admin: string;
  let manager: TestUser;

  const create = (token: string, body: Record<string, unknown>) => api().post(`${API}/agents`).set(...bearer(token)).send(body);
  const patch = (token: string, id: string, body: Record<string, unknown>) => api().patch(`${API}/agents/${id}`).set(...bearer(token)).send(body);
  const teamIds = async (token: string, id: string) => {
    const res = await api().get(`${API}/agents/${id}/team?limit=200`).set(...bearer(token));
    expect(res.status, res.text).to.equal(200);
    return (res.body.data as { agent_id: string }[]).map((agent) => agent.agent_id).sort();
  };

  before(async () => {
    tenant = await createTestTenant();
    admin = tenant.admin.token;
    manager = await createTestUser(tenant, 'regional_manager', { agent: true });
  });

  it('creates an agent with canonical code and licence, and reads it back', async () => {
    const agentCode = code().toLowerCase();
    const res = await create(admin, {
      agent_code: `  ${agentCode} `, license_number: 'irda/123-x', license_expiry_date: '2028-03-31', territory: 'Pune',
      commission_rate: 12.5, parent_agent_id: manager.agent_id,
    });
    expect(res.status, res.text).to.equal(201);
    expect(res.body).to.include({ agent_code: agentCode.toUpperCase(), license_number: 'IRDA/123-X', commission_rate: 12.5,
      hierarchy_level: 2, parent_agent_id: manager.agent_id, status: 'active', license_expiry_date: '2028-03-31' });
    const read = await api().get(`${API}/agents/${res.body.agent_id}`).set(...bearer(admin));
    expect(read.body).to.deep.equal(res.body);
  });

  it('refuses a duplicate agent code or licence in the tenant with a reason code, and allows them in another tenant', async () => {
    const agentCode = code();
    expect((await create(admin, { agent_code: agentCode, license_number: `LIC-${agentCode}` })).status).to.equal(201);
    expectProblem(await create(admin, { agent_code: agentCode.toLowerCase() }), 409, [], 'agent.duplicate_code');
    expectProblem(await create(admin, { agent_code: code(), license_number: `lic-${agentCode}` }), 409, [], 'agent.duplicate_license');
    const other = await createTestTenant();
    expect((await create(other.admin.token, { agent_code: agentCode, license_number: `LIC-${agentCode}` })).status).to.equal(201);
  });

  it('lists every bad field at once', async () => {
    const res = await create(admin, { agent_code: '!', commission_rate: 101.234, license_expiry_date: '2027-02-30', parent_agent_id: 'x', tenant_id: UNKNOWN_ID });
    expectProblem(res, 400, ['body.agent_code', 'body.commission_rate', 'body.license_expiry_date', 'body.parent_agent_id', 'body']);
  });

  it('lets a manager add agents only inside its own team', async () => {
    expectProblem(await create(manager.token, { agent_code: code() }), 422, ['body.parent_agent_id']);
    const outsider = (await create(admin, { agent_code: code() })).body.agent_id;
    expectProblem(await create(manager.token, { agent_code: code(), parent_agent_id: outsider }), 404, [], 'agent.not_found');
    const inside = await create(manager.token, { agent_code: code(), parent_agent_id: manager.agent_id });
    expect(inside.status).to.equal(201);
    expectProblem(await patch(manager.token, manager.agent_id as string, { territory: 'Everywhere' }), 403);
  });

  it('returns the whole subtree as the team, at any depth, and moves renumber it so the books follow', async () => {
    const top = (await create(admin, { agent_code: code('TOP'), parent_agent_id: manager.agent_id })).body.agent_id;
    const senior = await createTestUser(tenant, 'senior_agent', { agent: true, parentAgentId: top });
    const junior = await createTestUser(tenant, 'junior_agent', { agent: true, parentAgentId: senior.agent_id });
    const deep = (await create(admin, { agent_code: code('DEEP'), parent_agent_id: junior.agent_id })).body.agent_id;
    expect(await teamIds(admin, top)).to.deep.equal([senior.agent_id, junior.agent_id, deep].sort());
    const book = await createPolicyholderAs(junior.token, { first_name: 'Moved' });
    expect((await api().get(`${API}/policyholders/${book}`).set(...bearer(senior.token))).status).to.equal(200);

    // The junior (with its sub-agent and book) moves to another senior: the old senior loses sight of it.
    const otherSenior = await createTestUser(tenant, 'senior_agent', { agent: true, parentAgentId: manager.agent_id });
    const moved = await patch(admin, junior.agent_id as string, { parent_agent_id: otherSenior.agent_id });
    expect(moved.status, moved.text).to.equal(200);
    expect(moved.body).to.include({ parent_agent_id: otherSenior.agent_id, hierarchy_level: 3 });
    expect(await teamIds(admin, top)).to.deep.equal([senior.agent_id]);
    expect(await teamIds(admin, otherSenior.agent_id as string)).to.deep.equal([junior.agent_id, deep].sort());
    expect((await api().get(`${API}/agents/${deep}`).set(...bearer(admin))).body.hierarchy_level).to.equal(4);
    expect((await api().get(`${API}/policyholders/${book}`).set(...bearer(senior.token))).status).to.equal(404);
    expect((await api().get(`${API}/policyholders/${book}`).set(...bearer(otherSenior.token))).status).to.equal(200);
    expect((await api().get(`${API}/policyholders/${book}`).set(...bearer(junior.token))).status).to.equal(200);
  });

  it('refuses a move under the agent itself or its own sub-agent with 409 agent.hierarchy_cycle, changing nothing', async () => {
    const a = (await create(admin, { agent_code: code(), parent_agent_id: manager.agent_id })).body.agent_id;
    const b = (await create(admin, { agent_code: code(), parent_agent_id: a })).body.agent_id;
    const c = (await create(admin, { agent_code: code(), parent_agent_id: b })).body.agent_id;
    expectProblem(await patch(admin, a, { parent_agent_id: c, territory: 'Nowhere' }), 409, [], 'agent.hierarchy_cycle');
    expectProblem(await patch(admin, a, { parent_agent_id: a }), 409, [], 'agent.hierarchy_cycle');
    const after = await api().get(`${API}/agents/${a}`).set(...bearer(admin));
    expect(after.body).to.include({ parent_agent_id: manager.agent_id, territory: null });
    expect(await teamIds(admin, a)).to.deep.equal([b, c].sort());
  });

  it('moves an agent to the top and back', async () => {
    const a = (await create(admin, { agent_code: code(), parent_agent_id: manager.agent_id })).body.agent_id;
    const b = (await create(admin, { agent_code: code(), parent_agent_id: a })).body.agent_id;
    expect((await patch(admin, a, { parent_agent_id: null })).body).to.include({ parent_agent_id: null, hierarchy_level: 1 });
    expect((await api().get(`${API}/agents/${b}`).set(...bearer(admin))).body.hierarchy_level).to.equal(2);
    expect(await teamIds(manager.token, manager.agent_id as string)).to.not.include(a);
    expect((await patch(admin, a, { parent_agent_id: manager.agent_id })).body.hierarchy_level).to.equal(2);
    expect(await teamIds(manager.token, manager.agent_id as string)).to.include.members([a, b]);
  });

  it('links an agent to a user once, and a junior sees only itself in the list', async () => {
    const user = await createTestUser(tenant, 'junior_agent');
    const linked = await create(admin, { agent_code: code(), user_id: user.user_id, parent_agent_id: manager.agent_id });
    expect(linked.status).to.equal(201);
    expectProblem(await create(admin, { agent_code: code(), user_id: user.user_id }), 409, [], 'agent.user_taken');
    expectProblem(await create(admin, { agent_code: code(), user_id: UNKNOWN_ID }), 422, ['body.user_id']);
    const list = await api().get(`${API}/agents?limit=200`).set(...bearer(user.token));
    expect(list.body.data.map((agent: { agent_id: string }) => agent.agent_id)).to.deep.equal([linked.body.agent_id]);
  });

  it('lets only a tenant administrator link, relink or unlink a login: a manager may not hand its team to a user', async () => {
    const user = await createTestUser(tenant, 'junior_agent');
    expectProblem(await create(manager.token, { agent_code: code(), parent_agent_id: manager.agent_id, user_id: user.user_id }), 403, []);
    const otherAdmin = await createTestUser(tenant, 'insurance_provider_admin');
    expectProblem(await create(manager.token, { agent_code: code(), parent_agent_id: manager.agent_id, user_id: otherAdmin.user_id }), 403, []);
    const seat = await create(manager.token, { agent_code: code(), parent_agent_id: manager.agent_id });
    expect(seat.status, seat.text).to.equal(201);
    expectProblem(await patch(manager.token, seat.body.agent_id, { user_id: user.user_id }), 403, []);
    const me = await api().get(`${API}/auth/me`).set(...bearer(user.token));
    expect(me.body.agent_id ?? null).to.equal(null);
    expect((await patch(admin, seat.body.agent_id, { user_id: user.user_id })).body.user_id).to.equal(user.user_id);
    // The link unchanged is no change; the manager still edits the rest of the record, but not the link.
    expect((await patch(manager.token, seat.body.agent_id, { user_id: user.user_id, territory: 'Nashik' })).status).to.equal(200);
    expectProblem(await patch(manager.token, seat.body.agent_id, { user_id: null }), 403, []);
  });

  it('links a login only when the caller may update that very user: a role whose User rules name one user links that one', async () => {
    const allowed = await createTestUser(tenant, 'junior_agent');
    const other = await createTestUser(tenant, 'junior_agent');
    const role = await api().post(`${API}/roles`).set(...bearer(admin)).send({
      role_name: `linker_${crypto.randomBytes(3).toString('hex')}`, data_scope: 'tenant', permissions: [
        { action: 'manage', subject: 'Agent' }, { action: 'read', subject: 'User' },
        { action: 'update', subject: 'User', conditions: { user_id: allowed.user_id } }] });
    expect(role.status, role.text).to.equal(201);
    const linker = await createTestUser(tenant, 'junior_agent');
    expect((await api().put(`${API}/users/${linker.user_id}/roles`).set(...bearer(admin)).send({ role_ids: [role.body.role_id] })).status)
      .to.equal(200);
    const token = (await login({ tenant: tenant.tenant_code, email: linker.email, password: TEST_PASSWORD })).access_token;
    expectProblem(await create(token, { agent_code: code(), user_id: other.user_id }), 403, []);
    const linked = await create(token, { agent_code: code(), user_id: allowed.user_id });
    expect(linked.status, linked.text).to.equal(201);
    // Taking the link from the allowed user to give it to another is a change to both: refused for the other.
    expectProblem(await patch(token, linked.body.agent_id, { user_id: other.user_id }), 403, []);
  });

  it('answers 404 for an unknown agent', async () => {
    expectProblem(await api().get(`${API}/agents/${UNKNOWN_ID}`).set(...bearer(admin)), 404, [], 'agent.not_found');
    expectProblem(await patch(admin, UNKNOWN_ID, { territory: 'X' }), 404, [], 'agent.not_found');
  });
});
