import type { AuditEntry, AuditListQuery } from '../../schemas/audit.js';
import { authorize } from '../auth/ability.js';
import type { Actor } from '../auth/actor.js';
import type { Page } from '../db/pagination.js';
import type { Tx } from '../db/scope.js';
import { ForbiddenError } from '../errors.js';
import { listAuditEntries } from './repository.js';

/** The trail holds every book's old and new values: it needs read on Audit and a tenant-wide data scope. */
export async function listAudit(tx: Tx, actor: Actor, query: AuditListQuery): Promise<Page<AuditEntry>> {
  authorize(actor.ability, 'read', 'Audit');
  if (actor.data_scope !== 'tenant') throw new ForbiddenError('The audit trail is for tenant-wide administrators.');
  return listAuditEntries(tx, query);
}
