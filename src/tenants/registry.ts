import { TENANT_CODE_PATTERN } from '../../schemas/common.js';
import type { Database } from '../db/database.js';
import { inPlatformScope } from '../db/scope.js';
import { ForbiddenError, UnauthenticatedError } from '../errors.js';
import { findTenantByCode, findTenantById, type TenantRecord } from './repository.js';

/**
 * The tenant registry as request handling sees it: a read of shared.tenants, cached for a moment because every
 * request needs it. Changes made through this process are seen at once (forget); other processes within the TTL.
 */
export class TenantRegistry {
  private readonly cache = new Map<string, { tenant: TenantRecord; expires: number }>();
  /** Bumped by forget(): a load that started before it must not put the old record back. */
  private generation = 0;

  constructor(private readonly db: Database, private readonly ttlMs: number) {}

  byId(tenantId: string): Promise<TenantRecord | undefined> {
    return this.cached(`id:${tenantId}`, (tx) => findTenantById(tx, tenantId));
  }

  byCode(tenantCode: string): Promise<TenantRecord | undefined> {
    return this.cached(`code:${tenantCode.toUpperCase()}`, (tx) => findTenantByCode(tx, tenantCode.toUpperCase()));
  }

  forget(tenant: Pick<TenantRecord, 'tenant_id' | 'tenant_code'>): void {
    this.generation += 1;
    this.cache.delete(`id:${tenant.tenant_id}`);
    this.cache.delete(`code:${tenant.tenant_code}`);
  }

  /**
   * The tenant a login names, whatever its status, or undefined. Sign-in answers an unknown tenant like a wrong
   * password and tells a suspended one only after a right password (auth/service.ts).
   */
  async forLogin(tenantCode: string): Promise<TenantRecord | undefined> {
    return TENANT_CODE_PATTERN.test(tenantCode.toUpperCase()) ? this.byCode(tenantCode) : undefined;
  }

  /** The token's tenant is authoritative: an X-Tenant naming another tenant is refused. */
  async forToken(tenantId: string, xTenant: string | undefined): Promise<TenantRecord> {
    const tenant = await this.byId(tenantId);
    if (!tenant) throw new UnauthenticatedError('The tenant of this token no longer exists.', { code: 'auth.token_invalid' });
    if (xTenant !== undefined && xTenant.trim().toUpperCase() !== tenant.tenant_code) {
      throw new ForbiddenError('The token belongs to another tenant than X-Tenant names.', { code: 'tenant.mismatch' });
    }
    assertActive(tenant);
    return tenant;
  }

  private async cached(key: string, load: Parameters<typeof inPlatformScope<TenantRecord | undefined>>[2]) {
    const hit = this.cache.get(key);
    if (hit && hit.expires > Date.now()) return hit.tenant;
    const generation = this.generation;
    const tenant = await inPlatformScope(this.db, null, load);
    if (generation !== this.generation) return tenant;
    // Misses are not cached: a tenant onboarded a moment ago must resolve at once.
    if (tenant && this.ttlMs > 0) this.cache.set(key, { tenant, expires: Date.now() + this.ttlMs });
    return tenant;
  }
}

export function assertActive(tenant: TenantRecord): void {
  if (tenant.status !== 'active') throw new ForbiddenError(`The tenant ${tenant.tenant_code} is ${tenant.status}.`, { code: 'tenant.suspended' });
}
