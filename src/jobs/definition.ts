import type { Logger } from 'pino';
import type { z } from 'zod';
import type { AppDeps } from '../deps.js';
import type { Scope } from '../scope/run.js';
import type { TenantRecord } from '../tenants/repository.js';

// A job is a queue name, a zod schema for its payload and a handler that runs for one tenant. Modules define their
// jobs with defineJob and list them in src/job-handlers.ts, as endpoints are listed in src/endpoints.ts.

export interface JobContext<D> {
  readonly data: D;
  readonly jobId: string;
  /** 0 on the first run, then 1, 2, ... on retries. */
  readonly attempt: number;
  readonly tenant: TenantRecord;
  readonly deps: AppDeps;
  /** Carries tenant, job id and queue on every line. */
  readonly log: Logger;
  /** Aborted when the job runs past its expiry or the process shuts down: stop between batches. */
  readonly signal: AbortSignal;
  /**
   * One transaction in the tenant's scope as the system actor (`{ tx, actor, log }`, as a request's handler gets).
   * Call it as often as the job needs (once per batch for long work), so a retry resumes after the last committed batch.
   */
  inTenant<T>(work: (scope: Scope) => Promise<T>): Promise<T>;
}

export type QueuePolicy = 'standard' | 'singleton' | 'stately';

export interface JobDefinition<S extends z.ZodType = z.ZodType> {
  /** The queue's name, `<module>.<job>` (e.g. `policies.lapse`). */
  readonly queue: string;
  readonly payload: S;
  /** Retries after the first failure (default 5). */
  readonly retryLimit?: number;
  /** Seconds before the first retry, doubled for each further one (default 10). */
  readonly retryDelaySeconds?: number;
  /** A run taking longer is aborted and retried (default 15 minutes). */
  readonly expireInSeconds?: number;
  /**
   * standard: any number at once; singleton: one active job per singleton key; stately: besides, at most one
   * queued per key. A job id never runs twice at once under any policy.
   */
  readonly policy?: QueuePolicy;
  /** Jobs of this queue one process runs at once (default JOBS_CONCURRENCY). */
  readonly concurrency?: number;
  run(ctx: JobContext<z.infer<S>>): Promise<unknown>;
}

export function defineJob<S extends z.ZodType>(definition: JobDefinition<S>): JobDefinition {
  return definition as unknown as JobDefinition;
}

export const JOB_DEFAULTS = { retryLimit: 5, retryDelaySeconds: 10, expireInSeconds: 900, policy: 'standard' } as const;

/** The queue's schema, apart from tenant schemas; pg-boss's tables live here, on the coordinator under Citus. */
export const JOBS_SCHEMA = 'jobs';

/** What a queued job carries besides its payload: whom it runs for and where it came from (for the logs). */
export interface JobEnvelope {
  readonly tenant_id: string;
  readonly payload: unknown;
  readonly user_id?: string | null;
  readonly request_id?: string | null;
}
