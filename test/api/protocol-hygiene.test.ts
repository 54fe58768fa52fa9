import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../src/config.js';
import { bearer, createTestTenant, type TestTenant } from '../helpers/actors.js';
import { API, api } from '../helpers/context.js';
import { expectProblem } from '../helpers/problems.js';

// Issue 11, protocol hygiene, named by the OWASP ASVS 4.0.3 requirement each test guards.

describe('protocol hygiene (ASVS)', () => {
  let tenant: TestTenant;
  before(async () => {
    tenant = await createTestTenant();
  });

  it('V13.1.5 V13.2.5 refuses a body that is not JSON with 415', async () => {
    for (const [type, data] of [['text/plain', '{"first_name":"x"}'], ['application/x-www-form-urlencoded', 'first_name=x'],
      ['application/xml', '<user/>']]) {
      const res = await api().post(`${API}/users`).set(...bearer(tenant.admin.token)).set('Content-Type', type as string).send(data);
      expectProblem(res, 415, [], 'request.unsupported_media_type');
      expect(res.headers['cache-control']).to.equal('no-store');
    }
    const login = await api().post(`${API}/auth/login`).set('Content-Type', 'text/plain').send('{}');
    expectProblem(login, 415);
  });

  it('V13.1.5 refuses an Accept that excludes JSON with 406, and serves one that allows it', async () => {
    expectProblem(await api().get(`${API}/auth/me`).set(...bearer(tenant.admin.token)).set('Accept', 'text/html'), 406, [],
      'request.not_acceptable');
    expectProblem(await api().get(`${API}/auth/me`).set(...bearer(tenant.admin.token)).set('Accept', 'application/xml'), 406);
    for (const accept of ['application/json', '*/*', 'text/html, application/json;q=0.5', 'application/problem+json']) {
      expect((await api().get(`${API}/auth/me`).set(...bearer(tenant.admin.token)).set('Accept', accept)).status, accept).to.equal(200);
    }
    expect((await api().get(`${API}/auth/me`).set(...bearer(tenant.admin.token))).status, 'no Accept at all').to.equal(200);
  });

  it('V8.2.1 marks every API answer Cache-Control: no-store', async () => {
    const res = await api().get(`${API}/roles`).set(...bearer(tenant.admin.token));
    expect(res.headers['cache-control']).to.equal('no-store');
  });

  it('V2.5.4 refuses SEED_DEMO (published demo passwords) in production', () => {
    const production = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), MASTER_KEY: Buffer.alloc(32, 7).toString('base64') };
    expect(() => loadConfig({ ...production, SEED_DEMO: 'true' })).to.throw(ConfigError, /SEED_DEMO/);
    expect(loadConfig({ ...production, SEED_DEMO: 'false' }).seedDemo).to.equal(false);
    expect(loadConfig(production).seedDemo).to.equal(false);
  });

  it('V9.2.2 V13.2.6 refuses to start in production on a remote database without sslmode', () => {
    const production = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), MASTER_KEY: Buffer.alloc(32, 7).toString('base64') };
    const remote = 'postgres://owner:secret@db.example.com:5432/agent_mitra';
    for (const name of ['DATABASE_URL', 'DATABASE_APP_URL', 'DATABASE_PLATFORM_URL']) {
      expect(() => loadConfig({ ...production, [name]: remote }), name).to.throw(ConfigError, new RegExp(`${name}: .*sslmode`));
      expect(() => loadConfig({ ...production, [name]: `${remote}?sslmode=prefer` }), `${name} prefer`).to.throw(ConfigError);
      for (const mode of ['require', 'verify-ca', 'verify-full']) {
        expect(loadConfig({ ...production, [name]: `${remote}?sslmode=${mode}` }).env).to.equal('production');
      }
    }
    for (const local of ['postgres://o:s@localhost/a', 'postgres://o:s@127.0.0.1:5433/a', 'postgres://o:s@[::1]/a',
      'postgres://o:s@x/a?host=/var/run/postgresql']) {
      expect(loadConfig({ ...production, DATABASE_URL: local }).databaseUrl, local).to.equal(local);
    }
    const compose = 'postgres://o:s@postgres:5432/a';
    expect(() => loadConfig({ ...production, DATABASE_URL: compose })).to.throw(ConfigError);
    expect(loadConfig({ ...production, DATABASE_URL: compose, DATABASE_LOCAL_HOSTS: 'postgres' }).databaseUrl).to.equal(compose);
    expect(loadConfig({ NODE_ENV: 'development', DATABASE_URL: remote }).databaseUrl, 'outside production').to.equal(remote);
  });
});
