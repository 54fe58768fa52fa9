import { expect } from 'chai';
import type { Response } from 'supertest';
import { TenantConfigEntry } from '../../schemas/tenant-config.js';
import { inTenantScope } from '../../src/db/scope.js';
import { deleteConfig, findConfig, upsertConfig } from '../../src/tenants/config-repository.js';
import { API, api, testDeps } from '../helpers/context.js';
import { bearer, createTestTenant, createTestUser, superAdminToken, type TestTenant } from '../helpers/actors.js';
import { UNKNOWN_ID, expectProblem } from '../helpers/problems.js';



/** A caller's view of one config route family: /config for tenant users, /tenants/{id}/config for super admins. */
function configClient(token: string, base: string) {
  return {
    list: (query = '') => api().get(`${API}${base}${query}`).set(...bearer(token)),
    get: (key: string) => api().get(`${API}${base}/${key}`).set(...bearer(token)),
    put: (key: string, body: unknown) => api().put(`${API}${base}/${key}`).set(...bearer(token)).send(body as object),
    delete: (key: string) => api().delete(`${API}${base}/${key}`).set(...bearer(token)),
  };
}

describe('tenant config (/config/{key} and /tenants/{tenant_id}/config/{key})', () => {
  let tenant: TestTenant;
  let rootToken: string;
  let admin: ReturnType<typeof configClient>;
  let root: ReturnType<typeof configClient>;

  before(async () => {
    tenant = await createTestTenant();
    rootToken = await superAdminToken();
    admin = configClient(tenant.admin.token, '/config');
    root = configClient(rootToken, `/tenants/${tenant.tenant_id}/config`);
  });

  it('when a provider admin sets a new key, then it is created (201) for its tenant, and replacing it answers 200', async () => {
    const created = await admin.put('branding.primary-color', { config_value: '#0055aa' });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    expect(() => TenantConfigEntry.parse(created.body)).not.to.throw();
    expect(created.body).to.include({ tenant_id: tenant.tenant_id, config_key: 'branding.primary-color',
      config_value: '#0055aa', config_type: 'string' });

    const replaced = await admin.put('branding.primary-color', { config_value: '#112233' });
    expect(replaced.status).to.equal(200);
    expect(replaced.body).to.include({ config_id: created.body.config_id, config_value: '#112233' });
    expect(Date.parse(replaced.body.updated_at)).to.be.greaterThan(Date.parse(created.body.updated_at));
    expect((await admin.get('branding.primary-color')).body.config_value).to.equal('#112233');
  });

  const inferred: [string, unknown, string][] = [
    ['a string', 'hello', 'string'],
    ['a number', 42.5, 'number'],
    ['a boolean', false, 'boolean'],
    ['an object', { sms: true, channels: ['whatsapp', 'email'] }, 'json'],
    ['an array', [1, 'two', null], 'json'],
    ['null', null, 'json'],
  ];
  for (const [kind, value, type] of inferred) {
    it(`when the value is ${kind} and no type is given, then it is stored as ${type} and read back unchanged`, async () => {
      const key = `inferred.${type}.${kind.replace(/\W/g, '')}`;
      expect((await admin.put(key, { config_value: value })).status).to.equal(201);
      const read = await admin.get(key);
      expect(read.body.config_type).to.equal(type);
      expect(read.body.config_value).to.deep.equal(value);
    });
  }

  it('when a type is given that fits the value, then it is kept; when it does not, 400 names config_type', async () => {
    const fits = await admin.put('limits.max_upload', { config_value: { mb: 10 }, config_type: 'json' });
    expect(fits.body.config_type).to.equal('json');
    expectProblem(await admin.put('limits.retries', { config_value: '3', config_type: 'number' }), 400, ['body.config_type']);
    expectProblem(await admin.put('limits.retries', { config_value: 3, config_type: 'boolean' }), 400, ['body.config_type']);
    expectProblem(await admin.get('limits.retries'), 404);
  });

  it('when the body is malformed, then one 400 lists every bad field', async () => {
    expectProblem(await admin.put('feature.x', { config_type: 'yaml', colour: 'red' }), 400,
      ['body.config_value', 'body.config_type', 'body']);
    expectProblem(await admin.put('feature.x', {}), 400, ['body.config_value']);
  });

  for (const badKey of ['Upper', '1starts-with-digit', '_underscore', `k${'x'.repeat(100)}`, 'sp%20ace']) {
    it(`when the key is ${JSON.stringify(badKey.slice(0, 20))}, then it answers 400 naming the key`, async () => {
      expectProblem(await admin.put(badKey, { config_value: 1 }), 400, ['params.key']);
      expectProblem(await admin.get(badKey), 400, ['params.key']);
    });
  }

  it('when a key is deleted, then it answers 204 and the key is gone; deleting it again is 404', async () => {
    await admin.put('temp.flag', { config_value: true });
    const deleted = await admin.delete('temp.flag');
    expect(deleted.status).to.equal(204);
    expect(deleted.text).to.equal('');
    expectProblem(await admin.get('temp.flag'), 404);
    expectProblem(await admin.delete('temp.flag'), 404);
    expectProblem(await admin.get('never.set'), 404);
  });

  it('when the list is read a page at a time, then every key of the tenant appears once', async () => {
    const keys = ['page.a', 'page.b', 'page.c'];
    for (const key of keys) await admin.put(key, { config_value: key });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: Response = await admin.list(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).to.equal(200);
      expect(res.body.data.length).to.be.at.most(2);
      seen.push(...res.body.data.map((entry: { config_key: string }) => entry.config_key));
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(new Set(seen).size).to.equal(seen.length);
    expect(seen).to.include.members([...keys, 'branding.primary-color']);
  });

  it("when a super admin writes a tenant's key, then the tenant's admin reads the same entry", async () => {
    const put = await root.put('billing.cycle', { config_value: 'monthly' });
    expect(put.status, JSON.stringify(put.body)).to.equal(201);
    expect(put.body.tenant_id).to.equal(tenant.tenant_id);
    expect((await admin.get('billing.cycle')).body).to.include({ config_id: put.body.config_id, config_value: 'monthly' });
    expect((await root.get('branding.primary-color')).body.config_value).to.equal('#112233');
    const listed = await root.list('?limit=200');
    expect(listed.body.data.every((entry: { tenant_id: string }) => entry.tenant_id === tenant.tenant_id)).to.equal(true);
    expect(listed.body.data.map((entry: { config_key: string }) => entry.config_key)).to.include('billing.cycle');
    expect((await root.delete('billing.cycle')).status).to.equal(204);
    expectProblem(await admin.get('billing.cycle'), 404);
  });

  it('when a super admin names an unknown or malformed tenant, then it answers 404 or 400', async () => {
    const unknown = configClient(rootToken, `/tenants/${UNKNOWN_ID}/config`);
    expectProblem(await unknown.list(), 404);
    expectProblem(await unknown.get('any.key'), 404);
    expectProblem(await unknown.put('any.key', { config_value: 1 }), 404);
    expectProblem(await unknown.delete('any.key'), 404);
    expectProblem(await configClient(rootToken, '/tenants/nope/config').put('Bad', { config_value: 1 }), 400,
      ['params.tenant_id', 'params.key']);
  });

  it("when tenant B's admin asks for tenant A's key, then it is simply not there (404), and B's own key is separate", async () => {
    const other = await createTestTenant();
    const otherAdmin = configClient(other.admin.token, '/config');
    await admin.put('secret.partner-rate', { config_value: 0.07 });
    expectProblem(await otherAdmin.get('secret.partner-rate'), 404);
    expect((await otherAdmin.list('?limit=200')).body.data).to.deep.equal([]);
    expectProblem(await otherAdmin.delete('secret.partner-rate'), 404);

    expect((await otherAdmin.put('secret.partner-rate', { config_value: 0.5 })).status).to.equal(201);
    expect((await admin.get('secret.partner-rate')).body.config_value).to.equal(0.07);
    const fromRoot = configClient(rootToken, `/tenants/${other.tenant_id}/config`);
    expect((await fromRoot.get('secret.partner-rate')).body.config_value).to.equal(0.5);
  });

  it('when a regional manager reads config, then it may, but writing or deleting is 403', async () => {
    const manager = configClient((await createTestUser(tenant, 'regional_manager')).token, '/config');
    expect((await manager.get('branding.primary-color')).body.config_value).to.equal('#112233');
    expect((await manager.list()).status).to.equal(200);
    expectProblem(await manager.put('branding.primary-color', { config_value: 'red' }), 403);
    expectProblem(await manager.put('brand.new', { config_value: 'red' }), 403);
    expectProblem(await manager.delete('branding.primary-color'), 403);
    expect((await admin.get('branding.primary-color')).body.config_value).to.equal('#112233');
  });

  it('when a junior agent tries to write config, then it answers 403 and nothing changes', async () => {
    const junior = configClient((await createTestUser(tenant, 'junior_agent', { agent: true })).token, '/config');
    expectProblem(await junior.put('branding.primary-color', { config_value: 'pink' }), 403);
    expectProblem(await junior.put('junior.new', { config_value: 'pink' }), 403);
    expectProblem(await junior.delete('branding.primary-color'), 403);
    expectProblem(await admin.get('junior.new'), 404);
  });

  it('when callers use the other family of routes, then they are refused (403), and strangers get 401', async () => {
    expectProblem(await configClient(rootToken, '/config').get('branding.primary-color'), 403);
    expectProblem(await configClient(tenant.admin.token, `/tenants/${tenant.tenant_id}/config`).get('branding.primary-color'), 403);
    expectProblem(await api().get(`${API}/config/branding.primary-color`), 401);
  });
});

