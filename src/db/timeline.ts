import type { Knex } from 'knex';
import { ValidationError } from '../errors.js';
import { isCursorTimestamp, type Page } from './pagination.js';

// Keyset pages of a timeline (the audit trail, the read audit, security events): newest first on
// (occurred_at, <id>). The cursor carries the database's own timestamp text, so microseconds survive the round
// trip; the select must name `to_json(occurred_at) #>> '{}' AS occurred_at` among its columns.

interface Cursor { at: string; id: string }

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function decodeCursor(cursor: string): Cursor {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<Cursor>;
    if (typeof parsed.at === 'string' && typeof parsed.id === 'string' && UUID.test(parsed.id) && isCursorTimestamp(parsed.at)) {
      return { at: parsed.at, id: parsed.id };
    }
  } catch {
    // reported below
  }
  throw new ValidationError([{ path: 'query.cursor', message: 'is not a cursor this API returned' }]);
}

export async function timelinePage<Row extends { occurred_at: string }>(select: Knex.QueryBuilder,
  options: { table: string; id: keyof Row & string; limit: number; cursor?: string | undefined }): Promise<Page<Row>> {
  const at = `${options.table}.occurred_at`;
  select.orderBy([{ column: at, order: 'desc' }, { column: options.id, order: 'desc' }]).limit(options.limit + 1);
  if (options.cursor) {
    const after = decodeCursor(options.cursor);
    select.whereRaw(`(${at}, ${options.id}) < (?::timestamptz, ?::uuid)`, [after.at, after.id]);
  }
  const rows = await select as Row[];
  const data = rows.slice(0, options.limit);
  const last = data.at(-1);
  return {
    data: data.map((row) => ({ ...row, occurred_at: new Date(row.occurred_at).toISOString() })),
    next_cursor: rows.length > options.limit && last
      ? Buffer.from(JSON.stringify({ at: last.occurred_at, id: last[options.id] })).toString('base64url') : null,
  };
}
