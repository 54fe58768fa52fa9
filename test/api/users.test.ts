import crypto from 'node:crypto';
import { expect } from 'chai';
import type { Response } from 'supertest';
import { inOwnerTransaction } from '../../src/db/privileged.js';
import { User, UserPage } from '../../schemas/users.js';
import type { Tx } from '../../src/db/scope.js';
import { ownerInTenant } from '../helpers/catalog.js';
import { API, api, testDeps } from '../helpers/context.js';
import {
  bearer, createTestTenant, createTestUser, login, superAdminToken, TEST_PASSWORD, type TestTenant,
} from '../helpers/actors.js';

const NEW_PASSWORD = 'Another#Password2026';

function uniqueEmail(tenant: TestTenant, label = 'user'): string {
  return `${label}.${crypto.randomBytes(4).toString('hex')}@${tenant.tenant_code.toLowerCase()}.test`;
}

async function roleIdsByName(tenant: TestTenant): Promise<Record<string, string>> {
  const res = await api().get(`${API}/roles?limit=200`).set(...bearer(tenant.admin.token));
  expect(res.status).to.equal(200);
  return Object.fromEntries(res.body.data.map((role: { role_name: string; role_id: string }) => [role.role_name, role.role_id]));
}

async function createUser(tenant: TestTenant, body: Record<string, unknown> = {}) {
  const res = await api().post(`${API}/users`).set(...bearer(tenant.admin.token))
    .send({ email: uniqueEmail(tenant), password: TEST_PASSWORD, first_name: 'Asha', last_name: 'Rao', ...body });
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  return res.body as { user_id: string; email: string; status: string; roles: { role_name: string }[] };
}

/**
 * Runs `race` while a test connection blocks inserts into the tenant's users (reads still pass), and lets go once
 * `waiters` locks are queued: every request has then either counted the seats or is waiting to count them.
 */
