import type { SecurityEvent, SecurityEventKind, SecurityEventListQuery, SecurityEventOutcome } from '../../schemas/security-events.js';
import type { Page } from '../db/pagination.js';
import type { Tx } from '../db/scope.js';
import { timelinePage } from '../db/timeline.js';

// shared.security_events (migrations/shared/1733001500000_security_events.ts): the runtime role only inserts,
// the platform role reads. Newest first, keyset-paged on (occurred_at, event_id) (src/db/timeline.ts).

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

export type SecurityEventFilter = Omit<SecurityEventListQuery, 'tenant_id'> & { readonly tenant_id?: string | undefined };

/** The platform role's read: one tenant's events when tenant_id is given, else every event. */
export async function listSecurityEventRows(tx: Tx, filter: SecurityEventFilter): Promise<Page<SecurityEvent>> {
  const select = tx(EVENTS).select('event_id', 'kind', 'outcome', 'tenant_id', 'actor_user_id', 'actor_role', 'client_address',
    'request_id', 'target_type', 'target_id', 'details', tx.raw(`to_json(occurred_at) #>> '{}' AS occurred_at`));
  if (filter.tenant_id) select.where({ tenant_id: filter.tenant_id });
  if (filter.kind) select.where({ kind: filter.kind });
  if (filter.actor) select.where({ actor_user_id: filter.actor });
  if (filter.since) select.where('occurred_at', '>=', filter.since);
  if (filter.until) select.where('occurred_at', '<', filter.until);
  return timelinePage<SecurityEvent>(select, { table: 'security_events', id: 'event_id', limit: filter.limit, cursor: filter.cursor });
}
