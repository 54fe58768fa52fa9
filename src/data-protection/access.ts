import { authorize } from '../auth/ability.js';
import type { Actor } from '../auth/actor.js';
import { ForbiddenError } from '../errors.js';

/**
 * The data protection officer's tools (read audit, rights requests, retention, notices) reach every book of the
 * tenant: like the audit trail they need `read Audit` (or `manage Audit` to change something) and a tenant-wide scope.
 */
export function authorizeDataProtection(actor: Actor, action: 'read' | 'manage'): void {
  authorize(actor.ability, action, 'Audit');
  if (actor.data_scope !== 'tenant') throw new ForbiddenError('Data protection is for tenant-wide administrators.');
}
