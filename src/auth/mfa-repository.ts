import type { Tx } from '../db/scope.js';
import type { AccountKind } from './account-repository.js';

// The MFA columns of an account row (migrations/*/1733001400000_mfa_and_step_up.ts), for both kinds of account.

const ACCOUNTS = { tenant: 'users', platform: 'platform_users' } as const;

export interface MfaState {
  readonly user_id: string;
  readonly status: string;
  readonly label: string;
  readonly mfa_secret_sealed: string | null;
  readonly mfa_pending_secret_sealed: string | null;
  readonly mfa_enabled_at: Date | null;
  readonly mfa_last_time_step: string | null;
  readonly mfa_recovery_code_hashes: string[];
  readonly password_change_required: boolean;
}

/** The account's MFA state, its row locked: a code is checked and its time step recorded in one go. */
export async function findMfaState(tx: Tx, kind: AccountKind, userId: string): Promise<MfaState | undefined> {
  const label = kind === 'platform' ? 'email' : 'coalesce(email, username, phone_number)';
  return tx(ACCOUNTS[kind]).where({ user_id: userId }).forUpdate().first(
    'user_id', 'status', tx.raw(`${label} AS label`), 'mfa_secret_sealed', 'mfa_pending_secret_sealed', 'mfa_enabled_at',
    tx.raw('mfa_last_time_step::text AS mfa_last_time_step'), 'mfa_recovery_code_hashes', 'password_change_required');
}

export async function setPendingSecret(tx: Tx, kind: AccountKind, userId: string, sealed: string): Promise<void> {
  await tx(ACCOUNTS[kind]).where({ user_id: userId }).update({ mfa_pending_secret_sealed: sealed, updated_at: tx.fn.now() });
}

/** The pending secret becomes the active one (replacing any earlier enrolment), with fresh recovery codes. */
export async function activatePendingSecret(tx: Tx, kind: AccountKind, userId: string, timeStep: number,
  recoveryCodeHashes: readonly string[]): Promise<void> {
  await tx(ACCOUNTS[kind]).where({ user_id: userId }).update({
    mfa_secret_sealed: tx.ref('mfa_pending_secret_sealed'), mfa_pending_secret_sealed: null, mfa_enabled_at: tx.fn.now(),
    mfa_last_time_step: timeStep, mfa_recovery_code_hashes: [...recoveryCodeHashes], updated_at: tx.fn.now(),
  });
}

/**
 * Records the time step of an accepted code; false when that step (or a later one) was already used: a replayed
 * code, or one racing another request with the same code (ASVS V2.8.4).
 */
export async function takeTimeStep(tx: Tx, kind: AccountKind, userId: string, timeStep: number): Promise<boolean> {
  const taken = await tx(ACCOUNTS[kind]).where({ user_id: userId })
    .where((q) => q.whereNull('mfa_last_time_step').orWhere('mfa_last_time_step', '<', timeStep))
    .update({ mfa_last_time_step: timeStep });
  return taken === 1;
}

/** Strikes a recovery code off; false when it is not (or no longer) one of the account's (ASVS V2.6.1). */
export async function useRecoveryCode(tx: Tx, kind: AccountKind, userId: string, codeHash: string): Promise<boolean> {
  const used = await tx(ACCOUNTS[kind]).where({ user_id: userId }).whereRaw('? = ANY (mfa_recovery_code_hashes)', [codeHash])
    .update({ mfa_recovery_code_hashes: tx.raw('array_remove(mfa_recovery_code_hashes, ?)', [codeHash]) });
  return used === 1;
}

export async function replaceRecoveryCodes(tx: Tx, kind: AccountKind, userId: string, hashes: readonly string[]): Promise<void> {
  await tx(ACCOUNTS[kind]).where({ user_id: userId }).update({ mfa_recovery_code_hashes: [...hashes], updated_at: tx.fn.now() });
}

export async function clearMfa(tx: Tx, kind: AccountKind, userId: string): Promise<void> {
  await tx(ACCOUNTS[kind]).where({ user_id: userId }).update({
    mfa_secret_sealed: null, mfa_pending_secret_sealed: null, mfa_enabled_at: null, mfa_last_time_step: null,
    mfa_recovery_code_hashes: [], updated_at: tx.fn.now(),
  });
}

/** A sign-in challenge is being issued: the account's challenge number moves on, and the challenge carries it. */
export async function nextChallengeSeq(tx: Tx, kind: AccountKind, userId: string): Promise<number> {
  const [row] = await tx(ACCOUNTS[kind]).where({ user_id: userId })
    .update({ mfa_challenge_seq: tx.raw('mfa_challenge_seq + 1') }, ['mfa_challenge_seq']) as { mfa_challenge_seq: string }[];
  return Number(row?.mfa_challenge_seq ?? 0);
}

/**
 * Uses up the challenge numbered `seq`; false when it is not the account's newest or was already used (the
 * mfa_token works once, and a later sign-in's challenge replaces an earlier one).
 */
export async function consumeChallenge(tx: Tx, kind: AccountKind, userId: string, seq: number): Promise<boolean> {
  const used = await tx(ACCOUNTS[kind]).where({ user_id: userId, mfa_challenge_seq: seq })
    .update({ mfa_challenge_seq: tx.raw('mfa_challenge_seq + 1') });
  return used === 1;
}

export async function currentChallengeSeq(tx: Tx, kind: AccountKind, userId: string): Promise<number | undefined> {
  const row = await tx(ACCOUNTS[kind]).first(tx.raw('mfa_challenge_seq::text AS seq')).where({ user_id: userId }) as { seq: string } | undefined;
  return row ? Number(row.seq) : undefined;
}

/** Marks (or clears) "an administrator set this password: change it at the next sign-in" (ASVS V2.1.x, V2.5.x). */
export async function setPasswordChangeRequired(tx: Tx, kind: AccountKind, userId: string, required: boolean): Promise<void> {
  await tx(ACCOUNTS[kind]).where({ user_id: userId }).update({ password_change_required: required });
}
