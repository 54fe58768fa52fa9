import crypto from 'node:crypto';
import { expect } from 'chai';
import { PermissionPage, Role, RolePage } from '../../schemas/roles.js';
import { API, api } from '../helpers/context.js';
import { bearer, createTestTenant, createTestUser, login, TEST_PASSWORD, type TestTenant } from '../helpers/actors.js';

interface RoleBody {
  role_id: string;
  role_name: string;
  is_system_role: boolean;
  data_scope: string;
  permissions: { action: string; subject: string; conditions: Record<string, unknown> | null; permission_name: string }[];
}

const rulesOf = (role: RoleBody) => role.permissions.map(({ action, subject, conditions }) => ({ action, subject, conditions }));
const pathsOf = (body: { errors: { path: string }[] }) => body.errors.map((error) => error.path);

function uniqueName(prefix: string): string {
  return `${prefix}_${crypto.randomBytes(3).toString('hex')}`;
}

async function rolesByName(tenant: TestTenant): Promise<Record<string, RoleBody>> {
  const res = await api().get(`${API}/roles?limit=200`).set(...bearer(tenant.admin.token));
  expect(res.status).to.equal(200);
  RolePage.parse(res.body);
  return Object.fromEntries(res.body.data.map((role: RoleBody) => [role.role_name, role]));
}

async function createRole(tenant: TestTenant, body: Record<string, unknown>): Promise<RoleBody> {
  const res = await api().post(`${API}/roles`).set(...bearer(tenant.admin.token)).send(body);
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  Role.strict().parse(res.body);
  return res.body;
}

/** A user created through the API with these roles, signed in. */
async function userWithRoles(tenant: TestTenant, roleIds: string[]): Promise<{ user_id: string; token: string }> {
  const email = `u.${crypto.randomBytes(4).toString('hex')}@${tenant.tenant_code.toLowerCase()}.test`;
  const res = await api().post(`${API}/users`).set(...bearer(tenant.admin.token))
    .send({ email, password: TEST_PASSWORD, first_name: 'Role', last_name: 'Holder', role_ids: roleIds });
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  const { access_token } = await login({ tenant: tenant.tenant_code, email, password: TEST_PASSWORD });
  return { user_id: res.body.user_id, token: access_token };
}

