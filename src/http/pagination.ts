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
// PostgreSQL keeps microseconds; a JS Date only milliseconds. The cursor carries the database's own text.
const CURSOR_AT = '_cursor_created_at';

function decodeCursor(cursor: string): CursorPosition {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<CursorPosition>;
    if (typeof parsed.created_at === 'string' && typeof parsed.id === 'string' && UUID.test(parsed.id)
      && !Number.isNaN(Date.parse(parsed.created_at))) {
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
  query: Knex.QueryBuilder, idColumn: keyof T & string, options: { limit: number; cursor?: string | undefined },
): Promise<Page<T>> {
  if (!selectsColumns(query)) query.select('*');
  query.select(query.client.raw(`created_at::text AS ${CURSOR_AT}`))
    .orderBy([{ column: 'created_at' }, { column: idColumn }]).limit(options.limit + 1);
  if (options.cursor) {
    const after = decodeCursor(options.cursor);
    query.whereRaw(`(created_at, ??) > (?::timestamptz, ?::uuid)`, [idColumn, after.created_at, after.id]);
  }
  const rows: (T & { [CURSOR_AT]: string })[] = await query;
  const data = rows.slice(0, options.limit).map(({ [CURSOR_AT]: _cursorAt, ...row }) => row as unknown as T);
  const last = rows[options.limit - 1];
  return {
    data,
    next_cursor: rows.length > options.limit && last ? encodeCursor(last[CURSOR_AT], String(last[idColumn])) : null,
  };
}
