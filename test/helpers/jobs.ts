import type { Config } from '../../src/config.js';
import type { AppDeps } from '../../src/deps.js';
import type { JobDefinition } from '../../src/jobs/definition.js';
import { installJobQueue } from '../../src/jobs/install.js';
import { JobQueue } from '../../src/jobs/queue.js';
import { startJobs, type RunningJobs } from '../../src/jobs/runtime.js';
import { testDeps } from './context.js';

/** Fast polling and sweeping, so job tests take seconds. */
const FAST_JOBS: Config['jobs'] = { poolMax: 4, concurrency: 2, pollIntervalMs: 500, outboxSweepIntervalMs: 300 };

/** Creates the test queues as the owner, as boot does for the app's own. */
export async function installTestQueues(definitions: JobDefinition[]): Promise<void> {
  await installJobQueue(testDeps().db.ownerUrl, definitions, () => undefined);
}

export interface JobProcess {
  readonly deps: AppDeps;
  readonly running: RunningJobs | undefined;
  stop(): Promise<void>;
}

/**
 * What one app process would have: the shared database and registry, a job queue of its own with these
 * definitions, and (with `workers`) the workers and the outbox sweep. `started: false` gives a process that
 * only queues (its relay is not running), to stand for one that crashed after committing. `deps` replaces some of the
 * process's dependencies (a fake document extractor).
 */
export async function jobProcess(definitions: JobDefinition[], options: { workers: boolean; started?: boolean; deps?: Partial<AppDeps> })
  : Promise<JobProcess> {
  const base = { ...testDeps(), ...options.deps };
  const config: Config = { ...base.config, jobs: FAST_JOBS };
  const deps: AppDeps = { ...base, config, jobs: new JobQueue(base.db.appUrl, definitions, FAST_JOBS.poolMax, base.log) };
  const running = options.started === false ? undefined : await startJobs(deps, { workers: options.workers });
  return {
    deps,
    running,
    async stop() {
      if (running) await running.stop();
      else await deps.jobs.stop();
    },
  };
}

export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 15_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
