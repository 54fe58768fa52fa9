import { expect } from 'chai';
import { withClient } from '../../src/db/roles.js';
import { onboardTenant } from '../../src/tenants/onboarding.js';
import { API, api, testDeps } from '../helpers/context.js';
import {
  bearer, createTestTenant, login, superAdminToken, TEST_PASSWORD, uniqueTenantCode, type TestTenant,
} from '../helpers/actors.js';
import { expectProblem } from '../helpers/problems.js';


function onboardingBody(tenantCode: string, overrides: Record<string, unknown> = {}) {
  return {
    tenant_code: tenantCode, tenant_name: `Onboarding ${tenantCode}`, tenant_type: 'insurance_provider',
    admin: { email: `admin@${tenantCode.toLowerCase()}.test`, password: TEST_PASSWORD, first_name: 'First', last_name: 'Admin' },
    ...overrides,
  };
}

/** What onboarding leaves in the database for a code: registry row, schema, tenant migration ledger. */
async function traces(tenantCode: string) {
  const schemaName = `${tenantCode.toLowerCase()}_schema`;
  return withClient(testDeps().db.ownerUrl, async (client) => {
    const count = async (sql: string, value: string) => (await client.query(sql, [value])).rowCount;
    return {
      registry_rows: await count('SELECT 1 FROM shared.tenants WHERE tenant_code = $1', tenantCode),
      schemas: await count('SELECT 1 FROM pg_namespace WHERE nspname = $1', schemaName),
      ledgers: await count(`SELECT 1 FROM information_schema.tables
                             WHERE table_schema = 'tenant_migrations' AND table_name = $1`, schemaName),
    };
  });
}

describe('onboarding a tenant (POST /tenants)', () => {
  let rootToken: string;
  let existing: TestTenant;

  before(async () => {
    existing = await createTestTenant();
    rootToken = await superAdminToken();
  });

  const onboard = (body: unknown, token = rootToken) => api().post(`${API}/tenants`).set(...bearer(token)).send(body as object);

  it('when a super admin onboards a tenant, then it answers 201 with the new tenant and everything exists', async () => {
    const code = uniqueTenantCode('ON');
    const res = await onboard(onboardingBody(code, { subscription_plan: 'gold', max_users: 25 }));
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body).to.have.all.keys('tenant_id', 'tenant_code', 'schema_name', 'status');
    expect(res.body).to.include({ tenant_code: code, schema_name: `${code.toLowerCase()}_schema`, status: 'active' });
    expect(res.body.tenant_id).to.match(/^[0-9a-f-]{36}$/);
    expect(await traces(code)).to.deep.equal({ registry_rows: 1, schemas: 1, ledgers: 1 });
    const stored = await api().get(`${API}/tenants/${res.body.tenant_id}`).set(...bearer(rootToken));
    expect(stored.body).to.include({ subscription_plan: 'gold', max_users: 25, tenant_type: 'insurance_provider' });
  });

  it('then its first provider admin can sign in to it', async () => {
    const code = uniqueTenantCode('ON');
    const body = onboardingBody(code);
    expect((await onboard(body)).status).to.equal(201);
    const tokens = await login({ tenant: code, email: body.admin.email, password: TEST_PASSWORD });
    const me = await api().get(`${API}/auth/me`).set(...bearer(tokens.access_token));
    expect(me.body).to.include({ tenant_code: code, role: 'insurance_provider_admin' });
  });

  it('when the tenant code is taken, then it answers 409 and the first tenant is untouched', async () => {
    const res = await onboard(onboardingBody(existing.tenant_code, { tenant_name: 'Impostor' }));
    expectProblem(res, 409);
    const stored = await api().get(`${API}/tenants/${existing.tenant_id}`).set(...bearer(rootToken));
    expect(stored.body.tenant_name).to.equal(`Test tenant ${existing.tenant_code}`);
  });

  for (const badCode of ['lowercase', 'A', 'LIC-1', '9LIVES', 'X'.repeat(21)]) {
    it(`when the tenant code is ${JSON.stringify(badCode)}, then it answers 400 naming tenant_code`, async () => {
      expectProblem(await onboard(onboardingBody(badCode)), 400, ['body.tenant_code']);
    });
  }

  it('when the admin is incomplete, then one 400 lists every missing admin field', async () => {
    const res = await onboard(onboardingBody(uniqueTenantCode('ON'), { admin: {} }));
    expectProblem(res, 400, ['body.admin.email', 'body.admin.password', 'body.admin.first_name', 'body.admin.last_name']);
  });

  it('when the body has unknown fields and a bad type, then one 400 lists them all', async () => {
    const res = await onboard(onboardingBody(uniqueTenantCode('ON'), { tenant_type: 'bank', colour: 'red' }));
    expectProblem(res, 400, ['body.tenant_type', 'body']);
    expect(res.body.errors.find((error: { path: string }) => error.path === 'body').message).to.contain('colour');
  });

  it('when a provider admin tries to onboard a tenant, then it answers 403 and nothing is created', async () => {
    const code = uniqueTenantCode('ON');
    expectProblem(await onboard(onboardingBody(code), existing.admin.token), 403);
    expect(await traces(code)).to.deep.equal({ registry_rows: 0, schemas: 0, ledgers: 0 });
  });

  it('when nobody is signed in, then it answers 401', async () => {
    const res = await api().post(`${API}/tenants`).send(onboardingBody(uniqueTenantCode('ON')));
    expectProblem(res, 401);
  });

  it('when the parent tenant does not exist, then it answers 422 and nothing is created', async () => {
    const code = uniqueTenantCode('ON');
    const res = await onboard(onboardingBody(code, { parent_tenant_id: '00000000-0000-4000-8000-000000000000' }));
    expectProblem(res, 422, ['body.parent_tenant_id']);
    expect(await traces(code)).to.deep.equal({ registry_rows: 0, schemas: 0, ledgers: 0 });
  });

  it('when the parent tenant exists, then the child records it', async () => {
    const child = onboardingBody(uniqueTenantCode('ON'), { parent_tenant_id: existing.tenant_id, tenant_type: 'agent_network' });
    const res = await onboard(child);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const stored = await api().get(`${API}/tenants/${res.body.tenant_id}`).set(...bearer(rootToken));
    expect(stored.body).to.include({ parent_tenant_id: existing.tenant_id, tenant_type: 'agent_network' });
  });

  it('when onboarding fails at the last step, then no registry row, schema or migration ledger is left', async () => {
    const code = uniqueTenantCode('RB');
    let failure: unknown;
    try {
      await onboardTenant(testDeps(), onboardingBody(code) as Parameters<typeof onboardTenant>[1], {
        beforeCommit: async () => { throw new Error('boom'); },
      });
    } catch (error) {
      failure = error;
    }
    expect((failure as Error | undefined)?.message).to.equal('boom');
    expect(await traces(code)).to.deep.equal({ registry_rows: 0, schemas: 0, ledgers: 0 });
  });

  it('when a schema named like the tenant already exists, then it answers 409 and registers nothing', async () => {
    const code = uniqueTenantCode('SC');
    const schemaName = `${code.toLowerCase()}_schema`;
    await withClient(testDeps().db.ownerUrl, (client) => client.query(`CREATE SCHEMA "${schemaName}"`));
    try {
      expectProblem(await onboard(onboardingBody(code)), 409);
      expect(await traces(code)).to.deep.equal({ registry_rows: 0, schemas: 1, ledgers: 0 });
    } finally {
      await withClient(testDeps().db.ownerUrl, (client) => client.query(`DROP SCHEMA "${schemaName}"`));
    }
  });
});