describe('roles and permissions API', () => {
  let tenant: TestTenant;
  let system: Record<string, RoleBody>;

  before(async () => {
    tenant = await createTestTenant();
    system = await rolesByName(tenant);
  });

  it('a new tenant lists its eight system roles, each with its permissions', () => {
    expect(Object.keys(system)).to.have.members(['super_admin', 'insurance_provider_admin', 'regional_manager',
      'senior_agent', 'junior_agent', 'policyholder', 'support_staff', 'guest']);
    expect(Object.values(system).every((role) => role.is_system_role)).to.equal(true);
    expect(rulesOf(system.insurance_provider_admin as RoleBody)).to.deep.equal([{ action: 'manage', subject: 'all', conditions: null }]);
    expect(rulesOf(system.policyholder as RoleBody)).to.have.deep.members(['Claim', 'Dependent', 'Payment', 'Policy', 'Policyholder']
      .map((subject) => ({ action: 'read', subject, conditions: null })));
  });

  it('the permission catalog lists every rule in use, in the page shape', async () => {
    const res = await api().get(`${API}/permissions?limit=200`).set(...bearer(tenant.admin.token));
    expect(res.status).to.equal(200);
    expect(() => PermissionPage.parse(res.body)).to.not.throw();
    expect(res.body.data).to.deep.include.members(system.insurance_provider_admin?.permissions ?? []);
    expect(res.body.data.find((permission: { permission_name: string }) => permission.permission_name === 'read:User')).to.be.an('object');
  });

  it('a custom role lives through create, read, change, assignment, refusal while in use, and deletion', async () => {
    const name = uniqueName('claims_desk');
    const role = await createRole(tenant, { role_name: name, role_description: 'Claims front desk', data_scope: 'team',
      permissions: [{ action: 'read', subject: 'Claim' }, { action: 'read', subject: 'User', conditions: { user_id: '${user.user_id}' } }] });
    expect(role).to.include({ role_name: name, is_system_role: false, data_scope: 'team' });
    expect((await api().get(`${API}/roles/${role.role_id}`).set(...bearer(tenant.admin.token))).body).to.deep.equal(role);

    const patched = await api().patch(`${API}/roles/${role.role_id}`).set(...bearer(tenant.admin.token))
      .send({ data_scope: 'own', permissions: [{ action: 'read', subject: 'Claim' }, { action: 'create', subject: 'Claim' }] });
    expect(patched.status, JSON.stringify(patched.body)).to.equal(200);
    expect(patched.body.data_scope).to.equal('own');
    expect(rulesOf(patched.body).map((rule) => `${rule.action}:${rule.subject}`)).to.have.members(['read:Claim', 'create:Claim']);

    const holder = await userWithRoles(tenant, [role.role_id]);
    const me = await api().get(`${API}/auth/me`).set(...bearer(holder.token));
    expect(me.body.roles).to.deep.equal([name]);
    expect(me.body.permissions).to.deep.include.members([{ action: 'create', subject: 'Claim', conditions: null }]);

    const inUse = await api().delete(`${API}/roles/${role.role_id}`).set(...bearer(tenant.admin.token));
    expect(inUse.status).to.equal(409);
    expect(inUse.body.detail).to.match(/still assigned/);

    const unassigned = await api().put(`${API}/users/${holder.user_id}/roles`).set(...bearer(tenant.admin.token)).send({ role_ids: [] });
    expect(unassigned.status).to.equal(200);
    expect(unassigned.body.roles).to.deep.equal([]);
    expect((await api().delete(`${API}/roles/${role.role_id}`).set(...bearer(tenant.admin.token))).status).to.equal(204);
    expect((await api().get(`${API}/roles/${role.role_id}`).set(...bearer(tenant.admin.token))).status).to.equal(404);
  });

  it('a role held only by a deactivated user stays in use until that user\'s roles are taken away', async () => {
    const role = await createRole(tenant, { role_name: uniqueName('seasonal'), permissions: [{ action: 'read', subject: 'Claim' }] });
    const holder = await userWithRoles(tenant, [role.role_id]);
    const asAdmin = bearer(tenant.admin.token);
    expect((await api().delete(`${API}/users/${holder.user_id}`).set(...asAdmin)).status).to.equal(204);
    expect((await api().delete(`${API}/roles/${role.role_id}`).set(...asAdmin)).status).to.equal(409);
    expect((await api().put(`${API}/users/${holder.user_id}/roles`).set(...asAdmin).send({ role_ids: [] })).status).to.equal(200);
    expect((await api().delete(`${API}/roles/${role.role_id}`).set(...asAdmin)).status).to.equal(204);
  });

  it('system roles cannot be changed or deleted, not even by a provider admin', async () => {
    const adminRole = system.insurance_provider_admin as RoleBody;
    const patch = await api().patch(`${API}/roles/${adminRole.role_id}`).set(...bearer(tenant.admin.token)).send({ data_scope: 'none' });
    expect(patch.status).to.equal(409);
    const remove = await api().delete(`${API}/roles/${system.guest?.role_id}`).set(...bearer(tenant.admin.token));
    expect(remove.status).to.equal(409);
    const after = await api().get(`${API}/roles/${adminRole.role_id}`).set(...bearer(tenant.admin.token));
    expect(after.body).to.deep.equal(adminRole);
  });

  it('a role name already taken, by a custom or a system role, is a 409', async () => {
    const name = uniqueName('auditor');
    await createRole(tenant, { role_name: name, permissions: [] });
    for (const taken of [name, 'guest']) {
      const res = await api().post(`${API}/roles`).set(...bearer(tenant.admin.token)).send({ role_name: taken, permissions: [] });
      expect(res.status).to.equal(409);
    }
  });

  it('a role body with many bad fields is one 400 listing each', async () => {
    const res = await api().post(`${API}/roles`).set(...bearer(tenant.admin.token)).send({
      role_name: 'Bad Name', data_scope: 'galaxy', colour: 'red',
      permissions: [{ action: 'fly', subject: 'Rocket' }, { action: 'read', subject: 'User', conditions: { user_id: '${user.password}' } },
        { action: 'read', subject: 'User', conditions: { $or: [{ user_id: '${user.user_id}' }] } },
        { action: 'read', subject: 'User', conditions: { email: { $regex: '^(a+)+$' } } }],
    });
    expect(res.status).to.equal(400);
    expect(pathsOf(res.body)).to.include.members(['body.role_name', 'body.data_scope', 'body',
      'body.permissions.0.action', 'body.permissions.0.subject', 'body.permissions.1.conditions', 'body.permissions.2.conditions',
      'body.permissions.3.conditions']);
    const malformedId = await api().get(`${API}/roles/not-a-uuid`).set(...bearer(tenant.admin.token));
    expect(pathsOf(malformedId.body)).to.deep.equal(['params.role_id']);
  });

  it('after PUT /users/{id}/roles the user\'s /auth/me shows the new role and its permissions', async () => {
    const user = await userWithRoles(tenant, [system.junior_agent?.role_id as string]);
    expect((await api().get(`${API}/users`).set(...bearer(user.token))).status).to.equal(403);

    const res = await api().put(`${API}/users/${user.user_id}/roles`).set(...bearer(tenant.admin.token))
      .send({ role_ids: [system.regional_manager?.role_id] });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.roles.map((role: RoleBody) => role.role_name)).to.deep.equal(['regional_manager']);

    const me = await api().get(`${API}/auth/me`).set(...bearer(user.token));
    expect(me.body).to.include({ role: 'regional_manager', data_scope: 'team' });
    expect(me.body.permissions).to.deep.include({ action: 'read', subject: 'User', conditions: null });
    expect((await api().get(`${API}/users`).set(...bearer(user.token))).status).to.equal(200);
  });

  it('assigning an unknown role or the platform\'s super_admin role is a 422 naming body.role_ids', async () => {
    const user = await userWithRoles(tenant, []);
    for (const roleId of [crypto.randomUUID(), system.super_admin?.role_id]) {
      const res = await api().put(`${API}/users/${user.user_id}/roles`).set(...bearer(tenant.admin.token)).send({ role_ids: [roleId] });
      expect(res.status).to.equal(422);
      expect(pathsOf(res.body)).to.deep.equal(['body.role_ids']);
    }
  });

  it('conditions in a custom role restrict it: a holder reads only its own user record', async () => {
    const selfReader = await createRole(tenant, { role_name: uniqueName('self_reader'), data_scope: 'none',
      permissions: [{ action: 'read', subject: 'User', conditions: { user_id: '${user.user_id}' } }] });
    const holder = await userWithRoles(tenant, [selfReader.role_id]);
    const list = await api().get(`${API}/users?limit=200`).set(...bearer(holder.token));
    expect(list.status).to.equal(200);
    expect(list.body.data.map((user: { user_id: string }) => user.user_id)).to.deep.equal([holder.user_id]);
    const admin = await api().get(`${API}/auth/me`).set(...bearer(tenant.admin.token));
    expect((await api().get(`${API}/users/${admin.body.user_id}`).set(...bearer(holder.token))).status).to.equal(404);
  });

  it('a junior agent may not read the roles or the permission catalog', async () => {
    const agent = await createTestUser(tenant, 'junior_agent', { agent: true });
    expect((await api().get(`${API}/roles`).set(...bearer(agent.token))).status).to.equal(403);
    expect((await api().get(`${API}/permissions`).set(...bearer(agent.token))).status).to.equal(403);
  });

  describe('no privilege escalation', () => {
    let clerk: { user_id: string; token: string };

    before(async () => {
      const access = await createRole(tenant, { role_name: uniqueName('access_clerk'), data_scope: 'none', permissions: [
        { action: 'read', subject: 'User' }, { action: 'update', subject: 'User' }, { action: 'update', subject: 'Role' },
        { action: 'read', subject: 'Role' }] });
      clerk = await userWithRoles(tenant, [access.role_id]);
    });

    it('a clerk holding read/update User and update Role cannot make anyone a provider admin', async () => {
      const target = await userWithRoles(tenant, []);
      const allowed = await api().put(`${API}/users/${target.user_id}/roles`).set(...bearer(clerk.token))
        .send({ role_ids: [system.guest?.role_id] });
      expect(allowed.status, JSON.stringify(allowed.body)).to.equal(200);

      const refused = await api().put(`${API}/users/${target.user_id}/roles`).set(...bearer(clerk.token))
        .send({ role_ids: [system.insurance_provider_admin?.role_id] });
      expect(refused.status).to.equal(403);
      expect(refused.body.detail).to.match(/manage all/);
      const self = await api().put(`${API}/users/${clerk.user_id}/roles`).set(...bearer(clerk.token))
        .send({ role_ids: [system.insurance_provider_admin?.role_id] });
      expect(self.status, 'nobody changes its own roles').to.equal(409);
      const after = await api().get(`${API}/users/${target.user_id}`).set(...bearer(tenant.admin.token));
      expect(after.body.roles.map((role: RoleBody) => role.role_name)).to.deep.equal(['guest']);
    });

    it('the clerk cannot reset the password of a user more powerful than itself', async () => {
      const admin = await api().get(`${API}/auth/me`).set(...bearer(tenant.admin.token));
      const res = await api().patch(`${API}/users/${admin.body.user_id}`).set(...bearer(clerk.token)).send({ password: 'Taken#Over#2026' });
      expect(res.status).to.equal(403);
      expect((await api().get(`${API}/auth/me`).set(...bearer(tenant.admin.token))).status).to.equal(200);
    });

    it('V4.1.3 a role maker can create roles only from rules and a data scope it holds itself', async () => {
      const maker = await userWithRoles(tenant, [(await createRole(tenant, { role_name: uniqueName('role_maker'), data_scope: 'own',
        permissions: [{ action: 'create', subject: 'Role' }, { action: 'read', subject: 'User' }] })).role_id]);
      const attempt = (body: Record<string, unknown>) => api().post(`${API}/roles`).set(...bearer(maker.token))
        .send({ role_name: uniqueName('made'), ...body });
      expect((await attempt({ permissions: [{ action: 'manage', subject: 'all' }] })).status).to.equal(403);
      expect((await attempt({ permissions: [{ action: 'update', subject: 'User' }] })).status).to.equal(403);
      expect((await attempt({ data_scope: 'tenant', permissions: [{ action: 'read', subject: 'User' }] })).status).to.equal(403);
      expect((await attempt({ permissions: [{ action: 'read', subject: 'User', conditions: { status: 'active' } }] })).status).to.equal(201);
    });
  });

  it('an admin of another tenant gets 404 for this tenant\'s roles, which stay unchanged', async () => {
    const other = await createTestTenant();
    const role = await createRole(tenant, { role_name: uniqueName('private'), permissions: [{ action: 'read', subject: 'Claim' }] });
    const url = `${API}/roles/${role.role_id}`;
    expect((await api().get(url).set(...bearer(other.admin.token))).status).to.equal(404);
    expect((await api().patch(url).set(...bearer(other.admin.token)).send({ data_scope: 'tenant' })).status).to.equal(404);
    expect((await api().delete(url).set(...bearer(other.admin.token))).status).to.equal(404);
    expect((await api().get(url).set(...bearer(tenant.admin.token))).body).to.deep.equal(role);
  });
});
