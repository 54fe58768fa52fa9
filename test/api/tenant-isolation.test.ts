import { expect } from 'chai';
import type { Response } from 'supertest';
import { bearer, createTestTenant, createTestUser, login, superAdminToken, TEST_PASSWORD, type TestTenant } from '../helpers/actors.js';
import { ownerQuery } from '../helpers/catalog.js';
import { API, api } from '../helpers/context.js';
import { expectProblem } from '../helpers/problems.js';

// Tenant isolation as a client sees it: the token's tenant is authoritative, another tenant's records do not
// exist for the caller (404, never 403), platform and tenant APIs do not mix, and a suspended tenant is shut out.


async function userIdOf(token: string): Promise<string> {
  const me = await api().get(`${API}/auth/me`).set(...bearer(token));
  expect(me.status).to.equal(200);
  return me.body.user_id;
}

/** A user row read by the owner in the user's own tenant context: what the API must not have changed. */
async function userRow(tenant: TestTenant, userId: string): Promise<Record<string, unknown>> {
  return ownerQuery(async (client) => {
    await client.query('BEGIN');
    try {
      await client.query(`SET LOCAL app.tenant_id = '${tenant.tenant_id}'`);
      const { rows } = await client.query(`SELECT * FROM "${tenant.schema_name}".users WHERE user_id = $1`, [userId]);
      return rows[0];
    } finally {
      await client.query('ROLLBACK');
    }
  });
}

