import argon2 from 'argon2';
import type { Config } from '../config.js';
import { deriveKey } from '../crypto/aead.js';
import { HashGate } from './hash-gate.js';

/** Queue key for hashing that is not a sign-in (user creation, password changes, onboarding). */
const INTERNAL = 'internal';

/**
 * ASVS V2.4.5: every new hash is keyed with a pepper, argon2's `secret`, derived from the master key (never stored
 * with the hashes, so a stolen users table alone cannot be attacked offline). A peppered hash says so and names the
 * pepper's version ahead of the PHC string (`pepper-v1:$argon2id$...`); a hash without the mark is an older one,
 * which still verifies without the pepper and is rehashed with it at the user's next successful sign-in.
 */
const PEPPER_MARK = 'pepper-v1:';

/** argon2id with the configured cost (lowered only in tests), never more than the gate's bound at once. */
export class PasswordHasher {
  private dummyHash: Promise<string> | undefined;
  private readonly pepper: Buffer;
  readonly gate: HashGate;

  constructor(private readonly cost: Config['argon2'], limits: Config['hashing'], masterKey: Buffer) {
    this.gate = new HashGate({ concurrency: limits.maxConcurrent, maxWaitMs: limits.maxWaitMs, maxQueued: limits.maxQueued });
    this.pepper = deriveKey(masterKey, 'password-pepper');
  }

  hash(password: string, queueKey = INTERNAL): Promise<string> {
    return this.gate.run(queueKey, async () => PEPPER_MARK + await argon2.hash(password, { type: argon2.argon2id, ...this.cost, secret: this.pepper }));
  }

  /** `queueKey` groups the work for the gate's fair turns: a sign-in passes its client address. */
  async verify(hash: string, password: string, queueKey = INTERNAL): Promise<boolean> {
    const peppered = hash.startsWith(PEPPER_MARK);
    return this.gate.run(queueKey, async () => {
      try {
        return peppered
          ? await argon2.verify(hash.slice(PEPPER_MARK.length), password, { secret: this.pepper })
          : await argon2.verify(hash, password);
      } catch {
        return false;
      }
    });
  }

  /** A hash made without the pepper (before it existed) or at another cost: worth replacing once the password is known. */
  needsRehash(hash: string): boolean {
    if (!hash.startsWith(PEPPER_MARK)) return true;
    try {
      return argon2.needsRehash(hash.slice(PEPPER_MARK.length), { ...this.cost });
    } catch {
      return true;
    }
  }

  /** Spends the same time as a real check, so an unknown user answers like a wrong password. */
  async verifyAgainstNothing(password: string, queueKey = INTERNAL): Promise<false> {
    this.dummyHash ??= argon2.hash('agent-mitra-timing-equaliser', { type: argon2.argon2id, ...this.cost, secret: this.pepper })
      .then((hash) => PEPPER_MARK + hash);
    await this.verify(await this.dummyHash, password, queueKey);
    return false;
  }
}
