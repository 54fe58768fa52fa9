import { expect } from 'chai';
import { DEMO_PASSWORD, seedDemoTenants } from '../../seeds/demo.js';
import { bearer, login } from '../helpers/actors.js';
import { API, api, testDeps } from '../helpers/context.js';

describe('demo seeds', () => {
  it('create LIC and HDFC once, and leave them alone the second time', async () => {
    // A database given by DATABASE_URL may already hold them from an earlier run: then the first call adds nothing.
    await seedDemoTenants(testDeps());
    expect(await testDeps().tenants.byCode('LIC')).to.include({ schema_name: 'lic_schema', status: 'active' });
    expect(await testDeps().tenants.byCode('HDFC')).to.include({ schema_name: 'hdfc_schema', status: 'active' });
    expect(await seedDemoTenants(testDeps())).to.deep.equal([]);
  });

  for (const [tenant, domain] of [['LIC', 'lic.demo'], ['HDFC', 'hdfc.demo']]) {
    it(`give ${tenant} an admin, a regional manager, a senior and a junior agent who can sign in`, async () => {
      const roles: Record<string, string> = {};
      for (const local of ['admin', 'manager', 'senior', 'junior']) {
        const pair = await login({ tenant, email: `${local}@${domain}`, password: DEMO_PASSWORD });
        const me = await api().get(`${API}/auth/me`).set(...bearer(pair.access_token));
        roles[local] = me.body.role;
      }
      expect(roles).to.deep.equal({
        admin: 'insurance_provider_admin', manager: 'regional_manager', senior: 'senior_agent', junior: 'junior_agent',
      });
    });
  }

  it('put the junior agent under the senior, under the manager', async () => {
    const me = async (local: string) => {
      const pair = await login({ tenant: 'LIC', email: `${local}@lic.demo`, password: DEMO_PASSWORD });
      return (await api().get(`${API}/auth/me`).set(...bearer(pair.access_token))).body;
    };
    const [manager, senior, junior] = [await me('manager'), await me('senior'), await me('junior')];
    expect([manager.data_scope, senior.data_scope, junior.data_scope]).to.deep.equal(['team', 'team', 'own']);
    const rows: { agent_id: string; parent_agent_id: string | null }[] = await testDeps().db.app.transaction(async (tx) => {
      await tx.raw(`SET LOCAL search_path = lic_schema; SET LOCAL app.tenant_id = '${manager.tenant_id}'`);
      return (await tx.raw('SELECT agent_id, parent_agent_id FROM agents')).rows;
    });
    const parentOf = new Map(rows.map((row) => [row.agent_id, row.parent_agent_id]));
    expect(parentOf.get(junior.agent_id)).to.equal(senior.agent_id);
    expect(parentOf.get(senior.agent_id)).to.equal(manager.agent_id);
    expect(parentOf.get(manager.agent_id)).to.equal(null);
  });
});
