import argon2 from 'argon2';
import type { Config } from '../config.js';
import { HashGate } from './hash-gate.js';

/** Queue key for hashing that is not a sign-in (user creation, password changes, onboarding). */
const INTERNAL = 'internal';

/** argon2id with the configured cost (lowered only in tests), never more than the gate's bound at once. */
export class PasswordHasher {
  private dummyHash: Promise<string> | undefined;
  readonly gate: HashGate;

  constructor(private readonly cost: Config['argon2'], limits: Config['hashing']) {
    this.gate = new HashGate({ concurrency: limits.maxConcurrent, maxWaitMs: limits.maxWaitMs, maxQueued: limits.maxQueued });
  }

  hash(password: string, queueKey = INTERNAL): Promise<string> {
    return this.gate.run(queueKey, () => argon2.hash(password, { type: argon2.argon2id, ...this.cost }));
  }

  /** `queueKey` groups the work for the gate's fair turns: a sign-in passes its client address. */
  async verify(hash: string, password: string, queueKey = INTERNAL): Promise<boolean> {
    return this.gate.run(queueKey, async () => {
      try {
        return await argon2.verify(hash, password);
      } catch {
        return false;
      }
    });
  }

  /** Spends the same time as a real check, so an unknown user answers like a wrong password. */
  async verifyAgainstNothing(password: string, queueKey = INTERNAL): Promise<false> {
    this.dummyHash ??= argon2.hash('agent-mitra-timing-equaliser', { type: argon2.argon2id, ...this.cost });
    await this.verify(await this.dummyHash, password, queueKey);
    return false;
  }
}
