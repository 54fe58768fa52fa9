import type { Logger } from 'pino';
import type { SecurityEventKind, SecurityEventOutcome } from '../../schemas/security-events.js';
import type { Database } from '../db/database.js';
import { inPlatformScope, type Tx } from '../db/scope.js';
import { currentSecurityContext, type EventActor, type EventCaller } from './context.js';
import { insertSecurityEvent, type SecurityEventRow } from './repository.js';

// Recording a security event (ASVS V7.1.3, V7.1.4): a row in shared.security_events and a log line. Recording
// never fails the request it describes: a failed write is logged and swallowed. Two ways in:
// - recordSecurityEvent(tx, event): in the request's own transaction, so an event claims only what committed
//   (a password changed, a role granted). Under a savepoint, so a refused insert leaves the transaction usable.
// - recordSecurityEventApart(deps, event): in a transaction of its own, for an event whose request is failing
//   and will roll back (a 403, a wrong MFA code): the event must outlive it.

export interface SecurityEventInput {
  readonly kind: SecurityEventKind;
  readonly outcome: SecurityEventOutcome;
  /**
   * The tenant the event belongs to; null for the platform. Defaults to the caller's. With recordSecurityEvent it
   * must be the transaction's own tenant (the runtime role may write no other).
   */
  readonly tenant_id?: string | null;
  /** Who acted; defaults to the signed-in caller (nobody, for a sign-in). */
  readonly actor?: EventActor | null;
  readonly target?: { readonly type: string; readonly id: string } | null;
  readonly details?: Record<string, unknown>;
}

export interface EventDeps {
  readonly db: Database;
  readonly log: Logger;
}

function rowOf(event: SecurityEventInput): SecurityEventRow {
  const context = currentSecurityContext();
  const caller: EventCaller | undefined = context?.caller;
  const actor = event.actor === undefined ? caller : event.actor;
  return {
    kind: event.kind,
    outcome: event.outcome,
    tenant_id: event.tenant_id === undefined ? caller?.tenant_id ?? null : event.tenant_id,
    actor_user_id: actor?.user_id ?? null,
    actor_role: actor?.role ?? null,
    client_address: context?.client_address ?? null,
    request_id: context?.request_id ?? null,
    target_type: event.target?.type ?? null,
    target_id: event.target?.id ?? null,
    details: event.details ?? {},
  };
}

function logged(row: SecurityEventRow, fallback?: Logger): Logger | undefined {
  const log = currentSecurityContext()?.log ?? fallback;
  log?.info({ security_event: row }, `security event ${row.kind}`);
  return log;
}

/** Records the event in the caller's transaction (kept only if it commits). Never throws. */
export async function recordSecurityEvent(tx: Tx, event: SecurityEventInput, log?: Logger): Promise<void> {
  const row = rowOf(event);
  const logger = logged(row, log);
  try {
    await tx.transaction((savepoint) => insertSecurityEvent(savepoint, row));
  } catch (error) {
    logger?.error({ err: error, security_event: row }, 'security event not stored');
  }
}

/**
 * Records the event in a transaction of its own, committed whatever becomes of the request's. Written by the
 * platform role (it may write any tenant's events) on its own pool, so a request pool that is full cannot hold it
 * up. Never throws.
 */
export async function recordSecurityEventApart(deps: EventDeps, event: SecurityEventInput): Promise<void> {
  const row = rowOf(event);
  const logger = logged(row, deps.log) ?? deps.log;
  try {
    await inPlatformScope(deps.db, null, (tx) => insertSecurityEvent(tx, row));
  } catch (error) {
    logger.error({ err: error, security_event: row }, 'security event not stored');
  }
}
