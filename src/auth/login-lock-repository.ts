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

/** A sign-in's password check: admitted, refused by a lock (seconds left), or waiting for one of the five in flight. */
export type CheckSlot = { readonly kind: 'admitted' } | { readonly kind: 'locked'; readonly seconds: number } | { readonly kind: 'busy' };

/**
 * A check in flight whose row has not changed for this long is taken for lost (its process died mid-check): it stops
 * holding one of the five places. A password check takes well under a second.
 */
const LOST_CHECK_SECONDS = 60;

/**
 * Admits a sign-in's password check while the identity is not locked and its failures and checks in flight together
 * are under five: no burst of concurrent guesses gets more than five checks, and only a failure (failCheck) counts
 * towards the lock, so concurrent sign-ins with the right password wait for a place instead of locking the account.
 * (No now() inside CASE: Citus refuses that in DML; a boolean cast to 0 or 1 drops the lost checks.)
 */
export async function startCheck(tx: Tx, identityHash: string): Promise<CheckSlot> {
  const live = `l.checking * (l.updated_at > now() - make_interval(secs => ${LOST_CHECK_SECONDS}))::int`;
  const { rows } = await tx.raw<{ rows: unknown[] }>(`
    INSERT INTO ${locks} AS l (identity_hash, checking) VALUES (:hash, 1)
    ON CONFLICT (identity_hash) DO UPDATE SET checking = ${live} + 1, updated_at = now()
      WHERE (l.locked_until IS NULL OR l.locked_until <= now()) AND l.failures + ${live} < :max
    RETURNING 1`, { hash: identityHash, max: MAX_FAILED_LOGINS });
  if (rows.length === 1) return { kind: 'admitted' };
  const seconds = await lockSecondsLeft(tx, identityHash);
  return seconds === undefined ? { kind: 'busy' } : { kind: 'locked', seconds };
}

/**
 * A check that failed: one more failure in a row, one check fewer in flight; the fifth failure locks the identity for
 * LOCK_MINUTES. Answers the seconds of the lock this failure placed, else undefined.
 */
export async function failCheck(tx: Tx, identityHash: string): Promise<number | undefined> {
  await tx.raw(`
    INSERT INTO ${locks} AS l (identity_hash, failures) VALUES (:hash, 1)
    ON CONFLICT (identity_hash) DO UPDATE SET failures = l.failures + 1, checking = greatest(l.checking - 1, 0), updated_at = now()`,
  { hash: identityHash });
  const { rows } = await tx.raw<{ rows: { seconds: number }[] }>(`
    UPDATE ${locks} SET failures = 0, checking = 0, locked_until = now() + make_interval(mins => :minutes), updated_at = now()
    WHERE identity_hash = :hash AND failures >= :max AND (locked_until IS NULL OR locked_until <= now())
    RETURNING ceil(extract(epoch FROM locked_until - now()))::int AS seconds`,
  { hash: identityHash, max: MAX_FAILED_LOGINS, minutes: LOCK_MINUTES });
  return rows[0]?.seconds;
}

/** A check that ended without a verdict on the password (an error, a suspended tenant): its place is free again. */
export async function releaseCheck(tx: Tx, identityHash: string): Promise<void> {
  await tx(locks).where({ identity_hash: identityHash }).update({ checking: tx.raw('greatest(checking - 1, 0)') });
}
