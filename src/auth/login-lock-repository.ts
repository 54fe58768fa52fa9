import type { Tx } from '../db/scope.js';

// Sign-in failures per identity (see migrations/shared/1733000400000_login_locks.ts), known account or not.

export const MAX_FAILED_LOGINS = 5;
export const LOCK_MINUTES = 15;

const locks = 'shared.login_locks';

/**
 * Takes one of the identity's attempts before its password is checked, in one atomic statement: the fifth in a row
 * locks it at once, so no burst of concurrent guesses gets more than five checks per lock window. False when the
 * identity is locked. (No now() inside CASE: Citus refuses that in DML; an unlocked row's lock ends "now".)
 */
export async function reserveAttempt(tx: Tx, identityHash: string): Promise<boolean> {
  const { rows } = await tx.raw<{ rows: unknown[] }>(`
    INSERT INTO ${locks} AS l (identity_hash, failures) VALUES (:hash, 1)
    ON CONFLICT (identity_hash) DO UPDATE
      SET failures = CASE WHEN l.failures + 1 >= :max THEN 0 ELSE l.failures + 1 END,
          locked_until = now() + make_interval(mins => CASE WHEN l.failures + 1 >= :max THEN :minutes ELSE 0 END),
          updated_at = now()
      WHERE l.locked_until IS NULL OR l.locked_until <= now()
    RETURNING 1`, { hash: identityHash, max: MAX_FAILED_LOGINS, minutes: LOCK_MINUTES });
  return rows.length === 1;
}

/** Seconds until the identity's lock ends, by the database's clock; undefined when it is not locked. */
export async function lockSecondsLeft(tx: Tx, identityHash: string): Promise<number | undefined> {
  const row = await tx(locks).where({ identity_hash: identityHash }).where('locked_until', '>', tx.fn.now())
    .first(tx.raw('ceil(extract(epoch FROM locked_until - now()))::int AS seconds'));
  return row?.seconds;
}

/** A success (or a new password) clears the count and any lock of these identities. */
export async function clearAttempts(tx: Tx, identityHashes: readonly string[]): Promise<void> {
  if (identityHashes.length) await tx(locks).whereIn('identity_hash', identityHashes).delete();
}