async function withUserInsertsHeld<T>(tenant: TestTenant, waiters: number, race: () => Promise<T>): Promise<T> {
  const held = await inOwnerTransaction(testDeps().db, async (tx) => {
    await tx.raw(`LOCK TABLE "${tenant.schema_name}".users IN SHARE MODE`);
    let settled = false;
    const result = race().finally(() => { settled = true; });
    for (let tries = 0; tries < 250 && !settled && (await queuedLocks(tx)) < waiters; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return { result };
  });
  return held.result;
}

async function queuedLocks(tx: Tx): Promise<number> {
  const result: { rows: { queued: number }[] } = await tx.raw('SELECT count(*)::int AS queued FROM pg_locks WHERE NOT granted');
  return result.rows[0]?.queued ?? 0;
}

function signIn(tenant: TestTenant, email: string, password = TEST_PASSWORD) {
  return api().post(`${API}/auth/login`).send({ tenant: tenant.tenant_code, email, password });
}

describe('users API', () => {
  let tenant: TestTenant;
  let roles: Record<string, string>;

  before(async () => {
    tenant = await createTestTenant();
    roles = await roleIdsByName(tenant);
  });

  it('an admin creates a user with a role; the reply has its roles and no secrets, and the user can sign in', async () => {
    const email = uniqueEmail(tenant, 'Mixed.Case');
    const created = await createUser(tenant, { email: email.toUpperCase(), role_ids: [roles.junior_agent] });
    expect(created.email).to.equal(email.toLowerCase());
    expect(created.status).to.equal('active');
    expect(created.roles.map((role) => role.role_name)).to.deep.equal(['junior_agent']);
    expect(created).to.not.have.any.keys('password_hash', 'login_attempts', 'locked_until', 'password_changed_at');
    expect(() => User.strict().parse(created), 'the reply matches its documented schema').to.not.throw();

    const fetched = await api().get(`${API}/users/${created.user_id}`).set(...bearer(tenant.admin.token));
    expect(fetched.status).to.equal(200);
    expect(fetched.body).to.deep.equal(created);
    expect((await signIn(tenant, email.toLowerCase())).status).to.equal(200);
  });

  it('a user created without role_ids has no roles', async () => {
    const created = await createUser(tenant);
    expect(created.roles).to.deep.equal([]);
  });

  it('an admin pages through users with a cursor and sees each exactly once', async () => {
    const mine = await Promise.all([1, 2, 3].map(() => createUser(tenant)));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: Response = await api().get(`${API}/users`).query({ limit: 2, ...(cursor ? { cursor } : {}) }).set(...bearer(tenant.admin.token));
      expect(res.status).to.equal(200);
      expect(res.body.data.length).to.be.at.most(2);
      expect(() => UserPage.parse(res.body)).to.not.throw();
      seen.push(...res.body.data.map((user: { user_id: string }) => user.user_id));
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(new Set(seen).size).to.equal(seen.length);
    expect(seen).to.include.members(mine.map((user) => user.user_id));
  });

  it('an admin finds users by a search over names and e-mail, and by status', async () => {
    const wanted = await createUser(tenant, { first_name: 'Zebediah', last_name: 'Quill' });
    await createUser(tenant, { first_name: 'Other', last_name: 'Person' });
    const byName = await api().get(`${API}/users`).query({ q: 'zebediah qu' }).set(...bearer(tenant.admin.token));
    expect(byName.body.data.map((user: { user_id: string }) => user.user_id)).to.deep.equal([wanted.user_id]);
    const byEmail = await api().get(`${API}/users`).query({ q: wanted.email.slice(0, 12).toUpperCase() }).set(...bearer(tenant.admin.token));
    expect(byEmail.body.data.map((user: { user_id: string }) => user.user_id)).to.deep.equal([wanted.user_id]);
    const suspended = await api().get(`${API}/users`).query({ status: 'suspended' }).set(...bearer(tenant.admin.token));
    expect(suspended.body.data).to.deep.equal([]);
  });

  it('an admin finds a user by phone number however it is typed', async () => {
    const digits = `98${String(crypto.randomInt(10_000_000, 99_999_999))}`;
    const wanted = await createUser(tenant, { phone_number: digits });
    expect((wanted as { phone_number?: string }).phone_number).to.equal(`+91${digits}`);
    for (const q of [digits, `+91 ${digits.slice(0, 5)} ${digits.slice(5)}`, `0${digits.slice(0, 5)}-${digits.slice(5)}`,
      `91${digits}`, `+91${digits.slice(0, 6)}`]) {
      const res = await api().get(`${API}/users`).query({ q }).set(...bearer(tenant.admin.token));
      expect(res.status, res.text).to.equal(200);
      expect(res.body.data.map((user: { user_id: string }) => user.user_id), q).to.deep.equal([wanted.user_id]);
    }
  });

  it('an admin patches a user\'s names and password; the old password and the old token stop working', async () => {
    const user = await createUser(tenant, { role_ids: [roles.guest] });
    const oldToken = (await login({ tenant: tenant.tenant_code, email: user.email, password: TEST_PASSWORD })).access_token;
    const res = await api().patch(`${API}/users/${user.user_id}`).set(...bearer(tenant.admin.token))
      .send({ display_name: 'Asha R.', timezone: 'Europe/London', password: NEW_PASSWORD });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.include({ display_name: 'Asha R.', timezone: 'Europe/London' });
    expect((await api().get(`${API}/auth/me`).set(...bearer(oldToken))).status).to.equal(401);
    expect((await signIn(tenant, user.email)).status).to.equal(401);
    expect((await signIn(tenant, user.email, NEW_PASSWORD)).status).to.equal(200);
  });

  it('V2.1.6 nobody sets its own password through PATCH /users/{id}: it takes the current one at POST /auth/password (409)', async () => {
    const me = (await api().get(`${API}/auth/me`).set(...bearer(tenant.admin.token))).body;
    const res = await api().patch(`${API}/users/${me.user_id.toUpperCase()}`).set(...bearer(tenant.admin.token))
      .send({ display_name: 'Changed', password: NEW_PASSWORD });
    expect(res.status, res.text).to.equal(409);
    expect((await api().get(`${API}/auth/me`).set(...bearer(tenant.admin.token))).status, 'the session lives on').to.equal(200);
    expect((await signIn(tenant, tenant.admin.email, NEW_PASSWORD)).status).to.equal(401);
    const mine = await api().get(`${API}/users/${me.user_id}`).set(...bearer(tenant.admin.token));
    expect(mine.body.display_name, 'nothing written').to.not.equal('Changed');
  });

  it('an admin cannot change its own roles (it could leave the tenant without one): 409', async () => {
    const me = (await api().get(`${API}/auth/me`).set(...bearer(tenant.admin.token))).body;
    const res = await api().put(`${API}/users/${me.user_id}/roles`).set(...bearer(tenant.admin.token)).send({ role_ids: [] });
    expect(res.status).to.equal(409);
    expect((await api().get(`${API}/users`).set(...bearer(tenant.admin.token))).status).to.equal(200);
  });

  it('suspending a user ends its sessions', async () => {
    const user = await createUser(tenant, { role_ids: [roles.guest] });
    const token = (await login({ tenant: tenant.tenant_code, email: user.email, password: TEST_PASSWORD })).access_token;
    const res = await api().patch(`${API}/users/${user.user_id}`).set(...bearer(tenant.admin.token)).send({ status: 'suspended' });
    expect(res.status).to.equal(200);
    expect(res.body.status).to.equal('suspended');
    expect((await api().get(`${API}/auth/me`).set(...bearer(token))).status).to.equal(401);
  });

  it('a second user with the same e-mail in another case is a 409', async () => {
    const first = await createUser(tenant);
    const res = await api().post(`${API}/users`).set(...bearer(tenant.admin.token))
      .send({ email: first.email.toUpperCase(), password: TEST_PASSWORD, first_name: 'Dup', last_name: 'Licate' });
    expect(res.status).to.equal(409);
    expect(res.body.detail).to.match(/email/);
  });

  it('a phone number is stored in its international spelling: every other spelling of it is a 409 and signs in', async () => {
    const national = `98${crypto.randomInt(10_000_000, 99_999_999)}`;
    const user = await createUser(tenant, { phone_number: ` ${national.slice(0, 5)} ${national.slice(5)} ` }) as unknown as { user_id: string; phone_number: string };
    expect(user.phone_number).to.equal(`+91${national}`);
    for (const spelling of [`+91${national}`, `91${national}`, `0${national}`, `(0) ${national.slice(0, 5)}-${national.slice(5)}`]) {
      const res = await api().post(`${API}/users`).set(...bearer(tenant.admin.token))
        .send({ phone_number: spelling, password: TEST_PASSWORD, first_name: 'Dup', last_name: 'Licate' });
      expect(res.status, spelling).to.equal(409);
    }
    for (const spelling of [national, `0${national}`, `91${national}`]) {
      await login({ tenant: tenant.tenant_code, phone_number: spelling, password: TEST_PASSWORD });
    }
    // An account stored before numbers were stored internationally still signs in with the international spelling.
    const stored = await ownerInTenant(tenant, (client) => client.query(`UPDATE "${tenant.schema_name}".users SET phone_number = $1
      WHERE user_id = $2`, [national, user.user_id]));
    expect(stored.rowCount).to.equal(1);
    await login({ tenant: tenant.tenant_code, phone_number: `+91${national}`, password: TEST_PASSWORD });
  });

  it('V13.2.2 a body with many bad fields is one 400 that lists every one of them', async () => {
    const res = await api().post(`${API}/users`).set(...bearer(tenant.admin.token))
      .send({ email: 'not-an-email', password: 'short', last_name: 'X', role_ids: ['nope'], is_admin: true });
    expect(res.status).to.equal(400);
    const paths = res.body.errors.map((error: { path: string }) => error.path);
    expect(paths).to.include.members(['body.email', 'body.password', 'body.first_name', 'body.role_ids.0', 'body']);
    expect(JSON.stringify(res.body.errors)).to.contain('is_admin');
  });

  it('a user needs an e-mail, phone number or username', async () => {
    const res = await api().post(`${API}/users`).set(...bearer(tenant.admin.token))
      .send({ password: TEST_PASSWORD, first_name: 'No', last_name: 'Identifier' });
    expect(res.status).to.equal(400);
    expect(res.body.errors).to.deep.include({ path: 'body.email', message: 'one of email, phone_number or username is required' });
  });

  it('a malformed user id is a 400 naming params.user_id; an unknown one is a 404', async () => {
    const bad = await api().patch(`${API}/users/12345`).set(...bearer(tenant.admin.token)).send({ first_name: '' });
    expect(bad.status).to.equal(400);
    expect(bad.body.errors.map((error: { path: string }) => error.path)).to.include.members(['params.user_id', 'body.first_name']);
    const unknown = await api().get(`${API}/users/${crypto.randomUUID()}`).set(...bearer(tenant.admin.token));
    expect(unknown.status).to.equal(404);
  });

  describe('deactivation', () => {
    it('a deactivated user\'s token gets 401 at once, its login 401, and its row stays, marked deactivated', async () => {
      const user = await createUser(tenant, { role_ids: [roles.support_staff] });
      const token = (await login({ tenant: tenant.tenant_code, email: user.email, password: TEST_PASSWORD })).access_token;
      expect((await api().get(`${API}/users`).set(...bearer(token))).status).to.equal(200);

      const res = await api().delete(`${API}/users/${user.user_id}`).set(...bearer(tenant.admin.token));
      expect(res.status).to.equal(204);
      expect((await api().get(`${API}/users`).set(...bearer(token))).status).to.equal(401);
      expect((await signIn(tenant, user.email)).status).to.equal(401);

      const after = await api().get(`${API}/users/${user.user_id}`).set(...bearer(tenant.admin.token));
      expect(after.body.status).to.equal('deactivated');
      expect(after.body.deactivated_at).to.be.a('string');
      const patch = await api().patch(`${API}/users/${user.user_id}`).set(...bearer(tenant.admin.token)).send({ status: 'active' });
      expect(patch.status).to.equal(409);
    });

    it('a deactivated user can lose its roles but not be given any', async () => {
      const user = await createUser(tenant, { role_ids: [roles.support_staff] });
      expect((await api().delete(`${API}/users/${user.user_id}`).set(...bearer(tenant.admin.token))).status).to.equal(204);
      const put = (roleIds: string[]) => api().put(`${API}/users/${user.user_id}/roles`).set(...bearer(tenant.admin.token))
        .send({ role_ids: roleIds });
      const grant = await put([roles.support_staff!, roles.junior_agent!]);
      expect(grant.status, grant.text).to.equal(409);
      expect((await put([roles.support_staff!])).status, 'unchanged').to.equal(200);
      const taken = await put([]);
      expect(taken.status, taken.text).to.equal(200);
      expect(taken.body.roles).to.deep.equal([]);
    });

    it('an admin cannot deactivate itself', async () => {
      const me = await api().get(`${API}/auth/me`).set(...bearer(tenant.admin.token));
      const res = await api().delete(`${API}/users/${me.body.user_id}`).set(...bearer(tenant.admin.token));
      expect(res.status).to.equal(409);
      expect((await api().get(`${API}/auth/me`).set(...bearer(tenant.admin.token))).status).to.equal(200);
    });
  });

  describe('who may manage users', () => {
    it('V4.1.1 a junior agent gets 403 on GET /users', async () => {
      const agent = await createTestUser(tenant, 'junior_agent', { agent: true });
      expect((await api().get(`${API}/users`).set(...bearer(agent.token))).status).to.equal(403);
    });

    it('a regional manager may read users but not create them', async () => {
      const manager = await createTestUser(tenant, 'regional_manager');
      expect((await api().get(`${API}/users`).set(...bearer(manager.token))).status).to.equal(200);
      const res = await api().post(`${API}/users`).set(...bearer(manager.token))
        .send({ email: uniqueEmail(tenant), password: TEST_PASSWORD, first_name: 'Not', last_name: 'Allowed' });
      expect(res.status).to.equal(403);
    });

    it('a super admin\'s platform token gets 403 on the tenant users API', async () => {
      expect((await api().get(`${API}/users`).set(...bearer(await superAdminToken()))).status).to.equal(403);
    });
  });
});

describe('users API: max_users', () => {
  let tenant: TestTenant;

  before(async () => {
    tenant = await createTestTenant({ max_users: 3 });
  });

  it('a tenant at max_users refuses one more user with 422; deactivating one frees its seat', async () => {
    const second = await createUser(tenant);
    await createUser(tenant);
    const refused = await api().post(`${API}/users`).set(...bearer(tenant.admin.token))
      .send({ email: uniqueEmail(tenant), password: TEST_PASSWORD, first_name: 'One', last_name: 'Toomany' });
    expect(refused.status).to.equal(422);
    expect(refused.body.detail).to.match(/maximum of 3/);
    // A stable code a client can branch on, naming the limit, as tenant.storage_limit does.
    expect(refused.body.code).to.equal('tenant.user_limit');
    expect(refused.body.errors).to.deep.equal([{ path: 'body', message: "exceeds the tenant's max_users of 3" }]);

    expect((await api().delete(`${API}/users/${second.user_id}`).set(...bearer(tenant.admin.token))).status).to.equal(204);
    await createUser(tenant);
  });

  it('three creates racing for the last seat: exactly one gets it', async () => {
    const crowded = await createTestTenant({ max_users: 3 });
    await createUser(crowded);
    const attempt = () => api().post(`${API}/users`).set(...bearer(crowded.admin.token))
      .send({ email: uniqueEmail(crowded), password: TEST_PASSWORD, first_name: 'Race', last_name: 'Er' })
      .then((res) => res.status);
    // With inserts held, an unguarded count would see the same free seat three times and let all three in.
    const statuses = await withUserInsertsHeld(crowded, 3, () => Promise.all([attempt(), attempt(), attempt()]));
    expect(statuses.sort()).to.deep.equal([201, 422, 422]);
  });
});

describe('users API: across tenants', () => {
  it('V4.2.1 an admin of tenant A gets 404 for a user of tenant B, which stays unchanged', async () => {
    const [tenantA, tenantB] = await Promise.all([createTestTenant(), createTestTenant()]);
    const userB = await createUser(tenantB, { first_name: 'Bina' });
    const url = `${API}/users/${userB.user_id}`;
    const asA = bearer(tenantA.admin.token);

    expect((await api().get(url).set(...asA)).status).to.equal(404);
    expect((await api().patch(url).set(...asA).send({ first_name: 'Hijacked' })).status).to.equal(404);
    expect((await api().delete(url).set(...asA)).status).to.equal(404);
    expect((await api().put(`${url}/roles`).set(...asA).send({ role_ids: [] })).status).to.equal(404);

    const seenByB = await api().get(url).set(...bearer(tenantB.admin.token));
    expect(seenByB.body).to.include({ first_name: 'Bina', status: 'active' });
  });
});
