import type { AppDeps } from '../deps.js';
import { RETENTION_QUEUE } from '../data-protection/retention-job.js';
import { inPlatformScope } from '../db/scope.js';
import { lapseOverduePolicies, activeTenants, type TenantLapse } from '../policies/lapse-job.js';
import { businessToday, type IsoDate } from '../policies/calendar.js';
import { runAsSystem } from '../scope/run.js';
import { enqueueInTransaction } from './outbox.js';

// Once a business day, for every active tenant: the lapse run, and the retention purge queued as a durable job
// (each tenant's purge retried on its own). The day is claimed in shared.daily_runs, so however many processes
// tick, and however often they restart, each day runs once.

export interface DailyReport {
  readonly run_date: IsoDate;
  readonly lapse: readonly TenantLapse[];
  readonly retention_purges_queued: number;
}

const TICK_MS = 15 * 60_000;

/** One purge per tenant and day (a queue's singleton keys span its tenants). */
export const retentionPurgeKey = (tenantId: string, day: IsoDate) => `retention-purge:${tenantId}:${day}`;

/** Runs the day's tenant-wide work unless another process already claimed the day; undefined when it had. */
export async function runDailyTenantJobs(deps: Pick<AppDeps, 'db' | 'log'>, day: IsoDate = businessToday()): Promise<DailyReport | undefined> {
  const claimed = await inPlatformScope(deps.db, null, async (tx) => (await tx.raw(
    'INSERT INTO shared.daily_runs (run_date) VALUES (?) ON CONFLICT DO NOTHING RETURNING run_date', [day])).rows.length > 0);
  if (!claimed) return undefined;
  const lapse = await lapseOverduePolicies(deps, day);
  let queued = 0;
  for (const tenant of await activeTenants(deps.db)) {
    try {
      await runAsSystem(deps, tenant, 'retention-schedule', ({ tx }) =>
        enqueueInTransaction(tx, RETENTION_QUEUE, {}, { singletonKey: retentionPurgeKey(tenant.tenant_id, day) }));
      queued += 1;
    } catch (error) {
      deps.log.error({ err: error, tenant: tenant.tenant_code }, 'retention purge not queued for a tenant');
    }
  }
  const report: DailyReport = { run_date: day, lapse, retention_purges_queued: queued };
  await inPlatformScope(deps.db, null, (tx) => tx('shared.daily_runs').where({ run_date: day }).update({ report: JSON.stringify(report) }));
  deps.log.info({ daily: report }, 'daily tenant jobs done');
  return report;
}

/** Ticks every 15 minutes (and shortly after start) in a worker process; a failed tick is logged and retried later. */
export function scheduleDailyTenantJobs(deps: Pick<AppDeps, 'db' | 'log'>): { stop(): void } {
  const tick = () => {
    runDailyTenantJobs(deps).catch((error: unknown) => deps.log.error({ err: error }, 'daily tenant jobs failed'));
  };
  const first = setTimeout(tick, 60_000);
  const every = setInterval(tick, TICK_MS);
  first.unref();
  every.unref();
  return {
    stop() {
      clearTimeout(first);
      clearInterval(every);
    },
  };
}
