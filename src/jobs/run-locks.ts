import type pg from 'pg';

/**
 * Session advisory locks, one per running job id, on one connection of this process. pg-boss hands a job to one
 * fetcher only; the lock covers the one remaining gap: a run that outlives its expiry (so pg-boss queued a retry)
 * still holds it, and the retry waits. A crashed process's connection closes and its locks go with it.
 */
export class RunLocks {
  private client: pg.PoolClient | undefined;
  /** The connection being opened: concurrent first calls share it (each opening its own leaked all but one). */
  private connecting: Promise<pg.PoolClient> | undefined;
  private readonly held = new Set<string>();

  constructor(private readonly pool: pg.Pool) {}

  /** false: another run of this job is still going somewhere. */
  async tryAcquire(jobId: string): Promise<boolean> {
    // Session locks are re-entrant: another loop of this very process must be refused here.
    if (this.held.has(jobId)) return false;
    const client = await this.connection();
    try {
      const { rows } = await client.query<{ locked: boolean }>(
        "SELECT pg_try_advisory_lock(hashtextextended('job:' || $1, 0)) AS locked", [jobId]);
      if (rows[0]?.locked) this.held.add(jobId);
      return Boolean(rows[0]?.locked);
    } catch (error) {
      this.drop(client, error);
      throw error;
    }
  }

  async release(jobId: string): Promise<void> {
    if (!this.held.delete(jobId) || !this.client) return;
    const client = this.client;
    try {
      await client.query("SELECT pg_advisory_unlock(hashtextextended('job:' || $1, 0))", [jobId]);
    } catch (error) {
      // The connection is gone, and its locks with it.
      this.drop(client, error);
    }
  }

  async close(): Promise<void> {
    await this.connecting?.catch(() => undefined);
    this.client?.release();
    this.client = undefined;
    this.held.clear();
  }

  private connection(): Promise<pg.PoolClient> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= this.pool.connect().then((client) => {
      client.on('error', (error) => this.drop(client, error));
      this.client = client;
      return client;
    }).finally(() => { this.connecting = undefined; });
    return this.connecting;
  }

  /** A broken lock connection is destroyed, not returned to the pool; its locks ended with it. */
  private drop(client: pg.PoolClient, error: unknown): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.held.clear();
    client.release(error instanceof Error ? error : true);
  }
}
