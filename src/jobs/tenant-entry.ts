import { inTenantScope, type TenantRef, type Tx } from '../db/scope.js';
import type { AppDeps } from '../deps.js';

/**
 * The one place a job (or the outbox relay) enters a tenant: the request scope with no user, i.e. the system
 * actor. When the scope moves out of src/http with a real system actor (branch `book`), only this body changes.
 */
export function inTenantAsSystem<T>(deps: AppDeps, tenant: TenantRef, work: (tx: Tx) => Promise<T>): Promise<T> {
  return inTenantScope(deps.db, tenant, null, work);
}
