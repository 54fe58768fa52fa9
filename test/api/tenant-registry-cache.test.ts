import { expect } from 'chai';
import type { Express } from 'express';
import supertest from 'supertest';
import { bearer, createTestTenant, superAdminToken, type TestTenant } from '../helpers/actors.js';
import { API, api, testDeps } from '../helpers/context.js';
import { expectProblem } from '../helpers/problems.js';
import { secondAppProcess } from '../helpers/second-process.js';

// The registry keeps an active tenant's record for TENANT_CACHE_TTL_MS (a minute) in each process. A status change
// made through one process must still hold at once in another that cached the record before it.
describe('the tenant registry cache across app processes (TENANT_CACHE_TTL_MS)', () => {
  let tenant: TestTenant;
  let rootToken: string;
  let second: ReturnType<typeof secondAppProcess>;

  before(async () => {
    expect(testDeps().config.tenantCacheTtlMs, 'a TTL long enough to matter').to.be.at.least(10_000);
    tenant = await createTestTenant();
    rootToken = await superAdminToken();
    second = secondAppProcess();
  });
  after(async () => second.close());

  const at = (app: Express) => ({
    me: (token: string) => supertest(app).get(`${API}/auth/me`).set(...bearer(token)),
    signIn: () => supertest(app).post(`${API}/auth/login`)
      .send({ tenant: tenant.tenant_code, email: tenant.admin.email, password: tenant.admin.password }),
    refresh: (refreshToken: string) => supertest(app).post(`${API}/auth/refresh`).send({ refresh_token: refreshToken }),
  });
  const setStatus = async (status: string) => {
    const res = await api().patch(`${API}/tenants/${tenant.tenant_id}`).set(...bearer(rootToken)).send({ status });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
  };

  it('a suspension made elsewhere stops the tenant at once in a process that cached it, and a reactivation lets it back at once', async () => {
    const other = at(second.app);
    const session = await other.signIn();
    expect(session.status, JSON.stringify(session.body)).to.equal(200);
    expect((await other.me(session.body.access_token)).status, 'the second process has the record cached').to.equal(200);

    await setStatus('suspended');
    expectProblem(await other.me(session.body.access_token), 401);
    expectProblem(await other.signIn(), 403, [], 'tenant.suspended');
    expectProblem(await other.refresh(session.body.refresh_token), 403, [], 'tenant.suspended');

    await setStatus('active');
    const again = await other.signIn();
    expect(again.status, JSON.stringify(again.body)).to.equal(200);
    expect((await other.me(again.body.access_token)).status, 'no stale suspension served').to.equal(200);
    expect((await at(second.app).refresh(again.body.refresh_token)).status).to.equal(200);
  });
});
