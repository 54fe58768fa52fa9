import type { AppDeps } from '../deps.js';
import { scheduleDailyTenantJobs } from './daily.js';
import { OutboxRelay } from './relay.js';
import { JobWorkers } from './workers.js';

export interface RunningJobs {
  stop(): Promise<void>;
}

/**
 * Starts the job machinery of this process. Every process relays the outbox rows it commits; with `workers`
 * it also runs the jobs and sweeps every tenant's outbox for rows left behind (by a crash, or by a web-only
 * process whose relay could not reach the queue); with `daily` too (servers and workers, not tests) it starts each
 * business day's tenant-wide runs (src/jobs/daily.ts).
 */
export async function startJobs(deps: AppDeps, options: { workers: boolean; daily?: boolean }): Promise<RunningJobs> {
  const settings = deps.config.jobs;
  await deps.jobs.start();
  const relay = new OutboxRelay(deps, deps.jobs);
  relay.start(options.workers ? settings.outboxSweepIntervalMs : undefined);
  const workers = options.workers ? new JobWorkers(deps, deps.jobs, settings.pollIntervalMs, settings.concurrency) : undefined;
  workers?.start();
  const daily = options.workers && options.daily ? scheduleDailyTenantJobs(deps) : undefined;
  return {
    async stop() {
      daily?.stop();
      await workers?.stop();
      await relay.stop();
      await deps.jobs.stop();
    },
  };
}
