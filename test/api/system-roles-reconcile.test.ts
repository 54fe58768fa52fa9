import { expect } from 'chai';
import { migrateAllTenants } from '../../src/db/migrator.js';
import { API, api, testDeps } from '../helpers/context.js';
import { bearer, createTestTenant, type TestTenant } from '../helpers/actors.js';
import { ownerQuery } from '../helpers/catalog.js';

// System roles follow their definition in code: `npm run migrate` gives an existing tenant's system roles the
// permissions (and scope) the code now defines, leaves custom roles alone, and a second run changes nothing.

interface RoleView { role_id: string; role_name: string; data_scope: string; permissions: { action: string; subject: string }[] }

async function rolesOf(tenant: TestTenant): Promise<Map<string, RoleView>> {
  const res = await api().get(`${API}/roles?limit=200`).set(...bearer(tenant.admin.token));
  expect(res.status).to.equal(200);
  const roles = new Map<string, RoleView>();
  for (const role of res.body.data as RoleView[]) {
    const detail = await api().get(`${API}/roles/${role.role_id}`).set(...bearer(tenant.admin.token));
    roles.set(role.role_name, detail.body);
  }
  return roles;
}

const rules = (role: RoleView | undefined) => (role?.permissions ?? []).map((p) => `${p.action}:${p.subject}`).sort();

describe('system roles reconciled with the code at migrate time', () => {
  let tenant: TestTenant;
  let customRoleId: string;

  before(async () => {
    tenant = await createTestTenant();
    const custom = await api().post(`${API}/roles`).set(...bearer(tenant.admin.token)).send({
      role_name: 'front_desk', data_scope: 'own', permissions: [{ action: 'read', subject: 'Policyholder' }],
    });
    expect(custom.status, JSON.stringify(custom.body)).to.equal(201);
    customRoleId = custom.body.role_id;
    // An "old" tenant: its junior role predates the book subjects, its senior role had a narrower scope.
    await ownerQuery(async (client) => {
      await client.query(`BEGIN; SET LOCAL app.tenant_id = '${tenant.tenant_id}'`);
      await client.query(`
        DELETE FROM "${tenant.schema_name}".role_permissions rp USING "${tenant.schema_name}".permissions p,
               "${tenant.schema_name}".roles r
         WHERE rp.permission_id = p.permission_id AND rp.role_id = r.role_id AND r.role_name = 'junior_agent'
           AND p.subject IN ('Agent', 'Policyholder')`);
      await client.query(`UPDATE "${tenant.schema_name}".roles SET data_scope = 'own' WHERE role_name = 'senior_agent'`);
      await client.query(`DELETE FROM "${tenant.schema_name}".role_permissions rp USING "${tenant.schema_name}".roles r
        WHERE rp.role_id = r.role_id AND r.role_name = 'front_desk'`);
      await client.query('COMMIT');
    });
  });

  it('gives an existing tenant\'s system roles the new permissions and scope, and leaves custom roles alone', async () => {
    const before = await rolesOf(tenant);
    expect(rules(before.get('junior_agent'))).to.not.include('read:Policyholder');
    const result = await migrateAllTenants(testDeps().db.ownerUrl, () => undefined);
    expect(result.failed).to.deep.equal([]);
    const after = await rolesOf(tenant);
    expect(rules(after.get('junior_agent'))).to.include.members(['read:Agent', 'read:Policyholder', 'create:Policyholder']);
    expect(after.get('senior_agent')?.data_scope).to.equal('team');
    expect(after.get('front_desk')?.role_id).to.equal(customRoleId);
    expect(rules(after.get('front_desk'))).to.deep.equal([]);
  });

  it('changes nothing on a second run: no role or permission row is written again', async () => {
    const count = () => ownerQuery(async (client) => {
      await client.query(`BEGIN; SET LOCAL app.tenant_id = '${tenant.tenant_id}'`);
      const { rows } = await client.query(`SELECT count(*) AS n FROM "${tenant.schema_name}".audit_log
        WHERE table_name IN ('roles', 'role_permissions', 'permissions')`);
      await client.query('COMMIT');
      return Number(rows[0].n);
    });
    const first = await count();
    expect(first).to.be.greaterThan(0);
    await migrateAllTenants(testDeps().db.ownerUrl, () => undefined);
    expect(await count()).to.equal(first);
  });
});
