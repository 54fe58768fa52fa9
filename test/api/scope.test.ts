import { expect } from 'chai';
import { assertRuntimeRoleIsConfined, type Database } from '../../src/db/database.js';
import { createKnex } from '../../src/db/knex.js';
import { inPlatformScope, inTenantScope, type Tx } from '../../src/db/scope.js';
import { createTestTenant, type TestTenant } from '../helpers/actors.js';
import { testDeps } from '../helpers/context.js';

/** Runs `work` in a tenant scope and returns the SQL the pool was sent, in order. */
async function statementsSentFor(db: Database, tenant: TestTenant): Promise<string[]> {
  const sent: string[] = [];
  const record = (query: { sql: string }) => sent.push(query.sql);
  db.app.on('query', record);
  try {
    await inTenantScope(db, tenant, null, (tx) => tx.raw('SELECT 1'));
  } finally {
    db.app.off('query', record);
  }
  return sent;
}

describe('the tenant scope', () => {
  let tenant: TestTenant;

  before(async () => {
    tenant = await createTestTenant();
  });

  it('on PostgreSQL opens with BEGIN and every SET LOCAL in one round trip', async () => {
    const plain: Database = { ...testDeps().db, isCitus: false };
    const sent = await statementsSentFor(plain, tenant);
    expect(sent).to.have.length(3);
    expect(sent[0]).to.match(/^BEGIN; SET LOCAL search_path = "[a-z0-9_]+_schema", "shared"; /);
    expect(sent[0]).to.include(`SET LOCAL app.tenant_id = '${tenant.tenant_id}'`).and.include("SET LOCAL app.scope = 'tenant'")
      .and.include("SET LOCAL app.user_id = ''").and.include("SET LOCAL app.agent_lo = '0'")
      .and.include("SET LOCAL app.agent_hi = '-1'").and.include("SET LOCAL app.policyholder_id = ''");
    expect(sent.slice(1)).to.deep.equal(['SELECT 1', 'COMMIT;']);
  });

  it('on Citus sends BEGIN on its own, then every SET LOCAL in one more round trip', async () => {
    const citus: Database = { ...testDeps().db, isCitus: true };
    const sent = await statementsSentFor(citus, tenant);
    expect(sent).to.have.length(4);
    expect(sent[0]).to.equal('BEGIN;');
    // Citus records the whole query string of each SET LOCAL for the workers, so BEGIN must not be part of it.
    const sets = (sent[1] ?? '').split('; ');
    expect(sets).to.have.length(11); // search_path and the ten app.* settings
    expect(sets.every((sql) => /^SET LOCAL [a-z_.]+ = [^;]*;?$/.test(sql))).to.equal(true);
    expect(sent[1]).to.include(`SET LOCAL app.tenant_id = '${tenant.tenant_id}'`);
    expect(sent.slice(2)).to.deep.equal(['SELECT 1', 'COMMIT;']);
  });

  it('uses the shape of the engine it detected: one round trip to open on PostgreSQL, two on Citus', async () => {
    const sent = await statementsSentFor(testDeps().db, tenant);
    expect(sent[0]).to.match(testDeps().db.isCitus ? /^BEGIN;$/ : /^BEGIN; SET LOCAL /);
    expect(sent).to.have.length(testDeps().db.isCitus ? 4 : 3);
  });

  it('sets the tenant context inside and leaves none behind on the pooled connection', async () => {
    const inside = await inTenantScope(testDeps().db, tenant, null, async (tx) =>
      (await tx.raw("SELECT current_setting('app.tenant_id') AS t, current_setting('search_path') AS sp")).rows[0]);
    expect(inside).to.deep.equal({ t: tenant.tenant_id, sp: `${tenant.schema_name}, shared` });
    for (let i = 0; i < 8; i += 1) {
      const { rows } = await testDeps().db.app.raw("SELECT coalesce(current_setting('app.tenant_id', true), '') AS t");
      expect(rows[0].t).to.equal('');
    }
  });

  it('keeps the platform tables (super admins, sessions, registry) out of reach of a tenant transaction', async () => {
    await inPlatformScope(testDeps().db, null, (tx) => tx('shared.insurance_providers')
      .insert({ provider_code: `SC${Date.now() % 1e8}`, provider_name: 'Scope test', provider_type: 'composite' }));
    // The runtime role holds no privilege on them at all (the platform role does): refused, not merely empty.
    const reaches: ((tx: Tx) => Promise<unknown>)[] = [
      async (tx: Tx) => tx('shared.platform_users').count({ n: '*' }),
      async (tx: Tx) => tx('shared.platform_sessions').count({ n: '*' }),
      async (tx: Tx) => tx('shared.tenants').count({ n: '*' }),
      async (tx: Tx) => tx('shared.tenants').update({ tenant_name: 'hijacked' }),
      async (tx: Tx) => tx('shared.insurance_providers').insert({ provider_code: 'SNEAKY', provider_name: 'x', provider_type: 'composite' }),
    ];
    for (const reach of reaches) {
      await inTenantScope(testDeps().db, tenant, null, reach)
        .then(() => expect.fail(`a tenant transaction reached ${reach.toString()}`), (error: { code: string }) => expect(error.code).to.equal('42501'));
    }
    const seen = await inTenantScope(testDeps().db, tenant, null, async (tx) => (await tx('shared.insurance_providers').count({ n: '*' }))[0]?.n);
    const providersInPlatformScope = await inPlatformScope(testDeps().db, null,
      async (tx) => (await tx('shared.insurance_providers').count({ n: '*' }))[0]?.n);
    expect(seen, 'reference data is read by every tenant').to.equal(providersInPlatformScope);
    const platformSeesThem = await inPlatformScope(testDeps().db, null, async (tx) => (await tx('shared.platform_users').count({ n: '*' }))[0]?.n);
    expect(platformSeesThem).to.be.greaterThan(0);
  });

  it('rolls back everything when the work fails', async () => {
    const email = `rollback-${Date.now()}@scope.test`;
    const failed = await inTenantScope(testDeps().db, tenant, null, async (tx) => {
      await tx('users').insert({ email, password_hash: 'x' });
      throw new Error('boom');
    }).then(() => undefined, (error: Error) => error.message);
    expect(failed, 'the insert itself worked; the work failed after it').to.equal('boom');
    const found = await inTenantScope(testDeps().db, tenant, null, (tx) => tx('users').where({ email }).first());
    expect(found).to.equal(undefined);
  });

  it('refuses to run as a role that owns what RLS should confine', async () => {
    const asOwner = createKnex(testDeps().db.ownerUrl, 1);
    try {
      await assertRuntimeRoleIsConfined(asOwner).then(() => expect.fail('the owner was accepted as runtime role'), (error: Error) => {
        expect(error.message).to.match(/Refusing to start: the runtime role "[^"]+" (is a superuser, )?(has BYPASSRLS, )?owns \d+ relations/);
      });
      await assertRuntimeRoleIsConfined(testDeps().db.app);
    } finally {
      await asOwner.destroy();
    }
  });
});
