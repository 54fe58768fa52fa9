import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { AppDeps } from '../deps.js';
import type { JobOutcome } from '../jobs/workers.js';

/** The shape of tarn's pool under Knex (not in Knex's types). */
interface TarnPool {
  numUsed(): number;
  numFree(): number;
  numPendingAcquires(): number;
  numPendingCreates(): number;
}

const DEPTH_TIMEOUT_MS = 1000;

/**
 * Database pool and job queue metrics: connections in use, idle and waited for (the runtime pool and the queue's
 * own), jobs by queue and state, and each job run's outcome and duration.
 */
export function registerRuntimeMetrics(registry: Registry, deps: AppDeps): void {
  const registers = [registry];
  new Gauge({
    name: 'db_pool_connections', help: 'Connections of the runtime pools by state (in_use, idle, waiting: callers waiting for one)',
    labelNames: ['pool', 'state'] as const, registers,
    collect() {
      const app = (deps.db.app.client as { pool?: TarnPool }).pool;
      if (app) {
        this.set({ pool: 'app', state: 'in_use' }, app.numUsed());
        this.set({ pool: 'app', state: 'idle' }, app.numFree());
        this.set({ pool: 'app', state: 'waiting' }, app.numPendingAcquires() + app.numPendingCreates());
      }
      const jobs = deps.jobs.pool;
      this.set({ pool: 'jobs', state: 'in_use' }, jobs.totalCount - jobs.idleCount);
      this.set({ pool: 'jobs', state: 'idle' }, jobs.idleCount);
      this.set({ pool: 'jobs', state: 'waiting' }, jobs.waitingCount);
    },
  });
  new Gauge({
    name: 'job_queue_jobs', help: 'Jobs in the queue by queue and state (created, retry, active, completed, failed, cancelled)',
    labelNames: ['queue', 'state'] as const, registers,
    async collect() {
      const depth = await Promise.race([
        deps.jobs.depth(),
        new Promise<undefined>((resolve) => setTimeout(resolve, DEPTH_TIMEOUT_MS)),
      ]).catch(() => undefined);
      // Unknown while the database is away: report nothing rather than stale numbers.
      this.reset();
      for (const row of depth ?? []) this.set({ queue: row.queue, state: row.state }, row.jobs);
    },
  });
  const runs = new Counter({
    name: 'job_runs_total', help: 'Job runs by queue and outcome (completed, failed: retried or given up, skipped)',
    labelNames: ['queue', 'outcome'] as const, registers,
  });
  const duration = new Histogram({
    name: 'job_run_duration_seconds', help: 'Time a job run took', labelNames: ['queue'] as const, registers,
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900],
  });
  deps.jobs.events.on('outcome', (outcome: JobOutcome) => {
    runs.inc({ queue: outcome.queue, outcome: outcome.outcome });
    duration.observe({ queue: outcome.queue }, outcome.seconds);
  });
}
