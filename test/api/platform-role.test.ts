import { expect } from 'chai';
import type { Knex } from 'knex';
import { assertPlatformTablesOutOfReach } from '../../src/db/database.js';
import { inPlatformScope } from '../../src/db/scope.js';
import { bearer, createTestTenant, superAdminToken, type TestTenant } from '../helpers/actors.js';
import { API, api, testDeps } from '../helpers/context.js';

// The runtime role must not reach the platform tables whatever it sets: a tenant request able to run one
// SET LOCAL app.scope = 'platform' (an injection, a bug) used to read super admins' password hashes and every
// tenant's registry row. The platform tables now belong to a role (and pool) of their own.

const SOME_UUID = '00000000-0000-4000-8000-000000000001';

/** Runs `sql` as the runtime role after setting what a platform transaction sets; the PostgreSQL error code if it fails. */
async function asRuntimeClaimingPlatform(sql: string, bindings: Knex.RawBinding[] = [], tenantId = ''): Promise<{ code?: string; rows?: unknown[] }> {
  try {
    const rows = await testDeps().db.app.transaction(async (tx) => {
      await tx.raw("SET LOCAL app.scope = 'platform'");
      await tx.raw(`SET LOCAL app.platform_user_id = '${SOME_UUID}'`);
      await tx.raw(`SET LOCAL app.tenant_id = '${tenantId}'`);
      return (await tx.raw(sql, bindings)).rows as unknown[];
    });
    return { rows };
  } catch (error) {
    return { code: (error as { code?: string }).code };
  }
}

describe('the platform tables are out of the runtime role\'s reach', () => {
  let a: TestTenant;
  let b: TestTenant;

  before(async () => {
    [a, b] = [await createTestTenant(), await createTestTenant()];
    const put = await api().put(`${API}/config/integrations.secret`).set(...bearer(a.admin.token)).send({ config_value: 's3cr3t' });
    expect(put.status, put.text).to.equal(201);
  });

  for (const table of ['platform_users', 'platform_sessions', 'tenants', 'pgmigrations']) {
    it(`SET LOCAL app.scope = 'platform' does not let the runtime role read shared.${table}`, async () => {
      expect(await asRuntimeClaimingPlatform(`SELECT * FROM shared.${table} LIMIT 1`)).to.deep.equal({ code: '42501' });
    });
  }

  it('nor write insurance providers', async () => {
    const insert = await asRuntimeClaimingPlatform(
      "INSERT INTO shared.insurance_providers (provider_code, provider_name, provider_type) VALUES ('HACK', 'Hack', 'composite')");
    expect(insert).to.deep.equal({ code: '42501' });
  });

  it('nor read another tenant\'s config by claiming a platform user', async () => {
    const read = await asRuntimeClaimingPlatform('SELECT config_key FROM shared.tenant_config WHERE tenant_id = ?', [a.tenant_id], b.tenant_id);
    expect(read).to.deep.equal({ rows: [] });
  });

  it('while the platform role serves super admins as before', async () => {
    const res = await api().get(`${API}/tenants/${a.tenant_id}/config/integrations.secret`).set(...bearer(await superAdminToken()));
    expect(res.status, res.text).to.equal(200);
    const superAdmins = await inPlatformScope(testDeps().db, null, async (tx) => (await tx('shared.platform_users').count({ n: '*' }))[0]?.n);
    expect(Number(superAdmins)).to.be.greaterThan(0);
  });

  it('start-up refuses a runtime role that reaches the platform tables (the check passes here and fails on the platform role)', async () => {
    await assertPlatformTablesOutOfReach(testDeps().db.app);
    const failure = await assertPlatformTablesOutOfReach(testDeps().db.platform).then(() => undefined, (error: Error) => error);
    expect(failure?.message).to.match(/reaches platform tables/);
  });
});
