import type { Knex } from 'knex';
import { ValidationError } from '../errors.js';

// Keyset pagination over (created_at, <id>): stable under inserts, and cheap with an index on both columns.

interface CursorPosition {
  readonly created_at: string;
  readonly id: string;
}

export interface Page<T> {
  readonly data: T[];
  readonly next_cursor: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// PostgreSQL keeps microseconds; a JS Date only milliseconds. The cursor carries the database's own ISO 8601 text
// (to_json's form, whatever the server's DateStyle).
const CURSOR_AT = '_cursor_created_at';

/**
 * created_at as our cursors carry it: PostgreSQL's timestamptz text ('2026-11-22 02:10:11.123456+00', the zone
 * as +HH, +HH:MM or +HH:MM:SS), or the ISO form with 'T' and 'Z'.
 */
const CURSOR_TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})?(?:Z|[+-](\d{2})(?::?([0-5]\d)(?::?([0-5]\d))?)?)$/;

/** A timestamp PostgreSQL will take as timestamptz: the strict format above, with a real calendar date and time. */
export function isCursorTimestamp(text: string): boolean {
  const match = CURSOR_TIMESTAMP.exec(text);
  if (!match) return false;
  const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, zoneHours = 0] =
    match.slice(1, 8).map((part) => Number(part ?? 0));
  // Date.UTC rolls 31 February over into March: a date that comes back changed was not a real one.
  const date = new Date(Date.UTC(year, month - 1, day));
  return year >= 1000 && date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
    && hour <= 23 && minute <= 59 && second <= 59 && zoneHours <= 15;
}

function decodeCursor(cursor: string): CursorPosition {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<CursorPosition>;
    if (typeof parsed.created_at === 'string' && typeof parsed.id === 'string' && UUID.test(parsed.id)
      && isCursorTimestamp(parsed.created_at)) {
      return { created_at: parsed.created_at, id: parsed.id };
    }
  } catch {
    // fall through: reported below as a bad field
  }
  throw new ValidationError([{ path: 'query.cursor', message: 'is not a cursor this API returned' }]);
}

function encodeCursor(createdAt: string, id: string): string {
  return Buffer.from(JSON.stringify({ created_at: createdAt, id })).toString('base64url');
}

function selectsColumns(query: Knex.QueryBuilder): boolean {
  const statements = (query as unknown as { _statements: { grouping: string }[] })._statements;
  return statements.some((statement) => statement.grouping === 'columns');
}

/**
 * Applies order, limit (+1 to know whether more follow) and the cursor to `query`, runs it and returns one page.
 * `idColumn` is the table's key, the tie-breaker for rows created at the same instant.
 */
export async function paginate<T extends object>(
  query: Knex.QueryBuilder, idColumn: keyof T & string,
  options: { limit: number; cursor?: string | undefined; newestFirst?: boolean },
): Promise<Page<T>> {
  if (!selectsColumns(query)) query.select('*');
  const order = options.newestFirst ? 'desc' : 'asc';
  query.select(query.client.raw(`to_json(created_at) #>> '{}' AS ${CURSOR_AT}`))
    .orderBy([{ column: 'created_at', order }, { column: idColumn, order }]).limit(options.limit + 1);
  if (options.cursor) {
    const after = decodeCursor(options.cursor);
    query.whereRaw(`(created_at, ??) ${options.newestFirst ? '<' : '>'} (?::timestamptz, ?::uuid)`, [idColumn, after.created_at, after.id]);
  }
  const rows: (T & { [CURSOR_AT]: string })[] = await query;
  const data = rows.slice(0, options.limit).map(({ [CURSOR_AT]: _cursorAt, ...row }) => row as unknown as T);
  const last = rows[options.limit - 1];
  return {
    data,
    next_cursor: rows.length > options.limit && last ? encodeCursor(last[CURSOR_AT], String(last[idColumn])) : null,
  };
}
