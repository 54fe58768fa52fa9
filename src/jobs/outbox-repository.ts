import type { Tx } from '../db/scope.js';

export interface OutboxRow {
  readonly outbox_id: string;
  readonly queue: string;
  readonly payload: unknown;
  readonly singleton_key: string | null;
  readonly created_by: string | null;
}

export interface NewOutboxRow {
  readonly queue: string;
  readonly payload: unknown;
  readonly singleton_key?: string | null;
  readonly created_by?: string | null;
}

export async function insertOutboxRow(tx: Tx, row: NewOutboxRow): Promise<{ outbox_id: string; tenant_id: string }> {
  const [inserted] = await tx('outbox').insert({
    queue: row.queue, payload: JSON.stringify(row.payload ?? {}), singleton_key: row.singleton_key ?? null, created_by: row.created_by ?? null,
  }).returning(['outbox_id', 'tenant_id']);
  return inserted;
}

/** The oldest waiting rows, locked so that two relays never take the same row (a busy one is skipped, not waited for). */
export async function lockOutboxBatch(tx: Tx, limit: number): Promise<OutboxRow[]> {
  return tx('outbox').select('outbox_id', 'queue', 'payload', 'singleton_key', 'created_by')
    .whereNull('failed_at').orderBy([{ column: 'created_at' }, { column: 'outbox_id' }]).limit(limit).forUpdate().skipLocked();
}

/** Sets a row aside that can never become a job, with the reason, so it neither blocks the rows after it nor vanishes. */
export async function markOutboxRowFailed(tx: Tx, outboxId: string, error: string): Promise<void> {
  await tx('outbox').where({ outbox_id: outboxId }).update({ failed_at: tx.fn.now(), last_error: error.slice(0, 2000) });
}

export async function deleteOutboxRows(tx: Tx, ids: string[]): Promise<void> {
  if (ids.length) await tx('outbox').whereIn('outbox_id', ids).delete();
}

/** Every active tenant, for the relay's sweep (platform scope). */
export async function listActiveTenantIds(tx: Tx): Promise<string[]> {
  const rows = await tx('shared.tenants').select('tenant_id').where({ status: 'active' }).orderBy('tenant_code');
  return rows.map((row: { tenant_id: string }) => row.tenant_id);
}
