import type { PersonalDataRead, PersonalDataReadQuery } from '../../schemas/data-protection.js';
import type { Page } from '../db/pagination.js';
import type { Tx } from '../db/scope.js';
import { ValidationError } from '../errors.js';

// The read audit, newest first, keyset-paged on (occurred_at, read_id); the cursor carries the database's own
// timestamp text, so microseconds survive the round trip.

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

export async function listPersonalDataReads(tx: Tx, query: PersonalDataReadQuery): Promise<Page<PersonalDataRead>> {
  const select = tx('personal_data_reads').select('read_id', 'request_id', 'actor_user_id', 'actor', 'purpose', 'endpoint', 'subject',
    'record_id', 'policyholder_id', 'fields', tx.raw(`to_json(occurred_at) #>> '{}' AS occurred_at`))
    .orderBy([{ column: 'personal_data_reads.occurred_at', order: 'desc' }, { column: 'read_id', order: 'desc' }]).limit(query.limit + 1);
  if (query.policyholder_id) select.where({ policyholder_id: query.policyholder_id });
  if (query.record_id) select.where({ record_id: query.record_id });
  if (query.user_id) select.where({ actor_user_id: query.user_id });
  if (query.purpose) select.where({ purpose: query.purpose });
  if (query.from) select.where('personal_data_reads.occurred_at', '>=', query.from);
  if (query.to) select.where('personal_data_reads.occurred_at', '<', query.to);
  if (query.cursor) {
    const after = decodeCursor(query.cursor);
    select.whereRaw('(personal_data_reads.occurred_at, read_id) < (?::timestamptz, ?::uuid)', [after.at, after.id]);
  }
  const rows: PersonalDataRead[] = await select;
  const data = rows.slice(0, query.limit);
  const last = data.at(-1);
  return {
    data: data.map((row) => ({ ...row, occurred_at: new Date(row.occurred_at).toISOString() })),
    next_cursor: rows.length > query.limit && last
      ? Buffer.from(JSON.stringify({ at: last.occurred_at, id: last.read_id })).toString('base64url') : null,
  };
}