describe('tenant config under row-level security', () => {
  it("when code in one tenant's scope names another tenant's key, then the database hides it and refuses to write it", async () => {
    const [owner, intruder] = [await createTestTenant(), await createTestTenant()];
    const db = testDeps().db;
    await inTenantScope(db, owner, null, (tx) => upsertConfig(tx, owner.tenant_id, 'rls.probe', 'mine', 'string'));
    const seenByOwner = await inTenantScope(db, owner, null, (tx) => findConfig(tx, owner.tenant_id, 'rls.probe'));
    expect(seenByOwner?.config_value).to.equal('mine');

    const seenByIntruder = await inTenantScope(db, intruder, null, (tx) => findConfig(tx, owner.tenant_id, 'rls.probe'));
    expect(seenByIntruder).to.equal(undefined);
    let refusal: { code?: string } | undefined;
    try {
      await inTenantScope(db, intruder, null, (tx) => upsertConfig(tx, owner.tenant_id, 'rls.planted', 'theirs', 'string'));
    } catch (error) {
      refusal = error as { code?: string };
    }
    expect(refusal?.code).to.equal('42501');
    const deleted = await inTenantScope(db, intruder, null, (tx) => deleteConfig(tx, owner.tenant_id, 'rls.probe'));
    expect(deleted).to.equal(false);
  });
});
