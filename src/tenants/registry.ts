import { TENANT_CODE_PATTERN } from '../../schemas/common.js';
import type { Database } from '../db/database.js';
import { inPlatformScope, type OpenedRows, type Tx } from '../db/scope.js';
import type { PreparedOpening } from '../db/sql-literals.js';
import { ForbiddenError, UnauthenticatedError } from '../errors.js';
import { findTenantByCode, tenantByIdOpening, type TenantRecord } from './repository.js';

/** How long a record saying the tenant is not active is kept (an active one: the registry's TTL). */
const INACTIVE_TTL_MS = 2000;

/**
 * The tenant registry as request handling sees it: a read of shared.tenants, cached because every request needs it.
 * Changes made through this process are seen at once (forget); other processes see them within the TTL (a minute
 * by default). The cache is trusted only where something fresher backs it up: a request's own transaction checks
 * its session, which a suspension ends at once, so a cached 'active' record is enough there; a record that says a
 * tenant is not active is kept only INACTIVE_TTL_MS, so a reactivation elsewhere shows within it; sign-in, MFA,
 * token refresh and jobs, which start something new for the tenant, read the current record (`current`). An entry
 * in use is reloaded in the background once half its TTL has passed, so a busy tenant's requests never wait for the
 * registry (two round trips by id); concurrent misses of one key share a single load.
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
    return this.cached(`id:${tenantId}`, byIdLoad(tenantId));
  }

  byCode(tenantCode: string): Promise<TenantRecord | undefined> {
    const code = tenantCode.toUpperCase();
    return this.cached(`code:${code}`, byCodeLoad(code));
  }

  /** The record as it is now, whatever is cached (the cache takes it): for what must not act on a stale status. */
  current(tenantId: string): Promise<TenantRecord | undefined> {
    return this.load(byIdLoad(tenantId));
  }

  forget(tenant: Pick<TenantRecord, 'tenant_id' | 'tenant_code'>): void {
    this.generation += 1;
    for (const key of keysOf(tenant)) {
      this.cache.delete(key);
      this.loading.delete(key);
    }
  }

  /**
   * The tenant a login names, whatever its status, or undefined. Sign-in answers an unknown tenant like a wrong
   * password and tells a suspended one only after a right password (auth/service.ts).
   */
  async forLogin(tenantCode: string): Promise<TenantRecord | undefined> {
    const code = tenantCode.toUpperCase();
    return TENANT_CODE_PATTERN.test(code) ? this.load(byCodeLoad(code)) : undefined;
  }

  /**
   * The token's tenant, which must be active; it is authoritative: an X-Tenant naming another tenant is refused.
   * `current`: read the record now (a new session or token is about to be made), not from the cache.
   */
  async forToken(tenantId: string, xTenant: string | undefined, options: { current?: boolean } = {}): Promise<TenantRecord> {
    const tenant = await (options.current ? this.current(tenantId) : this.byId(tenantId));
    if (!tenant) throw new UnauthenticatedError('The tenant of this token no longer exists.', { code: 'auth.token_invalid' });
    // An empty header names no tenant (as at sign-in, src/auth/routes.ts), so it cannot name another.
    const named = xTenant?.trim().toUpperCase() || undefined;
    if (named !== undefined && named !== tenant.tenant_code) {
      throw new ForbiddenError('The token belongs to another tenant than X-Tenant names.', { code: 'tenant.mismatch' });
    }
    assertActive(tenant);
    return tenant;
  }

  private async cached(key: string, load: Load): Promise<TenantRecord | undefined> {
    const hit = this.cache.get(key);
    const age = hit ? Date.now() - hit.loadedAt : Infinity;
    const ttl = hit?.tenant.status === 'active' ? this.ttlMs : Math.min(this.ttlMs, INACTIVE_TTL_MS);
    if (hit && age < ttl) {
      if (age >= ttl / 2) this.reload(key, load).catch(() => undefined);
      return hit.tenant;
    }
    return this.reload(key, load);
  }

  /** One load per key at a time (a forget() starts afresh), shared by whoever asks for it meanwhile. */
  private reload(key: string, load: Load): Promise<TenantRecord | undefined> {
    const pending = this.loading.get(key);
    if (pending) return pending;
    const loaded = this.load(load).finally(() => {
      if (this.loading.get(key) === loaded) this.loading.delete(key);
    });
    this.loading.set(key, loaded);
    return loaded;
  }

  /**
   * Reads the record and caches it under its id and its code (a sign-in's read also serves the requests that
   * follow), unless a forget() came meanwhile or a newer read is already there.
   */
  private async load(how: Load): Promise<TenantRecord | undefined> {
    const generation = this.generation;
    const started = Date.now();
    const tenant = await inPlatformScope(this.db, null, how.work, how.opening);
    // Misses are not cached: a tenant onboarded a moment ago must resolve at once.
    if (!tenant || this.ttlMs <= 0 || generation !== this.generation) return tenant;
    for (const key of keysOf(tenant)) {
      if ((this.cache.get(key)?.loadedAt ?? -Infinity) <= started) this.cache.set(key, { tenant, loadedAt: started });
    }
    return tenant;
  }
}

const keysOf = (tenant: Pick<TenantRecord, 'tenant_id' | 'tenant_code'>) => [`id:${tenant.tenant_id}`, `code:${tenant.tenant_code}`];

// By id (every request's lookup) the record comes with the transaction's first round trip: a tenant asked less
// often than the TTL pays two round trips for it, not three.
const byIdLoad = (tenantId: string): Load =>
  ({ work: async (_tx, opened) => opened[0] as TenantRecord | undefined, opening: tenantByIdOpening(tenantId) });

/** `tenantCode` upper-cased already, as the registry keeps it. */
const byCodeLoad = (tenantCode: string): Load => ({ work: (tx) => findTenantByCode(tx, tenantCode) });

/** How a record is read: by `work` in a platform transaction, or by its opening (then `work` takes its rows). */
interface Load {
  readonly work: (tx: Tx, opened: OpenedRows) => Promise<TenantRecord | undefined>;
  readonly opening?: PreparedOpening;
}

export function assertActive(tenant: TenantRecord): void {
  if (tenant.status !== 'active') throw new ForbiddenError(`The tenant ${tenant.tenant_code} is ${tenant.status}.`, { code: 'tenant.suspended' });
}
