import crypto from 'node:crypto';
import { expect } from 'chai';
import type { Response } from 'supertest';
import { bearer, createTestTenant, login, TEST_PASSWORD, type TestTenant } from '../helpers/actors.js';
import { API, api } from '../helpers/context.js';
import { expectProblem } from '../helpers/problems.js';

// A permission with conditions is checked against the concrete record everywhere. For each subject that takes
// conditions, a role limited by one does its job on the matching records and nothing on the others, through every
// endpoint of that subject; its lists hold only matching records, and every page is full.

type Rule = { action: string; subject: string; conditions?: Record<string, unknown> };

/** Signs in a fresh user holding one custom role with these rules. */
async function callerWith(tenant: TestTenant, rules: Rule[]): Promise<string> {
  const suffix = crypto.randomBytes(4).toString('hex');
  const role = await api().post(`${API}/roles`).set(...bearer(tenant.admin.token))
    .send({ role_name: `limited_${suffix}`, permissions: rules });
  expect(role.status, role.text).to.equal(201);
  const email = `limited.${suffix}@conditions.test`;
  const user = await api().post(`${API}/users`).set(...bearer(tenant.admin.token))
    .send({ email, password: TEST_PASSWORD, first_name: 'Limited', last_name: 'Caller', role_ids: [role.body.role_id] });
  expect(user.status, user.text).to.equal(201);
  return (await login({ tenant: tenant.tenant_code, email, password: TEST_PASSWORD })).access_token;
}

/** Every item of a list, one page of one item at a time; each page before the last must be full. */
async function walk(path: string, token: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let cursor: string | null = null;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const res: Response = await api().get(`${API}${path}${separator}limit=1${cursor ? `&cursor=${cursor}` : ''}`).set(...bearer(token));
    expect(res.status, res.text).to.equal(200);
    expect(res.body.data, `a page of ${path} is full`).to.have.length(1);
    items.push(...res.body.data);
    cursor = res.body.next_cursor;
  } while (cursor);
  return items;
}

