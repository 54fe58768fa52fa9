import { expect } from 'chai';
import { DEMO_PASSWORD, seedDemoTenants } from '../../seeds/demo.js';
import { seedDemoBook } from '../../seeds/demo-book.js';
import { bearer, login } from '../helpers/actors.js';
import { API, api, testDeps } from '../helpers/context.js';

describe('demo book: LIC and HDFC agents have a real dashboard after start', () => {
  before(async () => {
    await seedDemoTenants(testDeps());
  });

  for (const [tenant, domain] of [['LIC', 'lic.demo'], ['HDFC', 'hdfc.demo']] as const) {
    it(`${tenant}'s junior agent sees policyholders, active, lapsed, due and overdue policies and collections`, async () => {
      const { access_token: token } = await login({ tenant, email: `junior@${domain}`, password: DEMO_PASSWORD });
      const me = await api().get(`${API}/auth/me`).set(...bearer(token));
      const dashboard = await api().get(`${API}/agents/${me.body.agent_id}/dashboard`).set(...bearer(token));
      expect(dashboard.status, dashboard.text).to.equal(200);
      expect(dashboard.body.policyholders).to.be.at.least(5);
      expect(dashboard.body.policies.active).to.be.at.least(3);
      expect(dashboard.body.policies.lapsed).to.be.at.least(1);
      expect(dashboard.body.due.count).to.be.at.least(1);
      expect(dashboard.body.overdue.count).to.be.at.least(1);
      const health = await api().get(`${API}/policies?category=health`).set(...bearer(token));
      expect(health.body.data.some((policy: { plan_code: string; status: string }) => policy.plan_code === 'PLUM_OPD_2024'
        && policy.status === 'active')).to.equal(true);
      const team = await login({ tenant, email: `manager@${domain}`, password: DEMO_PASSWORD });
      const managerMe = await api().get(`${API}/auth/me`).set(...bearer(team.access_token));
      const teamView = await api().get(`${API}/agents/${managerMe.body.agent_id}/dashboard?include_team=true`)
        .set(...bearer(team.access_token));
      expect(teamView.body.policies.total).to.be.greaterThan(dashboard.body.policies.total);
      // Each policy's moves were made in one seeding transaction: its history still reads in the order they were made.
      const policies = await api().get(`${API}/policies?limit=200`).set(...bearer(team.access_token));
      for (const { policy_id: policyId } of policies.body.data as { policy_id: string }[]) {
        const policy = await api().get(`${API}/policies/${policyId}`).set(...bearer(team.access_token));
        const history = policy.body.status_history as { from_status: string | null; to_status: string }[];
        expect(history.map((change) => change.from_status), policyId)
          .to.deep.equal([null, ...history.slice(0, -1).map((change) => change.to_status)]);
        expect(history.at(-1)?.to_status).to.equal(policy.body.status);
      }
    });
  }

  it('is written once: seeding again adds nothing', async () => {
    expect(await seedDemoBook(testDeps(), 'LIC')).to.equal(0);
  });
});
