import type { SecurityEvent, SecurityEventListQuery } from '../../schemas/security-events.js';
import { authorize } from '../auth/ability.js';
import type { Actor } from '../auth/actor.js';
import type { Page } from '../db/pagination.js';
import { inPlatformScope, type Tx } from '../db/scope.js';
import type { AppDeps } from '../deps.js';
import { ForbiddenError } from '../errors.js';
import { listSecurityEventRows } from './repository.js';

/**
 * Super admins read every event (one tenant's with tenant_id). A tenant's administrators (read on Audit with a
 * tenant-wide data scope, as for the audit trail) read their own tenant's, through the platform role: the runtime
 * role cannot read the table at all, so the tenant filter is the caller's tenant from its token, never a parameter.
 */
export async function listSecurityEvents(tx: Tx, deps: Pick<AppDeps, 'db'>, actor: Actor, query: SecurityEventListQuery)
  : Promise<Page<SecurityEvent>> {
  if (actor.kind === 'platform') return listSecurityEventRows(tx, query);
  authorize(actor.ability, 'read', 'Audit');
  if (actor.kind !== 'tenant' || !actor.tenant || actor.data_scope !== 'tenant') {
    throw new ForbiddenError('The security event log is for tenant-wide administrators.');
  }
  const tenantId = actor.tenant.tenant_id;
  if (query.tenant_id && query.tenant_id !== tenantId) throw new ForbiddenError("Only your own tenant's events can be read.");
  return inPlatformScope(deps.db, null, (platformTx) => listSecurityEventRows(platformTx, { ...query, tenant_id: tenantId }));
}
