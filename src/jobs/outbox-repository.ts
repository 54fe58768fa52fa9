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
export async function listActiveTenants(tx: Tx): Promise<{ tenant_id: string; schema_name: string }[]> {
  return tx('shared.tenants').select('tenant_id', 'schema_name').where({ status: 'active' }).orderBy('tenant_code');
}

/**
 * Schemas whose outbox has rows according to the statistics collector: one catalog read instead of a query per
 * tenant. Approximate (it lags commits by up to some seconds, and sees only this node's tables), so the relay
 * still visits every tenant now and then.
 */
export async function schemasWithOutboxRows(tx: Tx): Promise<Set<string>> {
  const { rows } = await tx.raw<{ rows: { schemaname: string }[] }>(
    "SELECT schemaname FROM pg_stat_user_tables WHERE relname = 'outbox' AND n_live_tup > 0");
  return new Set(rows.map((row) => row.schemaname));
}
