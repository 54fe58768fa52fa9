import type { AuditEntry, AuditListQuery } from '../../schemas/audit.js';
import type { Page } from '../db/pagination.js';
import type { Tx } from '../db/scope.js';
import { timelinePage } from '../db/timeline.js';

// The tenant's audit trail, newest first, keyset-paged on (occurred_at, audit_id) (src/db/timeline.ts).

export async function listAuditEntries(tx: Tx, query: AuditListQuery): Promise<Page<AuditEntry>> {
  const select = tx('audit_log').select('audit_id', 'table_name', 'record_id', 'action', 'actor_user_id', 'actor', 'old_values',
    'new_values', 'changed_columns', tx.raw(`to_json(occurred_at) #>> '{}' AS occurred_at`));
  if (query.table) select.where({ table_name: query.table });
  if (query.record_id) select.where({ record_id: query.record_id.toLowerCase() });
  if (query.user_id) select.where({ actor_user_id: query.user_id });
  if (query.from) select.where('audit_log.occurred_at', '>=', query.from);
  if (query.to) select.where('audit_log.occurred_at', '<', query.to);
  return timelinePage<AuditEntry>(select, { table: 'audit_log', id: 'audit_id', limit: query.limit, cursor: query.cursor });
}
