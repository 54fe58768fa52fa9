import type { AppDeps } from '../deps.js';
import { inPlatformScope } from '../db/scope.js';
import { ValidationError } from '../errors.js';
import {
  deleteOutboxRows, listActiveTenants, lockOutboxBatch, markOutboxRowFailed, schemasWithOutboxRows, type OutboxRow,
} from './outbox-repository.js';
import { outboxEvents } from './outbox.js';
import { UnknownQueueError, type JobQueue } from './queue.js';
import { inTenantAsSystem } from './tenant-entry.js';

const BATCH = 100;
/** Every this many sweeps (and the first), visit every tenant rather than only those the statistics name. */
const FULL_SWEEP_EVERY = 30;

/**
 * Moves committed outbox rows into the job queue: at once for rows this process wrote (on commit), and by a sweep
 * for the rest (rows of a crashed process, or of another process without workers). The sweep visits the tenants
 * whose outbox the statistics say has rows, and on start and every 30th round every active tenant.
 * Each row becomes a job whose id is the row's id, sent before the row is deleted: a crash in between sends it
 * again on the next round, and pg-boss ignores a job id it already has. So every row becomes exactly one job.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private sweeps = 0;
  private sweeping: Promise<void> | undefined;
  private readonly pending = new Map<string, Promise<number>>();
  private readonly onWritten = (tenantId: string) => void this.relayTenant(tenantId).catch((error: unknown) =>
    this.deps.log.warn({ err: error, tenant_id: tenantId }, 'outbox relay failed; the sweep retries'));

  constructor(private readonly deps: AppDeps, private readonly queue: JobQueue) {}

  /** Relays on commit in this process; with a sweep interval, also sweeps every tenant that often. */
  start(sweepIntervalMs?: number): void {
    outboxEvents.on('written', this.onWritten);
    if (sweepIntervalMs) {
      this.timer = setInterval(() => void this.sweep(), sweepIntervalMs);
      this.timer.unref();
      void this.sweep();
    }
  }

  async stop(): Promise<void> {
    outboxEvents.off('written', this.onWritten);
    clearInterval(this.timer);
    await this.sweeping;
    await Promise.allSettled(this.pending.values());
  }

  /** One pass over every active tenant; a pass still running is joined, not doubled. */
  sweep(): Promise<void> {
    this.sweeping ??= this.sweepOnce().finally(() => { this.sweeping = undefined; });
    return this.sweeping;
  }

  private async sweepOnce(): Promise<void> {
    const full = this.sweeps % FULL_SWEEP_EVERY === 0;
    this.sweeps += 1;
    try {
      const { tenants, pending } = await inPlatformScope(this.deps.db, null, async (tx) => ({
        tenants: await listActiveTenants(tx), pending: full ? undefined : await schemasWithOutboxRows(tx),
      }));
      for (const tenant of tenants) {
        if (!pending || pending.has(tenant.schema_name)) await this.relayTenant(tenant.tenant_id);
      }
    } catch (error) {
      this.deps.log.warn({ err: error }, 'outbox sweep failed; retrying on the next round');
    }
  }

  /** Relays one tenant's waiting rows; returns how many were moved. Concurrent calls for a tenant share one run. */
  relayTenant(tenantId: string): Promise<number> {
    let run = this.pending.get(tenantId);
    if (!run) {
      run = this.relayAll(tenantId).finally(() => this.pending.delete(tenantId));
      this.pending.set(tenantId, run);
    }
    return run;
  }

  /** false: the row can never become a job (logged); database trouble is thrown, so the batch is retried. */
  private async send(tenantId: string, row: OutboxRow): Promise<boolean> {
    try {
      await this.queue.send(row.queue, tenantId, row.payload, {
        id: row.outbox_id, singletonKey: row.singleton_key ?? undefined, userId: row.created_by,
      });
      return true;
    } catch (error) {
      if (!(error instanceof UnknownQueueError || error instanceof ValidationError)) throw error;
      this.deps.log.error({ err: error, outbox_id: row.outbox_id, queue: row.queue, tenant_id: tenantId }, 'outbox row set aside: it cannot become a job');
      return false;
    }
  }

  private async relayAll(tenantId: string): Promise<number> {
    const tenant = await this.deps.tenants.byId(tenantId);
    if (!tenant) return 0;
    let moved = 0;
    for (;;) {
      const count = await inTenantAsSystem(this.deps, tenant, 'outbox', async ({ tx }) => {
        const rows = await lockOutboxBatch(tx, BATCH);
        const sent: string[] = [];
        for (const row of rows) {
          if (await this.send(tenantId, row)) sent.push(row.outbox_id);
          else await markOutboxRowFailed(tx, row.outbox_id, `cannot become a job: ${row.queue}`);
        }
        await deleteOutboxRows(tx, sent);
        return rows.length;
      });
      moved += count;
      if (count < BATCH) return moved;
    }
  }
}
