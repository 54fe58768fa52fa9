import type { SecurityEvent, SecurityEventKind, SecurityEventListQuery, SecurityEventOutcome } from '../../schemas/security-events.js';
import type { Page } from '../db/pagination.js';
import type { Tx } from '../db/scope.js';
import { ValidationError } from '../errors.js';

// shared.security_events (migrations/shared/1733001500000_security_events.ts): the runtime role only inserts,
// the platform role reads. Newest first, keyset-paged on (occurred_at, event_id); the cursor carries the
// database's own timestamp text, so microseconds survive the round trip.

const EVENTS = 'shared.security_events';

export interface SecurityEventRow {
  readonly kind: SecurityEventKind;
  readonly outcome: SecurityEventOutcome;
  readonly tenant_id: string | null;
  readonly actor_user_id: string | null;
  readonly actor_role: string | null;
  readonly client_address: string | null;
  readonly request_id: string | null;
  readonly target_type: string | null;
  readonly target_id: string | null;
  readonly details: Record<string, unknown>;
}

/** A plain INSERT, no RETURNING: the runtime role may not read the table back. */
export async function insertSecurityEvent(tx: Tx, row: SecurityEventRow): Promise<void> {
  await tx(EVENTS).insert({ ...row, details: JSON.stringify(row.details) });
}

interface Cursor { at: string; id: string }

const CURSOR_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}(:\d{2})?)$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function decodeCursor(cursor: string): Cursor {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<Cursor>;
    if (typeof parsed.at === 'string' && typeof parsed.id === 'string' && UUID.test(parsed.id) && CURSOR_AT.test(parsed.at)
      && !Number.isNaN(Date.parse(parsed.at))) return { at: parsed.at, id: parsed.id };
  } catch {
    // reported below
  }
  throw new ValidationError([{ path: 'query.cursor', message: 'is not a cursor this API returned' }]);
}

export type SecurityEventFilter = Omit<SecurityEventListQuery, 'tenant_id'> & { readonly tenant_id?: string | undefined };

/** The platform role's read: one tenant's events when tenant_id is given, else every event. */
export async function listSecurityEventRows(tx: Tx, filter: SecurityEventFilter): Promise<Page<SecurityEvent>> {
  const select = tx(EVENTS).select('event_id', 'kind', 'outcome', 'tenant_id', 'actor_user_id', 'actor_role', 'client_address',
    'request_id', 'target_type', 'target_id', 'details', tx.raw(`to_json(occurred_at) #>> '{}' AS occurred_at`))
    .orderBy([{ column: 'occurred_at', order: 'desc' }, { column: 'event_id', order: 'desc' }]).limit(filter.limit + 1);
  if (filter.tenant_id) select.where({ tenant_id: filter.tenant_id });
  if (filter.kind) select.where({ kind: filter.kind });
  if (filter.actor) select.where({ actor_user_id: filter.actor });
  if (filter.since) select.where('occurred_at', '>=', filter.since);
  if (filter.until) select.where('occurred_at', '<', filter.until);
  if (filter.cursor) {
    const after = decodeCursor(filter.cursor);
    select.whereRaw('(occurred_at, event_id) < (?::timestamptz, ?::uuid)', [after.at, after.id]);
  }
  const rows: SecurityEvent[] = await select;
  const data = rows.slice(0, filter.limit);
  const last = data.at(-1);
  return {
    data: data.map((row) => ({ ...row, occurred_at: new Date(row.occurred_at).toISOString() })),
    next_cursor: rows.length > filter.limit && last
      ? Buffer.from(JSON.stringify({ at: last.occurred_at, id: last.event_id })).toString('base64url') : null,
  };
}
