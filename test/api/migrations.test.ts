import { expect } from 'chai';
import { listMigrationFiles, migrateAllTenants, migrateShared, TENANT_LEDGERS } from '../../src/db/migrator.js';
import { withClient } from '../../src/db/roles.js';
import { createTestTenant, type TestTenant } from '../helpers/actors.js';
import { testDeps } from '../helpers/context.js';

function owner<T>(work: Parameters<typeof withClient<T>>[1]): Promise<T> {
  return withClient(testDeps().db.ownerUrl, work);
}

describe('npm run migrate (shared, then every tenant)', () => {
  let healthy: TestTenant;
  let broken: TestTenant;

  before(async () => {
    healthy = await createTestTenant();
    broken = await createTestTenant();
  });

  after(async () => {
    // The broken tenant must not trip later runs: take it out of the registry entirely.
    await owner(async (client) => {
      await client.query(`DROP SCHEMA IF EXISTS "${broken.schema_name}" CASCADE`);
      await client.query(`DROP TABLE IF EXISTS ${TENANT_LEDGERS}."${broken.schema_name}"`);
      await client.query('DELETE FROM shared.tenants WHERE tenant_id = $1', [broken.tenant_id]);
    });
  });

  it('is a no-op when run again, with a progress line per tenant', async () => {
    const lines: string[] = [];
    expect(await migrateShared(testDeps().db.ownerUrl, (line) => lines.push(line))).to.deep.equal([]);
    const result = await migrateAllTenants(testDeps().db.ownerUrl, (line) => lines.push(line));
    expect(result.failed).to.deep.equal([]);
    expect(result.migrated.every((tenant) => tenant.applied.length === 0)).to.equal(true);
    const progress = lines.filter((line) => /^\[\d+\/\d+\] /.test(line));
    expect(progress).to.have.length(result.migrated.length);
    expect(progress.find((line) => line.includes(healthy.tenant_code))).to.match(/up to date$/);
  });

  it('records the newest tenant migration in the registry of each tenant', async () => {
    const newest = (await listMigrationFiles('tenant')).at(-1);
    const { rows } = await owner((client) => client.query('SELECT schema_version FROM shared.tenants WHERE tenant_id = $1', [healthy.tenant_id]));
    expect(rows[0].schema_version).to.equal(newest);
  });

  it('reports a failing tenant and still migrates the others', async () => {
    // Forget the broken tenant's ledger: its migrations run again and collide with the tables that exist.
    await owner((client) => client.query(`DELETE FROM ${TENANT_LEDGERS}."${broken.schema_name}"`));
    const lines: string[] = [];
    const result = await migrateAllTenants(testDeps().db.ownerUrl, (line) => lines.push(line));
    expect(result.failed.map((tenant) => tenant.tenant_code)).to.deep.equal([broken.tenant_code]);
    expect(result.failed[0]?.error).to.match(/already exists/);
    expect(result.migrated.map((tenant) => tenant.tenant_code)).to.include(healthy.tenant_code);
    expect(lines.find((line) => line.includes(broken.tenant_code))).to.match(/FAILED/);
    const { rows } = await owner((client) => client.query(`SELECT count(*)::int AS n FROM ${TENANT_LEDGERS}."${broken.schema_name}"`));
    expect(rows[0].n, 'the failed tenant was rolled back, not half-migrated').to.equal(0);
  });
});
