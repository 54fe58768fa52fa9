import { ServiceUnavailableError } from '../errors.js';

// At most `concurrency` argon2 computations run at once (each takes its memory cost, 64 MiB by default, so memory
// for hashing stays below concurrency × that), the rest wait in a queue for at most `maxWaitMs`, then get a 503
// with Retry-After. The queue is fair between keys (a sign-in's client address): the next free slot goes to the
// next key in turn, so a burst from one address waits behind itself, not in front of everyone else.

export interface HashGateLimits {
  readonly concurrency: number;
  readonly maxWaitMs: number;
  /** Waiting jobs beyond this are refused at once. */
  readonly maxQueued: number;
}

interface Waiter {
  readonly admit: () => void;
  readonly timer: NodeJS.Timeout;
}

export class HashGate {
  private running = 0;
  private queued = 0;
  /** Waiters by key; Map order is the turn order (a served key moves to the back). */
  private readonly waiting = new Map<string, Waiter[]>();
  private highWater = 0;

  constructor(private readonly limits: HashGateLimits) {}

  /** The most computations that ever ran at once (for tests and metrics). */
  get peakConcurrency(): number {
    return this.highWater;
  }

  /** Jobs waiting for a slot right now. */
  get waitingJobs(): number {
    return this.queued;
  }

  async run<T>(key: string, job: () => Promise<T>): Promise<T> {
    await this.acquire(key);
    try {
      return await job();
    } finally {
      this.release();
    }
  }

  private acquire(key: string): Promise<void> {
    if (this.running < this.limits.concurrency && this.queued === 0) {
      this.start();
      return Promise.resolve();
    }
    if (this.queued >= this.limits.maxQueued) return Promise.reject(this.busy());
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        admit: resolve,
        timer: setTimeout(() => {
          this.remove(key, waiter);
          reject(this.busy());
        }, this.limits.maxWaitMs),
      };
      this.waiting.set(key, [...(this.waiting.get(key) ?? []), waiter]);
      this.queued += 1;
    });
  }

  private start(): void {
    this.running += 1;
    this.highWater = Math.max(this.highWater, this.running);
  }

  private release(): void {
    this.running -= 1;
    const next = this.nextInTurn();
    if (!next) return;
    clearTimeout(next.timer);
    this.start();
    next.admit();
  }

  private nextInTurn(): Waiter | undefined {
    for (const [key, queue] of this.waiting) {
      const [first, ...rest] = queue;
      this.waiting.delete(key);
      if (rest.length) this.waiting.set(key, rest);
      this.queued -= 1;
      return first;
    }
    return undefined;
  }

  private remove(key: string, waiter: Waiter): void {
    const queue = (this.waiting.get(key) ?? []).filter((item) => item !== waiter);
    if (queue.length) this.waiting.set(key, queue);
    else this.waiting.delete(key);
    this.queued -= 1;
  }

  private busy(): ServiceUnavailableError {
    return new ServiceUnavailableError('Too many sign-ins are being checked right now; try again shortly.',
      Math.max(1, Math.ceil(this.limits.maxWaitMs / 1000)));
  }
}
