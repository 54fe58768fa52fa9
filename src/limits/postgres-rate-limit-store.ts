import type { Knex } from 'knex';
import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit';
import { decrementCounter, deleteCounters, deleteExpiredCounters, incrementCounter, readCounter } from './counter-repository.js';

/** A limiter's limit for a key, when the store may lease hits ahead (undefined: count every hit in the database). */
export type LimitOf = (key: string) => number | undefined;

/** About how long a lease should last under steady load: one counter update per process per this many ms. */
const LEASE_TARGET_MS = 200;
const MAX_LEASE = 1000;
/** A lease takes at most this share of what the window has left, so the processes leave each other room. */
const LEASE_SHARE_OF_REMAINING = 1 / 16;
/**
 * A lease is at least this share of the limit (while the window has room for it): a quiet tenant, seen every few
 * seconds, would otherwise lease one hit per request, a counter update on every request.
 */
const LEASE_FLOOR_SHARE_OF_LIMIT = 1 / 100;

/** Hits this process has counted in the database but not served yet, numbered next..next+tokens-1 in the window. */
interface Lease {
  tokens: number;
  next: number;
  size: number;
  leasedAt: number;
  resetTime: Date;
  /** The last count the database answered: how much of the window is left. */
  knownHits: number;
  pending?: Promise<void>;
}

/**
 * An express-rate-limit store whose counters live in PostgreSQL (shared.rate_limit_counters), so every app
 * process sharing the database sees the same counts. Any limiter can use it with a prefix of its own (`tenant:`,
 * `login-ip:`, ...).
 *
 * Without `limitOf`, every hit is one statement (the sign-in throttles: small limits, exact). With it, a busy key
 * leases blocks of hits: one statement adds a block to the shared count and the process serves that many requests
 * from memory, sized for about LEASE_TARGET_MS of its own traffic (at most 1/16 of what the window has left, at
 * most 1,000), and at least 1% of the limit, so that a quiet tenant does not update its counter on every request.
 * The shared count is thus always at least what was served: the limit is never exceeded, across any number of
 * processes. The price: hits leased and unused when the window ends were counted, so a tenant at its limit may be
 * refused up to one lease per process early (about 200 ms of that process's traffic or 1% of the limit, whichever
 * is more, and at most 1/16 of what was left when it leased); near the limit leases shrink to one hit, which is
 * exact.
 */
export class PostgresRateLimitStore implements Store {
  readonly localKeys = false;
  private windowMs = 60_000;
  private sweeper: NodeJS.Timeout | undefined;
  private readonly leases = new Map<string, Lease>();

  constructor(private readonly db: Knex, readonly prefix: string, private readonly limitOf?: LimitOf) {}

  init(options: Options): void {
    this.windowMs = options.windowMs;
    this.sweeper = setInterval(() => {
      this.dropEndedLeases();
      void deleteExpiredCounters(this.db).catch(() => undefined);
    }, Math.max(this.windowMs, 60_000) * 5);
    this.sweeper.unref();
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    const limit = this.limitOf?.(key);
    if (limit === undefined) {
      const row = await incrementCounter(this.db, this.prefix + key, this.windowMs);
      return { totalHits: row.hits, resetTime: row.reset_at };
    }
    for (;;) {
      const lease = this.leases.get(key);
      if (lease && lease.tokens > 0 && lease.resetTime.getTime() > Date.now()) {
        lease.tokens -= 1;
        return { totalHits: lease.next++, resetTime: lease.resetTime };
      }
      // One lease at a time per key and process: requests arriving meanwhile wait for it and share it.
      if (lease?.pending) {
        await lease.pending;
        continue;
      }
      return this.lease(key, limit, lease);
    }
  }

  /** Counts a new block in the database; this request takes its first hit (over the limit: the refusal). */
  private async lease(key: string, limit: number, previous: Lease | undefined): Promise<ClientRateLimitInfo> {
    const size = this.leaseSize(limit, previous);
    const entry: Lease = previous ?? { tokens: 0, next: 0, size, leasedAt: 0, resetTime: new Date(0), knownHits: 0 };
    this.leases.set(key, entry);
    let done!: () => void;
    entry.pending = new Promise((resolve) => { done = resolve; });
    try {
      const row = await incrementCounter(this.db, this.prefix + key, this.windowMs, size);
      const first = row.hits - size + 1;
      // Hits past the limit are refusals: only the ones within it are kept to serve.
      const usable = Math.max(0, Math.min(size, limit - first + 1));
      Object.assign(entry, { tokens: Math.max(0, usable - 1), next: first + 1, size, leasedAt: Date.now(),
        resetTime: row.reset_at, knownHits: row.hits });
      return { totalHits: first, resetTime: row.reset_at };
    } catch (error) {
      this.leases.delete(key);
      throw error;
    } finally {
      entry.pending = undefined;
      done();
    }
  }

  /**
   * About LEASE_TARGET_MS of traffic (growing at most twofold), but at least 1% of the limit; never more than 1/16
   * of what the window has left, nor MAX_LEASE. A window's first lease is the floor.
   */
  private leaseSize(limit: number, previous: Lease | undefined): number {
    const now = Date.now();
    const floor = Math.ceil(limit * LEASE_FLOOR_SHARE_OF_LIMIT);
    const current = previous !== undefined && previous.resetTime.getTime() > now;
    const room = Math.floor((limit - (current ? previous.knownHits : 0)) * LEASE_SHARE_OF_REMAINING);
    let paced = 1;
    if (current) {
      const elapsed = Math.max(1, now - previous.leasedAt);
      paced = Math.min(Math.ceil(previous.size * LEASE_TARGET_MS / elapsed), previous.size * 2);
    }
    return Math.max(1, Math.min(Math.max(paced, floor), MAX_LEASE, room));
  }

  private dropEndedLeases(): void {
    const now = Date.now();
    for (const [key, lease] of this.leases) if (!lease.pending && lease.resetTime.getTime() <= now) this.leases.delete(key);
  }

  async get(key: string): Promise<ClientRateLimitInfo | undefined> {
    const row = await readCounter(this.db, this.prefix + key);
    return row && { totalHits: row.hits, resetTime: row.reset_at };
  }

  async decrement(key: string): Promise<void> {
    await decrementCounter(this.db, this.prefix + key);
  }

  async resetKey(key: string): Promise<void> {
    this.leases.delete(key);
    await deleteCounters(this.db, this.prefix, key);
  }

  async resetAll(): Promise<void> {
    this.leases.clear();
    await deleteCounters(this.db, this.prefix);
  }

  shutdown(): void {
    clearInterval(this.sweeper);
  }
}