describe('tenant isolation through the API', () => {
  let a: TestTenant;
  let b: TestTenant;
  const idsOf: Record<string, string[]> = {};
  let bAgent: string;

  before(async () => {
    [a, b] = [await createTestTenant(), await createTestTenant()];
    const aUsers = [await createTestUser(a, 'junior_agent', { agent: true }), await createTestUser(a, 'support_staff')];
    const bUsers = [await createTestUser(b, 'junior_agent', { agent: true }), await createTestUser(b, 'senior_agent')];
    idsOf[a.tenant_code] = [await userIdOf(a.admin.token), ...aUsers.map((u) => u.user_id)];
    idsOf[b.tenant_code] = [await userIdOf(b.admin.token), ...bUsers.map((u) => u.user_id)];
    bAgent = (bUsers[0] as { user_id: string }).user_id;
  });

  it("when A's token names B in X-Tenant, then it is refused (403); its own code or none is fine", async () => {
    expectProblem(await api().get(`${API}/auth/me`).set(...bearer(a.admin.token)).set('X-Tenant', b.tenant_code), 403);
    expectProblem(await api().get(`${API}/users`).set(...bearer(a.admin.token)).set('X-Tenant', b.tenant_code), 403);
    expectProblem(await api().get(`${API}/auth/me`).set(...bearer(a.admin.token)).set('X-Tenant', 'NOSUCHTENANT'), 403);
    // An empty X-Tenant names no tenant, as at sign-in; a lower-case code names the same one.
    for (const header of [a.tenant_code, ` ${a.tenant_code.toLowerCase()} `, '', undefined]) {
      const req = api().get(`${API}/auth/me`).set(...bearer(a.admin.token));
      const me = header === undefined ? await req : await req.set('X-Tenant', header);
      expect(me.status, JSON.stringify(me.body)).to.equal(200);
      expect(me.body).to.include({ tenant_code: a.tenant_code, tenant_id: a.tenant_id, user_id: idsOf[a.tenant_code]?.[0] });
    }
  });

  it("when A's admin reaches for B's user by id, then it does not exist (404) and the user is untouched", async () => {
    const before = await userRow(b, bAgent);
    expect(before).to.include({ first_name: 'Test', status: 'active', tenant_id: b.tenant_id });
    // The control: A's admin does read and change A's own users through the same routes.
    const own = await api().get(`${API}/users/${idsOf[a.tenant_code]?.[1]}`).set(...bearer(a.admin.token));
    expect(own.status, JSON.stringify(own.body)).to.equal(200);
    expect(own.body.tenant_id).to.equal(a.tenant_id);

    expectProblem(await api().get(`${API}/users/${bAgent}`).set(...bearer(a.admin.token)), 404);
    expectProblem(await api().patch(`${API}/users/${bAgent}`).set(...bearer(a.admin.token)).send({ first_name: 'Intruder' }), 404);
    expectProblem(await api().patch(`${API}/users/${bAgent}`).set(...bearer(a.admin.token)).send({ status: 'suspended' }), 404);
    expectProblem(await api().delete(`${API}/users/${bAgent}`).set(...bearer(a.admin.token)), 404);

    expect(await userRow(b, bAgent)).to.deep.equal(before);
    const seenByB = await api().get(`${API}/users/${bAgent}`).set(...bearer(b.admin.token));
    expect(seenByB.status, JSON.stringify(seenByB.body)).to.equal(200);
    expect(seenByB.body).to.include({ user_id: bAgent, first_name: 'Test', status: 'active' });
  });

  it("when each admin lists users, then it gets exactly its own tenant's users, every row carrying its tenant id", async () => {
    for (const tenant of [a, b]) {
      const rows: { user_id: string; tenant_id: string }[] = [];
      let cursor: string | null = null;
      do {
        const res: Response = await api().get(`${API}/users`).query({ limit: 2, ...(cursor ? { cursor } : {}) }).set(...bearer(tenant.admin.token));
        expect(res.status, JSON.stringify(res.body)).to.equal(200);
        rows.push(...res.body.data);
        cursor = res.body.next_cursor;
      } while (cursor);
      expect(rows.map((row) => row.tenant_id)).to.deep.equal(rows.map(() => tenant.tenant_id));
      expect(rows.map((row) => row.user_id)).to.have.members(idsOf[tenant.tenant_code] as string[]);
    }
  });

  it('V13.1.4 when a tenant token calls the platform registry, or a super admin the users API, then both get 403', async () => {
    expectProblem(await api().get(`${API}/tenants`).set(...bearer(a.admin.token)), 403);
    expectProblem(await api().get(`${API}/tenants/${a.tenant_id}`).set(...bearer(a.admin.token)), 403);
    expectProblem(await api().patch(`${API}/tenants/${b.tenant_id}`).set(...bearer(a.admin.token)).send({ status: 'suspended' }), 403);
    const root = await superAdminToken();
    expectProblem(await api().get(`${API}/users`).set(...bearer(root)), 403);
    expectProblem(await api().get(`${API}/users/${bAgent}`).set(...bearer(root)), 403);
    expectProblem(await api().get(`${API}/users`).set(...bearer(root)).set('X-Tenant', b.tenant_code), 403);
    expect((await userRow(b, bAgent)).status).to.equal('active');
  });

  it('when a login names an unknown tenant, then it is the same 401 as a wrong password', async () => {
    const wrongPassword = await api().post(`${API}/auth/login`).send({ tenant: a.tenant_code, email: a.admin.email, password: 'Wrong#Password2026' });
    expectProblem(wrongPassword, 401);
    const inBody = await api().post(`${API}/auth/login`).send({ tenant: 'NOSUCHTENANT', email: a.admin.email, password: TEST_PASSWORD });
    const inHeader = await api().post(`${API}/auth/login`).set('X-Tenant', 'NOSUCHTENANT').send({ email: a.admin.email, password: TEST_PASSWORD });
    for (const res of [inBody, inHeader]) {
      expectProblem(res, 401);
      expect(res.body.detail).to.equal(wrongPassword.body.detail);
      expect(res.body).to.not.have.property('access_token');
    }
  });

  it("when a tenant is suspended, then its live tokens and new logins get 403, and reactivating it lets them sign in again", async () => {
    const c = await createTestTenant();
    const agent = await createTestUser(c, 'junior_agent');
    const root = await superAdminToken();
    const suspend = await api().patch(`${API}/tenants/${c.tenant_id}`).set(...bearer(root)).send({ status: 'suspended' });
    expect(suspend.status, JSON.stringify(suspend.body)).to.equal(200);
    expect(suspend.body.status).to.equal('suspended');
    try {
      for (const token of [c.admin.token, agent.token]) expectProblem(await api().get(`${API}/auth/me`).set(...bearer(token)), 403);
      expectProblem(await api().get(`${API}/users`).set(...bearer(c.admin.token)), 403);
      expectProblem(await api().post(`${API}/auth/login`).send({ tenant: c.tenant_code, email: c.admin.email, password: TEST_PASSWORD }), 403);
      // Other tenants carry on.
      expect((await api().get(`${API}/auth/me`).set(...bearer(a.admin.token))).status).to.equal(200);
    } finally {
      const reactivate = await api().patch(`${API}/tenants/${c.tenant_id}`).set(...bearer(root)).send({ status: 'active' });
      expect(reactivate.status, JSON.stringify(reactivate.body)).to.equal(200);
    }
    // Suspension ended their sessions: the old tokens do not come back to life.
    for (const token of [c.admin.token, agent.token]) expectProblem(await api().get(`${API}/auth/me`).set(...bearer(token)), 401);
    const again = await login({ tenant: c.tenant_code, email: c.admin.email, password: TEST_PASSWORD });
    const me = await api().get(`${API}/auth/me`).set(...bearer(again.access_token));
    expect(me.status, JSON.stringify(me.body)).to.equal(200);
    expect(me.body.tenant_code).to.equal(c.tenant_code);
  });
});
