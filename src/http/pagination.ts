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

function decodeCursor(cursor: string): CursorPosition {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<CursorPosition>;
    if (typeof parsed.created_at === 'string' && typeof parsed.id === 'string' && !Number.isNaN(Date.parse(parsed.created_at))) {
      return { created_at: parsed.created_at, id: parsed.id };
    }
  } catch {
    // fall through: reported below as a bad field
  }
  throw new ValidationError([{ path: 'query.cursor', message: 'is not a cursor this API returned' }]);
}

function encodeCursor(createdAt: Date | string, id: string): string {
  const created_at = createdAt instanceof Date ? createdAt.toISOString() : createdAt;
  return Buffer.from(JSON.stringify({ created_at, id })).toString('base64url');
}

/**
 * Applies order, limit (+1 to know whether more follow) and the cursor to `query`, runs it and returns one page.
 * `idColumn` is the table's key, the tie-breaker for rows created at the same instant.
 */
export async function paginate<T extends { created_at: Date | string }>(
  query: Knex.QueryBuilder, idColumn: keyof T & string, options: { limit: number; cursor?: string | undefined },
): Promise<Page<T>> {
  query.orderBy([{ column: 'created_at' }, { column: idColumn }]).limit(options.limit + 1);
  if (options.cursor) {
    const after = decodeCursor(options.cursor);
    query.whereRaw(`(created_at, ??) > (?::timestamptz, ?::uuid)`, [idColumn, after.created_at, after.id]);
  }
  const rows: T[] = await query;
  const data = rows.slice(0, options.limit);
  const last = data.at(-1);
  return {
    data,
    next_cursor: rows.length > options.limit && last ? encodeCursor(last.created_at, String(last[idColumn])) : null,
  };
}
