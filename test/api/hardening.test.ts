import fs from 'node:fs';
import { expect } from 'chai';
import { bearer, createTestTenant, type TestTenant } from '../helpers/actors.js';
import { API, api } from '../helpers/context.js';

// Hardening from issue 5: API answers are never cached, and the shipped compose file is production by default.

describe('hardening', () => {
  let tenant: TestTenant;
  before(async () => {
    tenant = await createTestTenant();
  });

  it('every API answer says Cache-Control: no-store, signed in or not, success or problem', async () => {
    const answers = [
      await api().get(`${API}/auth/me`).set(...bearer(tenant.admin.token)),
      await api().get(`${API}/users`).set(...bearer(tenant.admin.token)),
      await api().get(`${API}/users/00000000-0000-4000-8000-000000000000`).set(...bearer(tenant.admin.token)),
      await api().get(`${API}/users`),
      await api().get(`${API}/no/such/route`),
      await api().post(`${API}/auth/login`).send({ tenant: tenant.tenant_code, email: 'x@y.test', password: 'nope' }),
    ];
    for (const res of answers) expect(res.headers['cache-control'], `${res.status} ${res.text.slice(0, 80)}`).to.equal('no-store');
  });

  it('docker compose defaults to production and will not start without the secrets', () => {
    const compose = fs.readFileSync(new URL('../../docker/docker-compose.yml', import.meta.url), 'utf8');
    expect(compose).to.include('NODE_ENV=${NODE_ENV:-production}');
    for (const secret of ['POSTGRES_PASSWORD', 'JWT_SECRET', 'SUPER_ADMIN_EMAIL', 'SUPER_ADMIN_PASSWORD']) {
      expect(compose, `${secret} is required`).to.match(new RegExp(`\\$\\{${secret}:\\?`));
      expect(compose, `${secret} has no default`).to.not.match(new RegExp(`\\$\\{${secret}:-`));
    }
  });
});
