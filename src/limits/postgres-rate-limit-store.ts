import type { Knex } from 'knex';
import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit';
import { decrementCounter, deleteCounters, deleteExpiredCounters, incrementCounter, readCounter } from './counter-repository.js';

/**
 * An express-rate-limit store whose counters live in PostgreSQL (shared.rate_limit_counters), so every app
 * process sharing the database sees the same counts. One statement per request. Any limiter can use it with a
 * prefix of its own (`tenant:`, `login-ip:`, ...).
 */
export class PostgresRateLimitStore implements Store {
  readonly localKeys = false;
  private windowMs = 60_000;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly db: Knex, readonly prefix: string) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
    this.sweeper = setInterval(() => void deleteExpiredCounters(this.db).catch(() => undefined), Math.max(this.windowMs, 60_000) * 5);
    this.sweeper.unref();
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    const row = await incrementCounter(this.db, this.prefix + key, this.windowMs);
    return { totalHits: row.hits, resetTime: row.reset_at };
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const row = await readCounter(this.db, this.prefix + key);
    return row && { totalHits: row.hits, resetTime: row.reset_at };
  }

  async decrement(key: string): Promise<void> {
    await decrementCounter(this.db, this.prefix + key);
  }

  async resetKey(key: string): Promise<void> {
    await deleteCounters(this.db, this.prefix, key);
  }

  async resetAll(): Promise<void> {
    await deleteCounters(this.db, this.prefix);
  }

  shutdown(): void {
    clearInterval(this.sweeper);
  }
}
