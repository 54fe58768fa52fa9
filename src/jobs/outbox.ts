import { EventEmitter } from 'node:events';
import type { Tx } from '../db/scope.js';
import { insertOutboxRow } from './outbox-repository.js';

/** `written` (tenant id) once a transaction that wrote to the outbox has committed: the relay of this process moves it at once. */
export const outboxEvents = new EventEmitter();

export interface OutboxOptions {
  /** For singleton and stately queues: at most one active (and, stately, one queued) job per key. */
  readonly singletonKey?: string;
  readonly userId?: string | null;
}

/**
 * Queues a job as part of the caller's transaction: the row is committed or rolled back with the change it
 * follows, and the relay moves it to the job queue afterwards. A crash between commit and relay loses nothing:
 * the next sweep finds the row. The payload is validated against the job's schema when it is relayed.
 */
export async function enqueueInTransaction(tx: Tx, queue: string, payload: unknown, options: OutboxOptions = {}): Promise<string> {
  const row = await insertOutboxRow(tx, { queue, payload, singleton_key: options.singletonKey, created_by: options.userId });
  // Knex resolves executionPromise when the transaction has committed (and rejects on rollback).
  const committed = (tx as Tx & { executionPromise?: Promise<unknown> }).executionPromise;
  committed?.then(() => outboxEvents.emit('written', row.tenant_id), () => undefined);
  return row.outbox_id;
}
