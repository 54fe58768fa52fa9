import { expect } from 'chai';
import { inTenantScope } from '../../src/db/scope.js';
import { BusinessRuleError } from '../../src/errors.js';
import { reserveStorage, storageUsedBytes } from '../../src/limits/storage.js';
import { createTestTenant, type TestTenant } from '../helpers/actors.js';
import { testDeps } from '../helpers/context.js';

const MB = 1024 ** 2;
const file = (bytes: number) => ({ purpose: 'claim_document', file_name: 'bill.pdf', content_type: 'application/pdf', byte_size: bytes });

describe('tenant storage limit (storage_limit_gb)', () => {
  let tenant: TestTenant;
  const inTenant = <T>(work: Parameters<typeof inTenantScope<T>>[3]) => inTenantScope(testDeps().db, tenant, null, work);
  const record = async () => (await testDeps().tenants.byId(tenant.tenant_id))!;

  before(async () => {
    tenant = await createTestTenant({ storage_limit_gb: 1 });
  });

  it('records uploads up to the limit; the one that would pass it is a 422 naming the limit, and leaves nothing behind', async () => {
    await inTenant(async (tx) => reserveStorage(tx, await record(), file(600 * MB)));
    await inTenant(async (tx) => reserveStorage(tx, await record(), file(400 * MB)));
    let refused: unknown;
    await inTenant(async (tx) => reserveStorage(tx, await record(), file(24 * MB + 1))).catch((error: unknown) => { refused = error; });
    expect(refused).to.be.instanceOf(BusinessRuleError);
    const error = refused as BusinessRuleError;
    expect(error.code).to.equal('tenant.storage_limit');
    expect(error.message).to.include('storage limit of 1 GB');
    expect(error.errors).to.deep.equal([{ path: 'file', message: "exceeds the tenant's storage_limit_gb of 1" }]);
    expect(await inTenant(storageUsedBytes)).to.equal(1000 * MB);
    // Exactly up to the limit still fits.
    await inTenant(async (tx) => reserveStorage(tx, await record(), file(24 * MB)));
    expect(await inTenant(storageUsedBytes)).to.equal(1024 * MB);
  });

  it('two uploads racing for the last space: exactly one gets it', async () => {
    const roomy = await createTestTenant({ storage_limit_gb: 1 });
    const reserve = () => inTenantScope(testDeps().db, roomy, null, async (tx) =>
      reserveStorage(tx, (await testDeps().tenants.byId(roomy.tenant_id))!, file(600 * MB)));
    const outcomes = await Promise.allSettled([reserve(), reserve(), reserve()]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).to.have.length(1);
    for (const outcome of outcomes.filter((o) => o.status === 'rejected')) {
      expect((outcome as PromiseRejectedResult).reason).to.be.instanceOf(BusinessRuleError);
    }
  });

  it('counts only the tenant\'s own files', async () => {
    const fresh = await createTestTenant();
    expect(await inTenantScope(testDeps().db, fresh, null, storageUsedBytes)).to.equal(0);
  });
});
