import { expect } from 'chai';
import type { Response } from 'supertest';
import { Tenant } from '../../schemas/tenants.js';
import { API, api } from '../helpers/context.js';
import { bearer, createTestTenant, superAdminToken, type TestTenant } from '../helpers/actors.js';
import { UNKNOWN_ID, expectProblem } from '../helpers/problems.js';



describe('the tenant registry (GET /tenants, GET|PATCH /tenants/{tenant_id})', () => {
  let rootToken: string;
  let tenant: TestTenant;

  before(async () => {
    tenant = await createTestTenant();
    rootToken = await superAdminToken();
  });

  const asRoot = {
    get: (path: string) => api().get(`${API}${path}`).set(...bearer(rootToken)),
    patch: (path: string, body: object) => api().patch(`${API}${path}`).set(...bearer(rootToken)).send(body),
  };

  /** Every tenant the filter lets through, walking the pages `limit` at a time. */
  async function walkTenants(limit: number, filter = ''): Promise<{ pages: number; ids: string[]; rows: Record<string, string>[] }> {
    const rows: Record<string, string>[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: Response = await asRoot.get(`/tenants?limit=${limit}${filter}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body.data.length).to.be.at.most(limit);
      rows.push(...res.body.data);
      cursor = res.body.next_cursor;
      pages += 1;
    } while (cursor && pages < 500);
    return { pages, ids: rows.map((row) => row.tenant_id as string), rows };
  }

  it('when a super admin reads a tenant, then it gets the whole registry record with ISO timestamps', async () => {
    const res = await asRoot.get(`/tenants/${tenant.tenant_id}`);
    expect(res.status).to.equal(200);
    expect(() => Tenant.parse(res.body)).not.to.throw();
    expect(res.body).to.include({
      tenant_id: tenant.tenant_id, tenant_code: tenant.tenant_code, schema_name: tenant.schema_name, status: 'active',
      tenant_type: 'insurance_provider', max_users: 1000, storage_limit_gb: 10, api_rate_limit: 1000, parent_tenant_id: null,
    });
    expect(new Date(res.body.created_at).toISOString()).to.equal(res.body.created_at);
    expect(res.body.schema_version).to.match(/^\d+_/);
  });

  it('when the tenant id is unknown, then it answers 404; when it is not a uuid, 400 naming it', async () => {
    expectProblem(await asRoot.get(`/tenants/${UNKNOWN_ID}`), 404);
    expectProblem(await asRoot.get('/tenants/not-a-uuid'), 400, ['params.tenant_id']);
    expectProblem(await asRoot.patch('/tenants/not-a-uuid', { tenant_name: 'X' }), 400, ['params.tenant_id']);
    expectProblem(await asRoot.patch(`/tenants/${UNKNOWN_ID}`, { tenant_name: 'X' }), 404);
  });

  it('when trial_end_date is in year 0000, which PostgreSQL has no time in, then the 400 names it', async () => {
    const tenant = await createTestTenant();
    expectProblem(await asRoot.patch(`/tenants/${tenant.tenant_id}`, { trial_end_date: '0000-06-01T00:00:00Z' }), 400,
      ['body.trial_end_date'], 'request.invalid');
  });

  it('when trial_end_date has a zone offset beyond PostgreSQL\'s ±15:59, then the 400 names it; ±15:59 is stored', async () => {
    const tenant = await createTestTenant();
    for (const offset of ['+23:59', '-16:00']) {
      expectProblem(await asRoot.patch(`/tenants/${tenant.tenant_id}`, { trial_end_date: `2030-01-01T00:00:00${offset}` }), 400,
        ['body.trial_end_date'], 'request.invalid');
    }
    const edge = await asRoot.patch(`/tenants/${tenant.tenant_id}`, { trial_end_date: '2030-01-01T00:00:00+15:59' });
    expect(edge.status, edge.text).to.equal(200);
    expect(edge.body.trial_end_date).to.equal('2029-12-31T08:01:00.000Z');
  });

  it('when a provider admin or nobody asks for the registry, then it answers 403 or 401', async () => {
    expectProblem(await api().get(`${API}/tenants`).set(...bearer(tenant.admin.token)), 403);
    expectProblem(await api().get(`${API}/tenants/${tenant.tenant_id}`).set(...bearer(tenant.admin.token)), 403);
    expectProblem(await api().patch(`${API}/tenants/${tenant.tenant_id}`).set(...bearer(tenant.admin.token))
      .send({ max_users: 999_999 }), 403);
    expectProblem(await api().get(`${API}/tenants`), 401);
  });

  it('when the list is read a page at a time, then every tenant appears once, oldest first, and the last page ends it', async () => {
    const more = [await createTestTenant(), await createTestTenant()];
    const { pages, ids, rows } = await walkTenants(2);
    expect(pages).to.be.at.least(2);
    expect(new Set(ids).size).to.equal(ids.length);
    expect(ids).to.include.members([tenant.tenant_id, ...more.map((t) => t.tenant_id)]);
    const created = rows.map((row) => Date.parse(row.created_at as string));
    expect(created).to.deep.equal([...created].sort((a, b) => a - b));
    const whole = await asRoot.get('/tenants?limit=200');
    // One big page agrees with the walk (as far as it reaches, on a database holding over 200 tenants).
    expect(whole.body.data.map((t: { tenant_id: string }) => t.tenant_id)).to.deep.equal(ids.slice(0, whole.body.data.length));
  });

  it('when the list query is malformed, then one 400 names each bad parameter', async () => {
    expectProblem(await asRoot.get('/tenants?limit=0&status=deleted'), 400, ['query.limit', 'query.status']);
    expectProblem(await asRoot.get('/tenants?limit=201'), 400, ['query.limit']);
    expectProblem(await asRoot.get('/tenants?cursor=garbage'), 400, ['query.cursor']);
  });

  it('when a super admin changes name, plan and limits, then the record says so and the rest is untouched', async () => {
    const before = (await asRoot.get(`/tenants/${tenant.tenant_id}`)).body;
    const res = await asRoot.patch(`/tenants/${tenant.tenant_id}`, {
      tenant_name: 'Renamed Life', subscription_plan: 'enterprise', max_users: 50, storage_limit_gb: 20,
      api_rate_limit: 300, trial_end_date: '2030-01-31T00:00:00+05:30',
    });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(() => Tenant.parse(res.body)).not.to.throw();
    expect(res.body).to.include({ tenant_name: 'Renamed Life', subscription_plan: 'enterprise', max_users: 50,
      storage_limit_gb: 20, api_rate_limit: 300, trial_end_date: '2030-01-30T18:30:00.000Z', status: 'active',
      tenant_code: tenant.tenant_code });
    expect(Date.parse(res.body.updated_at)).to.be.greaterThan(Date.parse(before.updated_at));
    expect((await asRoot.get(`/tenants/${tenant.tenant_id}`)).body.tenant_name).to.equal('Renamed Life');
    const cleared = await asRoot.patch(`/tenants/${tenant.tenant_id}`, { subscription_plan: null, trial_end_date: null });
    expect(cleared.body).to.include({ subscription_plan: null, trial_end_date: null, max_users: 50 });
  });

  it('when a patch is malformed, then one 400 lists every bad field and nothing changes', async () => {
    const res = await asRoot.patch(`/tenants/${tenant.tenant_id}`, {
      status: 'deleted', max_users: 0, tenant_name: '', trial_end_date: 'tomorrow', tenant_code: 'OTHER',
    });
    expectProblem(res, 400, ['body.status', 'body.max_users', 'body.tenant_name', 'body.trial_end_date', 'body']);
    expectProblem(await asRoot.patch(`/tenants/${tenant.tenant_id}`, {}), 400);
    expect((await asRoot.get(`/tenants/${tenant.tenant_id}`)).body.max_users).to.not.equal(0);
  });

  it('when a tenant is suspended, then its existing tokens and new logins get 403, and its old sessions stay ended on reactivation', async () => {
    const victim = await createTestTenant();
    const me = () => api().get(`${API}/auth/me`).set(...bearer(victim.admin.token));
    const signIn = () => api().post(`${API}/auth/login`)
      .send({ tenant: victim.tenant_code, email: victim.admin.email, password: victim.admin.password });
    expect((await me()).status).to.equal(200);

    const suspended = await asRoot.patch(`/tenants/${victim.tenant_id}`, { status: 'suspended' });
    expect(suspended.body.status).to.equal('suspended');
    expectProblem(await me(), 403);
    expectProblem(await signIn(), 403);

    const filtered = await walkTenants(200, '&status=suspended');
    expect(filtered.ids).to.include(victim.tenant_id);
    expect(filtered.rows.every((row) => row.status === 'suspended')).to.equal(true);
    expect((await walkTenants(200, '&status=active')).ids).not.to.include(victim.tenant_id);

    expect((await asRoot.patch(`/tenants/${victim.tenant_id}`, { status: 'active' })).body.status).to.equal('active');
    expectProblem(await me(), 401);
    const again = await signIn();
    expect(again.status).to.equal(200);
    expect((await api().get(`${API}/auth/me`).set(...bearer(again.body.access_token))).status).to.equal(200);
  });

  it('when a tenant is made inactive, then its users are refused too', async () => {
    const retired = await createTestTenant();
    await asRoot.patch(`/tenants/${retired.tenant_id}`, { status: 'inactive' });
    expectProblem(await api().get(`${API}/auth/me`).set(...bearer(retired.admin.token)), 403);
  });
});
