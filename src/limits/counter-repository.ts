import type { Knex } from 'knex';

// shared.rate_limit_counters, reached outside any scope (its policy refuses tenant and platform transactions).
// A local table on the coordinator under Citus, like the job queue, so the CASE over now() below is allowed.

export interface CounterRow {
  readonly hits: number;
  readonly reset_at: Date;
}

/**
 * One statement, one round trip: counts `hits` hits (one request, or a block leased ahead), starting a fresh
 * window when the old one has ended.
 */
export async function incrementCounter(db: Knex, key: string, windowMs: number, hits = 1): Promise<CounterRow> {
  const { rows } = await db.raw<{ rows: CounterRow[] }>(`
    INSERT INTO shared.rate_limit_counters AS c (key, hits, reset_at)
    VALUES (:key, :hits, now() + make_interval(secs => :seconds))
    ON CONFLICT (key) DO UPDATE SET
      hits = CASE WHEN c.reset_at <= now() THEN :hits ELSE c.hits + :hits END,
      reset_at = CASE WHEN c.reset_at <= now() THEN now() + make_interval(secs => :seconds) ELSE c.reset_at END
    RETURNING hits, reset_at`, { key, hits, seconds: windowMs / 1000 });
  return rows[0] as CounterRow;
}

export async function readCounter(db: Knex, key: string): Promise<CounterRow | undefined> {
  const { rows } = await db.raw<{ rows: CounterRow[] }>(
    'SELECT hits, reset_at FROM shared.rate_limit_counters WHERE key = :key AND reset_at > now()', { key });
  return rows[0];
}

export async function decrementCounter(db: Knex, key: string): Promise<void> {
  await db.raw('UPDATE shared.rate_limit_counters SET hits = greatest(hits - 1, 0) WHERE key = :key AND reset_at > now()', { key });
}

export async function deleteCounters(db: Knex, keyPrefix: string, key?: string): Promise<void> {
  if (key !== undefined) await db.raw('DELETE FROM shared.rate_limit_counters WHERE key = :key', { key: keyPrefix + key });
  else await db.raw("DELETE FROM shared.rate_limit_counters WHERE starts_with(key, :keyPrefix)", { keyPrefix });
}

/** Windows that ended a while ago: nobody reads them again. */
export async function deleteExpiredCounters(db: Knex): Promise<void> {
  await db.raw("DELETE FROM shared.rate_limit_counters WHERE reset_at < now() - interval '5 minutes'");
}
