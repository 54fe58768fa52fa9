import type PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import type { AppDeps } from '../deps.js';
import { annotateLogContext, withLogContext, type LogContext } from '../log-context.js';
import { JOB_DEFAULTS, type JobDefinition, type JobEnvelope } from './definition.js';
import type { JobQueue } from './queue.js';
import { RunLocks } from './run-locks.js';
import { inTenantAsSystem } from './tenant-entry.js';

export interface JobOutcome {
  readonly queue: string;
  readonly outcome: 'completed' | 'failed' | 'skipped';
  readonly seconds: number;
}

/**
 * Runs the registered jobs: per queue, `concurrency` loops that fetch one job, run it in the tenant's scope and
 * mark it completed or failed (pg-boss then retries with exponential backoff); each outcome is emitted on the
 * queue's events as `outcome`, for metrics. Database trouble never ends a
 * loop: it backs off and tries again, so the workers recover by themselves when the database is back.
 */
export class JobWorkers {
  private stopping = false;
  private readonly loops: Promise<void>[] = [];
  private readonly wakers = new Map<string, Set<() => void>>();
  private readonly locks: RunLocks;
  private readonly running = new Set<AbortController>();
  private lastTroubleLog = 0;

  constructor(private readonly deps: AppDeps, private readonly queue: JobQueue, private readonly pollIntervalMs: number,
    private readonly defaultConcurrency: number) {
    this.locks = new RunLocks(queue.pool);
    queue.events.on('sent', (name: string) => this.wake(name));
  }

  start(): void {
    for (const definition of this.queue.queues) {
      const concurrency = definition.concurrency ?? this.defaultConcurrency;
      for (let i = 0; i < concurrency; i += 1) this.loops.push(this.loop(definition));
    }
  }

  /** Stops fetching, aborts running jobs (they are retried later) and waits for the loops to end. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const controller of this.running) controller.abort(new Error('the worker is shutting down'));
    for (const wakers of this.wakers.values()) for (const wake of wakers) wake();
    await Promise.all(this.loops);
    await this.locks.close();
  }

  private async loop(definition: JobDefinition): Promise<void> {
    let backoffMs = 0;
    while (!this.stopping) {
      let jobs: PgBoss.JobWithMetadata<JobEnvelope>[];
      try {
        jobs = await this.queue.boss.fetch<JobEnvelope>(definition.queue, { batchSize: 1, includeMetadata: true });
        backoffMs = 0;
      } catch (error) {
        backoffMs = Math.min(Math.max(backoffMs * 2, 500), 5000);
        this.logTrouble(error, definition.queue);
        await this.sleep(definition.queue, backoffMs);
        continue;
      }
      const job = jobs[0];
      if (job) await this.runOne(definition, job);
      else await this.sleep(definition.queue, this.pollIntervalMs);
    }
  }

  private runOne(definition: JobDefinition, job: PgBoss.JobWithMetadata<JobEnvelope>): Promise<void> {
    const envelope = job.data;
    // Every line logged while the job runs carries its id, queue, tenant and the user and request that queued it.
    const context: LogContext = { job_id: job.id, queue: definition.queue, request_id: envelope.request_id ?? undefined,
      user_id: envelope.user_id ?? undefined };
    return withLogContext(context, () => this.runInContext(definition, job));
  }

  private async runInContext(definition: JobDefinition, job: PgBoss.JobWithMetadata<JobEnvelope>): Promise<void> {
    const started = process.hrtime.bigint();
    const log = this.deps.log;
    const report = (outcome: JobOutcome['outcome']) =>
      this.queue.events.emit('outcome', { queue: definition.queue, outcome, seconds: Number(process.hrtime.bigint() - started) / 1e9 });
    let locked = false;
    try {
      locked = await this.locks.tryAcquire(job.id);
      if (!locked) throw new Error('this job is still running elsewhere; retrying later');
      const tenant = await this.deps.tenants.current(job.data.tenant_id);
      if (!tenant || tenant.status !== 'active') {
        log.warn({ tenant_id: job.data.tenant_id }, 'job skipped: its tenant is gone or not active');
        await this.queue.boss.complete(definition.queue, job.id, { skipped: 'tenant not active' });
        report('skipped');
        return;
      }
      annotateLogContext({ tenant: tenant.tenant_code });
      const output = await this.runWithin(definition, job, tenant, log);
      await this.queue.boss.complete(definition.queue, job.id, isPlainObject(output) ? output : {});
      report('completed');
    } catch (error) {
      report('failed');
      log.warn({ err: error, attempt: job.retryCount }, 'job failed; pg-boss retries it with backoff until its retry limit');
      // If the database is away this fails too: the job then expires in the active state and is retried.
      await this.queue.boss.fail(definition.queue, job.id, { message: error instanceof Error ? error.message : String(error) })
        .catch((failError: unknown) => this.logTrouble(failError, definition.queue));
    } finally {
      if (locked) await this.locks.release(job.id);
    }
  }

  /** The handler under its expiry: past it, the run is aborted and failed, while the lock stays until it really ends. */
  private async runWithin(definition: JobDefinition, job: PgBoss.JobWithMetadata<JobEnvelope>,
    tenant: NonNullable<Awaited<ReturnType<AppDeps['tenants']['byId']>>>, log: Logger): Promise<unknown> {
    const controller = new AbortController();
    this.running.add(controller);
    const expiresInMs = (job.expireInSeconds || definition.expireInSeconds || JOB_DEFAULTS.expireInSeconds) * 1000;
    const timer = setTimeout(() => controller.abort(new Error(`the job ran past its expiry of ${expiresInMs / 1000} s`)), expiresInMs);
    const payload = definition.payload.parse(job.data.payload);
    const run = definition.run({
      data: payload, jobId: job.id, attempt: job.retryCount, tenant, deps: this.deps, log, signal: controller.signal,
      inTenant: (work) => inTenantAsSystem(this.deps, tenant, definition.queue, work),
    });
    const aborted = new Promise<never>((_, reject) => controller.signal.addEventListener('abort', () => reject(controller.signal.reason)));
    try {
      return await Promise.race([run, aborted]);
    } finally {
      clearTimeout(timer);
      this.running.delete(controller);
      // Keep the run lock until the handler has really stopped, even if it ignored the abort.
      await run.catch(() => undefined);
    }
  }

  private sleep(queue: string, ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const wakers = this.wakers.get(queue) ?? new Set();
      this.wakers.set(queue, wakers);
      const done = () => {
        clearTimeout(timer);
        wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      wakers.add(done);
    });
  }

  private wake(queue: string): void {
    for (const wake of this.wakers.get(queue) ?? []) wake();
  }

  /** At most one line per 10 s while the database is away: the loops keep trying quietly. */
  private logTrouble(error: unknown, queue: string): void {
    if (Date.now() - this.lastTroubleLog < 10_000) return;
    this.lastTroubleLog = Date.now();
    this.deps.log.warn({ err: error, queue }, 'job workers cannot reach the database; retrying');
  }
}

function isPlainObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
