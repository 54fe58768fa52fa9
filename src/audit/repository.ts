import type { AuditEntry, AuditListQuery } from '../../schemas/audit.js';
import type { Page } from '../db/pagination.js';
import type { Tx } from '../db/scope.js';
import { ValidationError } from '../errors.js';

// The tenant's audit trail, newest first, keyset-paged on (occurred_at, audit_id). The cursor carries the
// database's own timestamp text, so microseconds survive the round trip.

interface Cursor { at: string; id: string }

function decodeCursor(cursor: string): Cursor {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<Cursor>;
    if (typeof parsed.at === 'string' && typeof parsed.id === 'string' && /^[0-9a-f-]{36}$/.test(parsed.id)
      && /^\d{4}-\d{2}-\d{2}T[0-9:.]+(Z|[+-]\d{2}(:\d{2})?)$/.test(parsed.at)) return { at: parsed.at, id: parsed.id };
  } catch {
    // reported below
  }
  throw new ValidationError([{ path: 'query.cursor', message: 'is not a cursor this API returned' }]);
}

export async function listAuditEntries(tx: Tx, query: AuditListQuery): Promise<Page<AuditEntry>> {
  const select = tx('audit_log').select('audit_id', 'table_name', 'record_id', 'action', 'actor_user_id', 'actor', 'old_values',
    'new_values', 'changed_columns', tx.raw(`to_json(occurred_at) #>> '{}' AS occurred_at`))
    .orderBy([{ column: 'audit_log.occurred_at', order: 'desc' }, { column: 'audit_id', order: 'desc' }]).limit(query.limit + 1);
  if (query.table) select.where({ table_name: query.table });
  if (query.record_id) select.where({ record_id: query.record_id.toLowerCase() });
  if (query.user_id) select.where({ actor_user_id: query.user_id });
  if (query.from) select.where('audit_log.occurred_at', '>=', query.from);
  if (query.to) select.where('audit_log.occurred_at', '<', query.to);
  if (query.cursor) {
    const after = decodeCursor(query.cursor);
    select.whereRaw('(audit_log.occurred_at, audit_id) < (?::timestamptz, ?::uuid)', [after.at, after.id]);
  }
  const rows: AuditEntry[] = await select;
  const data = rows.slice(0, query.limit);
  const last = data.at(-1);
  return {
    data: data.map((row) => ({ ...row, occurred_at: new Date(row.occurred_at).toISOString() })),
    next_cursor: rows.length > query.limit && last
      ? Buffer.from(JSON.stringify({ at: last.occurred_at, id: last.audit_id })).toString('base64url') : null,
  };
}
