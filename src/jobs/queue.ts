import { EventEmitter } from 'node:events';
import pg from 'pg';
import PgBoss from 'pg-boss';
import type { Logger } from 'pino';
import { connectionConfig } from '../db/credentials.js';
import { ValidationError } from '../errors.js';
import { currentLogContext } from '../log-context.js';
import { JOBS_SCHEMA, type JobDefinition, type JobEnvelope } from './definition.js';

/** A job that can never run: no handler is registered for its queue. */
export class UnknownQueueError extends Error {}

export interface SendOptions {
  /** A stable id makes sending idempotent: a second send with the same id is ignored (the outbox relies on it). */
  readonly id?: string;
  readonly singletonKey?: string;
  readonly startAfterSeconds?: number;
  readonly userId?: string | null;
}

export interface QueueDepth {
  readonly queue: string;
  readonly state: string;
  readonly jobs: number;
}

/**
 * The job queue as the app sees it: pg-boss on the runtime role (no DDL: installJobQueue did that as the owner)
 * with a small pool of its own, so polling workers never take connections that requests wait for.
 */
export class JobQueue {
  readonly pool: pg.Pool;
  readonly boss: PgBoss;
  private readonly definitions: Map<string, JobDefinition>;
  /** `sent` (queue name) when this process queued a job, so its own idle workers wake at once. */
  readonly events = new EventEmitter();
  private started = false;

  constructor(appUrl: string, definitions: readonly JobDefinition[], poolMax: number, private readonly log: Logger,
    password?: () => Promise<string>) {
    this.definitions = new Map(definitions.map((definition) => [definition.queue, definition]));
    // A password file's password is read at each new connection, like the request pools'.
    this.pool = new pg.Pool({ ...connectionConfig(appUrl, password), max: poolMax, application_name: 'agent-mitra-jobs', idleTimeoutMillis: 30_000 });
    // An idle connection dropped by the server (restart, fail-over): the pool replaces it on next use.
    // (The message and code only: pg hangs the whole client object on the error.)
    this.pool.on('error', (error: Error & { code?: string }) =>
      this.log.warn({ error: error.message, code: error.code }, 'job queue: an idle connection failed'));
    this.boss = new PgBoss({
      db: { executeSql: (text, values) => this.pool.query(text, values) },
      schema: JOBS_SCHEMA,
      migrate: false,
      supervise: true,
      schedule: false,
      maintenanceIntervalSeconds: 60,
    });
    this.boss.on('error', (error: Error) => this.log.warn({ err: error }, 'job queue maintenance failed; retrying on the next round'));
  }

  definition(queue: string): JobDefinition | undefined {
    return this.definitions.get(queue);
  }

  get queues(): JobDefinition[] {
    return [...this.definitions.values()];
  }

  /** Checks the installed schema version (no DDL) and starts pg-boss's maintenance: expiry, retries, archiving. */
  async start(): Promise<void> {
    if (this.started) return;
    await this.boss.start();
    this.started = true;
  }

  /** Queues a job for a tenant; the payload is validated against its definition first. Returns the job id (null if the id was queued already). */
  async send(queue: string, tenantId: string, payload: unknown, options: SendOptions = {}): Promise<string | null> {
    const definition = this.definitions.get(queue);
    if (!definition) throw new UnknownQueueError(`No job handler is registered for queue ${queue}`);
    const parsed = definition.payload.safeParse(payload);
    if (!parsed.success) {
      throw new ValidationError(parsed.error.issues.map((issue) => ({ path: ['payload', ...issue.path].join('.'), message: issue.message })));
    }
    const envelope: JobEnvelope = {
      tenant_id: tenantId, payload: parsed.data, user_id: options.userId ?? null, request_id: currentLogContext().request_id ?? null,
    };
    const id = await this.boss.send(queue, envelope as object, {
      ...(options.id ? { id: options.id } : {}),
      ...(options.singletonKey ? { singletonKey: options.singletonKey } : {}),
      ...(options.startAfterSeconds ? { startAfter: options.startAfterSeconds } : {}),
    });
    this.events.emit('sent', queue);
    return id;
  }

  /** Jobs by queue and state (created, retry, active, failed, ...), for /metrics. */
  async depth(): Promise<QueueDepth[]> {
    const { rows } = await this.pool.query<{ queue: string; state: string; jobs: number }>(
      `SELECT name AS queue, state::text AS state, count(*)::int AS jobs FROM ${JOBS_SCHEMA}.job GROUP BY 1, 2`);
    return rows;
  }

  async stop(): Promise<void> {
    if (this.started) await this.boss.stop({ graceful: false, close: false });
    this.started = false;
    await this.pool.end();
  }
}
