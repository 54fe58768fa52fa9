import { TENANT_CODE_PATTERN } from '../../schemas/common.js';
import type { Database } from '../db/database.js';
import { inPlatformScope, type OpenedRows, type Tx } from '../db/scope.js';
import type { PreparedOpening } from '../db/sql-literals.js';
import { ForbiddenError, UnauthenticatedError } from '../errors.js';
import { findTenantByCode, tenantByIdOpening, type TenantRecord } from './repository.js';

/**
 * The tenant registry as request handling sees it: a read of shared.tenants, cached for a moment because every
 * request needs it. Changes made through this process are seen at once (forget); other processes within the TTL.
 * An entry in use is reloaded in the background once half its TTL has passed, so a busy tenant's requests never
 * wait for the registry (two round trips by id); concurrent misses of one key share a single load.
 */
export class TenantRegistry {
  /** `loadedAt`: when the load that read the record started (its age counts from the read, not the answer). */
  private readonly cache = new Map<string, { tenant: TenantRecord; loadedAt: number }>();
  private readonly loading = new Map<string, Promise<TenantRecord | undefined>>();
  /** Bumped by forget(): a load that started before it must not put the old record back. */
  private generation = 0;

  constructor(private readonly db: Database, private readonly ttlMs: number) {}

  /** `tenantId` as tokens and jobs carry it: a lower-case uuid. */
  byId(tenantId: string): Promise<TenantRecord | undefined> {
    // By id (every request's lookup) the record comes with the transaction's first round trip: a tenant asked less
    // often than the TTL pays two round trips for it, not three.
    return this.cached(`id:${tenantId}`,
      { work: async (_tx, opened) => opened[0] as TenantRecord | undefined, opening: tenantByIdOpening(tenantId) });
  }

  byCode(tenantCode: string): Promise<TenantRecord | undefined> {
    return this.cached(`code:${tenantCode.toUpperCase()}`, { work: (tx) => findTenantByCode(tx, tenantCode.toUpperCase()) });
  }

  forget(tenant: Pick<TenantRecord, 'tenant_id' | 'tenant_code'>): void {
    this.generation += 1;
    for (const key of [`id:${tenant.tenant_id}`, `code:${tenant.tenant_code}`]) {
      this.cache.delete(key);
      this.loading.delete(key);
    }
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

  private async cached(key: string, load: Load): Promise<TenantRecord | undefined> {
    const hit = this.cache.get(key);
    const age = hit ? Date.now() - hit.loadedAt : Infinity;
    if (hit && age < this.ttlMs) {
      if (age >= this.ttlMs / 2) this.reload(key, load).catch(() => undefined);
      return hit.tenant;
    }
    return this.reload(key, load);
  }

  /** One load per key at a time (a forget() starts afresh): its record is cached unless a forget() came meanwhile. */
  private reload(key: string, load: Load): Promise<TenantRecord | undefined> {
    const pending = this.loading.get(key);
    if (pending) return pending;
    const generation = this.generation;
    const started = Date.now();
    const loaded = inPlatformScope(this.db, null, load.work, load.opening).then((tenant) => {
      // Misses are not cached: a tenant onboarded a moment ago must resolve at once.
      if (tenant && this.ttlMs > 0 && generation === this.generation) this.cache.set(key, { tenant, loadedAt: started });
      return tenant;
    }).finally(() => {
      if (this.loading.get(key) === loaded) this.loading.delete(key);
    });
    this.loading.set(key, loaded);
    return loaded;
  }
}

/** How a record is read: by `work` in a platform transaction, or by its opening (then `work` takes its rows). */
interface Load {
  readonly work: (tx: Tx, opened: OpenedRows) => Promise<TenantRecord | undefined>;
  readonly opening?: PreparedOpening;
}

export function assertActive(tenant: TenantRecord): void {
  if (tenant.status !== 'active') throw new ForbiddenError(`The tenant ${tenant.tenant_code} is ${tenant.status}.`, { code: 'tenant.suspended' });
}