describe('conditions in custom roles hold on every endpoint of their subject', function () {
  this.timeout(60_000);
  let tenant: TestTenant;
  const asAdmin = () => bearer(tenant.admin.token);

  before(async () => {
    tenant = await createTestTenant();
  });

  describe('TenantConfig where config_key is branding', () => {
    let token: string;
    before(async () => {
      for (const key of ['aaa.first', 'branding', 'integrations.payment_gateway_secret', 'zzz.last']) {
        const res = await api().put(`${API}/config/${key}`).set(...asAdmin()).send({ config_value: `value of ${key}` });
        expect(res.status, res.text).to.equal(201);
      }
      token = await callerWith(tenant, [{ action: 'manage', subject: 'TenantConfig', conditions: { config_key: 'branding' } }]);
    });

    it('lists only branding, in full pages', async () => {
      expect((await walk('/config', token)).map((entry) => entry.config_key)).to.deep.equal(['branding']);
    });

    it('reads, replaces and deletes branding, and nothing else', async () => {
      expect((await api().get(`${API}/config/branding`).set(...bearer(token))).status).to.equal(200);
      expectProblem(await api().get(`${API}/config/integrations.payment_gateway_secret`).set(...bearer(token)), 404);
      expect((await api().put(`${API}/config/branding`).set(...bearer(token)).send({ config_value: 'new look' })).status).to.equal(200);
      expectProblem(await api().put(`${API}/config/integrations.payment_gateway_secret`).set(...bearer(token))
        .send({ config_value: 'stolen' }), 403);
      expectProblem(await api().put(`${API}/config/another.key`).set(...bearer(token)).send({ config_value: 1 }), 403);
      expectProblem(await api().delete(`${API}/config/integrations.payment_gateway_secret`).set(...bearer(token)), 404);
      expectProblem(await api().delete(`${API}/config/zzz.last`).set(...bearer(token)), 404);
      expect((await api().delete(`${API}/config/branding`).set(...bearer(token))).status).to.equal(204);
      expect((await api().put(`${API}/config/branding`).set(...bearer(token)).send({ config_value: 'again' })).status).to.equal(201);

      const secret = await api().get(`${API}/config/integrations.payment_gateway_secret`).set(...asAdmin());
      expect(secret.body.config_value, 'the secret is untouched').to.equal('value of integrations.payment_gateway_secret');
      expect((await api().get(`${API}/config/another.key`).set(...asAdmin())).status).to.equal(404);
    });
  });

  describe('User where username is one of alpha_*, and Role updates where role_name is guest', () => {
    let token: string;
    const ids: Record<string, string> = {};
    let roleIds: Record<string, string>;

    before(async () => {
      const empty = await api().post(`${API}/roles`).set(...asAdmin()).send({ role_name: 'empty_role', data_scope: 'none', permissions: [] });
      expect(empty.status, empty.text).to.equal(201);
      for (const username of ['alpha_1', 'beta_1', 'alpha_2', 'beta_2']) {
        const res = await api().post(`${API}/users`).set(...asAdmin())
          .send({ username, password: TEST_PASSWORD, first_name: 'Named', last_name: username });
        expect(res.status, res.text).to.equal(201);
        ids[username] = res.body.user_id;
      }
      const roles = await api().get(`${API}/roles?limit=200`).set(...asAdmin());
      roleIds = Object.fromEntries(roles.body.data.map((role: { role_name: string; role_id: string }) => [role.role_name, role.role_id]));
      token = await callerWith(tenant, [
        { action: 'manage', subject: 'User', conditions: { username: { $in: ['alpha_1', 'alpha_2', 'alpha_3', 'alpha_4'] } } },
        { action: 'update', subject: 'Role', conditions: { role_name: 'guest' } },
      ]);
    });

    it('lists only the alpha users, in full pages', async () => {
      const listed = await walk('/users', token);
      expect(listed.map((user) => user.username)).to.have.members(['alpha_1', 'alpha_2']);
    });

    it('reads, changes and deactivates alpha users, and no others', async () => {
      expect((await api().get(`${API}/users/${ids.alpha_1}`).set(...bearer(token))).status).to.equal(200);
      expectProblem(await api().get(`${API}/users/${ids.beta_1}`).set(...bearer(token)), 404);
      expect((await api().patch(`${API}/users/${ids.alpha_1}`).set(...bearer(token)).send({ first_name: 'Changed' })).status)
        .to.equal(200);
      expectProblem(await api().patch(`${API}/users/${ids.beta_1}`).set(...bearer(token)).send({ first_name: 'Changed' }), 404);
      expectProblem(await api().patch(`${API}/users/${ids.alpha_1}`).set(...bearer(token)).send({ username: 'beta_9' }), 403);
      expectProblem(await api().delete(`${API}/users/${ids.beta_2}`).set(...bearer(token)), 404);
      expect((await api().delete(`${API}/users/${ids.alpha_2}`).set(...bearer(token))).status).to.equal(204);
      const beta = await api().get(`${API}/users/${ids.beta_1}`).set(...asAdmin());
      expect(beta.body).to.include({ first_name: 'Named', status: 'active' });
    });

    it('creates only users that match, as they would be written', async () => {
      const create = (username: string, roles: string[] = []) => api().post(`${API}/users`).set(...bearer(token))
        .send({ username, password: TEST_PASSWORD, first_name: 'New', last_name: username, role_ids: roles });
      expectProblem(await create('beta_3'), 403);
      expect((await create('alpha_3')).status).to.equal(201);
      expectProblem(await create('alpha_4', [roleIds.empty_role!]), 403);
      expect((await create('alpha_4', [roleIds.guest!])).status).to.equal(201);
      const all = await walk('/users', tenant.admin.token);
      expect(all.map((user) => user.username)).to.not.include('beta_3');
    });

    it('hands out and takes away only the roles its conditions name', async () => {
      const put = (roles: string[]) => api().put(`${API}/users/${ids.alpha_1}/roles`).set(...bearer(token)).send({ role_ids: roles });
      expectProblem(await put([roleIds.empty_role!]), 403);
      expect((await put([roleIds.guest!])).status).to.equal(200);
      expect((await put([])).status).to.equal(200);
      const given = await api().put(`${API}/users/${ids.alpha_1}/roles`).set(...asAdmin()).send({ role_ids: [roleIds.empty_role] });
      expect(given.status).to.equal(200);
      expectProblem(await put([]), 403);
    });
  });

  describe('Role where role_name is r_alpha or r_alpha2', () => {
    let token: string;
    const ids: Record<string, string> = {};
    before(async () => {
      for (const name of ['r_alpha', 'r_beta', 'r_beta2']) {
        const res = await api().post(`${API}/roles`).set(...asAdmin()).send({ role_name: name, permissions: [] });
        expect(res.status, res.text).to.equal(201);
        ids[name] = res.body.role_id;
      }
      token = await callerWith(tenant, [{ action: 'manage', subject: 'Role', conditions: { role_name: { $in: ['r_alpha', 'r_alpha2'] } } }]);
    });

    it('lists only its roles, in full pages', async () => {
      expect((await walk('/roles', token)).map((role) => role.role_name)).to.deep.equal(['r_alpha']);
    });

    it('creates, reads, changes and deletes only its roles', async () => {
      expectProblem(await api().post(`${API}/roles`).set(...bearer(token)).send({ role_name: 'r_gamma', data_scope: 'none', permissions: [] }), 403);
      expect((await api().post(`${API}/roles`).set(...bearer(token)).send({ role_name: 'r_alpha2', data_scope: 'none', permissions: [] })).status)
        .to.equal(201);
      expect((await api().get(`${API}/roles/${ids.r_alpha}`).set(...bearer(token))).status).to.equal(200);
      expectProblem(await api().get(`${API}/roles/${ids.r_beta}`).set(...bearer(token)), 404);
      expect((await api().patch(`${API}/roles/${ids.r_alpha}`).set(...bearer(token)).send({ role_description: 'mine' })).status).to.equal(200);
      expectProblem(await api().patch(`${API}/roles/${ids.r_beta}`).set(...bearer(token)).send({ role_description: 'mine' }), 404);
      expectProblem(await api().delete(`${API}/roles/${ids.r_beta2}`).set(...bearer(token)), 404);
      expect((await api().delete(`${API}/roles/${ids.r_alpha}`).set(...bearer(token))).status).to.equal(204);
      const names = (await walk('/roles', tenant.admin.token)).map((role) => role.role_name);
      expect(names).to.include.members(['r_beta', 'r_beta2', 'r_alpha2']).and.not.include.members(['r_gamma', 'r_alpha']);
    });
  });

  describe('User where the condition spells an e-mail or an id in another case', () => {
    it('stores the values as the database does, so they match the record', async () => {
      const suffix = crypto.randomBytes(3).toString('hex');
      const users: Record<string, string> = {};
      for (const name of ['cased', 'other']) {
        const res = await api().post(`${API}/users`).set(...asAdmin())
          .send({ email: `${name}.${suffix}@conditions.test`, password: TEST_PASSWORD, first_name: 'Cased', last_name: name });
        expect(res.status, res.text).to.equal(201);
        users[name] = res.body.user_id;
      }
      const rules = [
        { action: 'read', subject: 'User', conditions: { email: { $in: [` Cased.${suffix}@Conditions.TEST `] } } },
        { action: 'update', subject: 'User', conditions: { user_id: users.cased!.toUpperCase() } },
      ];
      const role = await api().post(`${API}/roles`).set(...asAdmin()).send({ role_name: `cased_${suffix}`, permissions: rules });
      expect(role.status, role.text).to.equal(201);
      const stored = role.body.permissions.map((permission: { conditions: unknown }) => permission.conditions);
      expect(stored).to.deep.include.members([{ email: { $in: [`cased.${suffix}@conditions.test`] } }, { user_id: users.cased }]);

      const token = await callerWith(tenant, rules);
      expect((await walk('/users', token)).map((user) => user.user_id)).to.deep.equal([users.cased]);
      expect((await api().get(`${API}/users/${users.cased}`).set(...bearer(token))).status).to.equal(200);
      expectProblem(await api().get(`${API}/users/${users.other}`).set(...bearer(token)), 404);
      expect((await api().patch(`${API}/users/${users.cased}`).set(...bearer(token)).send({ first_name: 'Matched' })).status)
        .to.equal(200);
    });

    it('stores a phone number in its international spelling, as users keep it, and refuses one that is none', async () => {
      const suffix = crypto.randomBytes(3).toString('hex');
      const digits = `98${String(crypto.randomInt(10_000_000, 99_999_999))}`;
      const users: Record<string, string> = {};
      for (const [name, phone] of [['dialled', digits], ['other', `97${digits.slice(2)}`]] as const) {
        const res = await api().post(`${API}/users`).set(...asAdmin())
          .send({ phone_number: phone, password: TEST_PASSWORD, first_name: 'Phone', last_name: `${name} ${suffix}` });
        expect(res.status, res.text).to.equal(201);
        users[name] = res.body.user_id;
      }
      const spelt = `0${digits.slice(0, 5)} ${digits.slice(5)}`;
      const rules = [{ action: 'read', subject: 'User', conditions: { phone_number: { $in: [spelt] } } }];
      const role = await api().post(`${API}/roles`).set(...asAdmin()).send({ role_name: `phone_${suffix}`, permissions: rules });
      expect(role.status, role.text).to.equal(201);
      expect(role.body.permissions[0].conditions).to.deep.equal({ phone_number: { $in: [`+91${digits}`] } });

      const token = await callerWith(tenant, rules);
      expect((await walk('/users', token)).map((user) => user.user_id)).to.deep.equal([users.dialled]);
      expect((await api().get(`${API}/users/${users.dialled}`).set(...bearer(token))).status).to.equal(200);
      expectProblem(await api().get(`${API}/users/${users.other}`).set(...bearer(token)), 404);

      const typo = await api().post(`${API}/roles`).set(...asAdmin()).send({ role_name: `phone_typo_${suffix}`,
        permissions: [{ action: 'read', subject: 'User', conditions: { phone_number: { $ne: '98123-4567x' } } }] });
      expectProblem(typo, 400, ['body.permissions.0.conditions']);
    });

    it('refuses a value that is no uuid on a uuid field', async () => {
      const res = await api().post(`${API}/roles`).set(...asAdmin()).send({ role_name: `not_uuid_${crypto.randomBytes(3).toString('hex')}`,
        permissions: [{ action: 'read', subject: 'User', conditions: { user_id: 'nope', agent_id: { $in: ['x'] } } }] });
      expectProblem(res, 400, ['body.permissions.0.conditions']);
      expect(res.body.errors).to.have.length(2);
    });
  });

  describe('Permission where subject is TenantConfig', () => {
    it('lists only the catalog entries about TenantConfig, in full pages', async () => {
      const token = await callerWith(tenant, [{ action: 'read', subject: 'Permission', conditions: { subject: 'TenantConfig' } }]);
      const listed = await walk('/permissions', token);
      expect(listed.length).to.be.greaterThan(0);
      expect(new Set(listed.map((permission) => permission.subject))).to.deep.equal(new Set(['TenantConfig']));
      const all = await walk('/permissions', tenant.admin.token);
      expect(all.length).to.be.greaterThan(listed.length);
    });
  });

  describe('conditions an endpoint cannot enforce are refused when the role is written', () => {
    const attempt = (permissions: unknown[]) => api().post(`${API}/roles`).set(...asAdmin())
      .send({ role_name: `refused_${crypto.randomBytes(3).toString('hex')}`, permissions });

    it('refuses conditions on subjects whose endpoints do not check them, and on undeclared fields', async () => {
      for (const rule of [
        { action: 'read', subject: 'Policy', conditions: { agent_id: '${user.agent_id}' } },
        { action: 'manage', subject: 'all', conditions: { tenant_id: '${user.tenant_id}' } },
        { action: 'read', subject: 'Provider', conditions: { provider_code: 'LIC' } },
        { action: 'read', subject: 'User', conditions: { password_hash: 'x' } },
        { action: 'read', subject: 'User', conditions: { status: { $gt: 'a' } } },
        { action: 'read', subject: 'Role', conditions: { is_system_role: 'true' } },
      ]) expectProblem(await attempt([rule]), 400, ['body.permissions.0.conditions']);
    });

    it('refuses a value its field never holds, which would silently match nothing', async () => {
      for (const rule of [
        { action: 'read', subject: 'User', conditions: { status: 'Active' } },
        { action: 'read', subject: 'User', conditions: { status: { $in: ['active', 'gone'] } } },
        { action: 'read', subject: 'Role', conditions: { data_scope: { $ne: 'everyone' } } },
        { action: 'read', subject: 'Permission', conditions: { subject: 'user' } },
        { action: 'read', subject: 'Permission', conditions: { action: { $nin: ['fly'] } } },
        { action: 'read', subject: 'TenantConfig', conditions: { config_type: 'text' } },
        // Shapes the records always have: a role name is lower-case, a config key too, an e-mail has an @.
        { action: 'update', subject: 'Role', conditions: { role_name: 'Guest' } },
        { action: 'read', subject: 'Role', conditions: { role_name: { $in: ['guest', 'junior agent'] } } },
        { action: 'read', subject: 'TenantConfig', conditions: { config_key: 'Branding' } },
        { action: 'read', subject: 'User', conditions: { email: { $ne: 'asha' } } },
        { action: 'read', subject: 'User', conditions: { username: { $in: ['alpha one'] } } },
      ]) expectProblem(await attempt([rule]), 400, ['body.permissions.0.conditions']);
      const fine = await attempt([{ action: 'read', subject: 'User', conditions: { status: { $in: ['active', 'suspended'] } } },
        { action: 'read', subject: 'Permission', conditions: { subject: 'User', action: { $ne: null } } }]);
      expect(fine.status, fine.text).to.equal(201);
    });

    it('refuses __proto__, constructor and prototype keys rather than dropping them', async () => {
      const raw = '{"role_name":"proto_role","permissions":[{"action":"read","subject":"User","conditions":{"__proto__":{"status":"active"}}}]}';
      const proto = await api().post(`${API}/roles`).set(...asAdmin()).set('Content-Type', 'application/json').send(raw);
      expectProblem(proto, 400, ['body.permissions.0.conditions.__proto__']);
      expectProblem(await attempt([{ action: 'read', subject: 'User', conditions: { constructor: 'x' } }]), 400, ['body.permissions.0.conditions']);
      expectProblem(await attempt([{ action: 'read', subject: 'User', conditions: { status: { prototype: 'x' } } }]), 400,
        ['body.permissions.0.conditions']);
    });
  });
});
