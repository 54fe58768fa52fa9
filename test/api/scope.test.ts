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

  it('opens with BEGIN and every SET LOCAL in one round trip', async () => {
    const sent = await statementsSentFor(testDeps().db, tenant);
    expect(sent).to.have.length(3);
    expect(sent[0]).to.match(/^BEGIN; SET LOCAL search_path = "[a-z0-9_]+_schema", "shared"; /);
    expect(sent[0]).to.include(`SET LOCAL app.tenant_id = '${tenant.tenant_id}'`).and.include("SET LOCAL app.scope = 'tenant'")
      .and.include("SET LOCAL app.user_id = ''").and.include("SET LOCAL app.agent_ids = ''");
    expect(sent.slice(1)).to.deep.equal(['SELECT 1', 'COMMIT;']);
  });

  it('on Citus sends BEGIN and each SET LOCAL as statements of their own', async () => {
    const citus: Database = { ...testDeps().db, isCitus: true };
    const sent = await statementsSentFor(citus, tenant);
    expect(sent[0]).to.equal('BEGIN;');
    expect(sent.slice(1, 7).every((sql) => /^SET LOCAL [a-z_.]+ = /.test(sql) && !sql.includes(';'))).to.equal(true);
    expect(sent.at(-1)).to.equal('COMMIT;');
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
        expect(error.message).to.match(/Refusing to start: the runtime role "[a-z_]+" owns \d+ relations/);
      });
      await assertRuntimeRoleIsConfined(testDeps().db.app);
    } finally {
      await asOwner.destroy();
    }
  });
});
