import type { z } from 'zod';
import type { MfaEnrolment, MfaStatus, MfaVerifyResult } from '../../schemas/mfa.js';
import { inPlatformScope, inTenantScope, type Tx } from '../db/scope.js';
import type { AppDeps } from '../deps.js';
import { ConflictError, ForbiddenError, LockedError, UnauthenticatedError } from '../errors.js';
import type { TenantRecord } from '../tenants/repository.js';
import type { AccountKind } from './account-repository.js';
import { userIdOf, type Actor } from './actor.js';
import { clearAttempts, lockSecondsLeft, reserveAttempt } from './login-lock-repository.js';
import {
  activatePendingSecret, clearMfa, consumeChallenge, currentChallengeSeq, findMfaState, replaceRecoveryCodes, setPendingSecret, takeTimeStep, useRecoveryCode,
  type MfaState,
} from './mfa-repository.js';
import { countCredentials, hasSecondFactor } from './webauthn-repository.js';
import { inAccountScope, mfaMandatoryFor, settle, startSession, type ClientInfo } from './service.js';
import { recordSecurityEvent, recordSecurityEventApart } from '../security-events/record.js';
import { requireRecentSignIn } from './step-up.js';
import { hashSecret } from './tokens.js';
import { notifyAccountOwner, notifyAccountOwnerApart } from '../notifications/notify.js';
import { matchTotp, newRecoveryCodes, newTotpSecret, openSecret, otpauthUri, recoveryCodeHash, sealSecret } from './totp.js';

// TOTP MFA (ASVS V2.7, V2.8): enrolment (a secret shown once, confirmed by a first code, ten one-time recovery
// codes), the sign-in challenge, and switching it off. Wrong codes are counted like wrong passwords: five lock the
// account's codes for 15 minutes (per account, so signing in again with the password does not reset the count), and
// during a sign-in also the identity the password was given for.

type Enrolment = z.infer<typeof MfaEnrolment>;
type VerifyResult = z.infer<typeof MfaVerifyResult>;
const WRONG_CODE = 'The code is not right, or was already used.';

/** The lock digest wrong codes of one account count under. */
export function mfaIdentity(kind: AccountKind, userId: string): string {
  return hashSecret(`mfa\n${kind}\n${userId}`);
}

/** Takes one attempt of each identity in a transaction of its own (it must stay counted when the request fails). */
export async function takeCodeAttempt(deps: AppDeps, tenant: TenantRecord | null, userId: string, identities: readonly string[]): Promise<void> {
  const scope = <T>(work: (tx: Tx) => Promise<T>) => (tenant
    ? inTenantScope(deps.db, tenant, { user_id: userId }, work) : inPlatformScope(deps.db, userId, work));
  const lockSeconds = await scope(async (tx) => {
    for (const identity of identities) {
      if (!(await reserveAttempt(tx, identity))) return await lockSecondsLeft(tx, identity) ?? 1;
    }
    return undefined;
  });
  if (lockSeconds !== undefined) {
    throw new LockedError('Too many wrong codes; try again later.', { headers: { 'Retry-After': String(Math.max(1, lockSeconds)) } });
  }
}

function enrolmentOf(deps: AppDeps, state: MfaState, secret: string): Enrolment {
  return { secret, otpauth_uri: otpauthUri(deps, state.label, secret), algorithm: 'SHA1', digits: 6, period: 30 };
}

async function startEnrolment(deps: AppDeps, tx: Tx, kind: AccountKind, userId: string): Promise<Enrolment> {
  const state = await findMfaState(tx, kind, userId);
  if (!state) throw new UnauthenticatedError('The account no longer exists.');
  const secret = newTotpSecret();
  await setPendingSecret(tx, kind, userId, sealSecret(deps, userId, secret));
  return enrolmentOf(deps, state, secret);
}

/** Checks a first code against the pending secret and makes it the active one; returns the recovery codes. */
async function confirmPending(deps: AppDeps, tx: Tx, kind: AccountKind, state: MfaState, code: string): Promise<string[] | null> {
  if (!state.mfa_pending_secret_sealed) return null;
  const step = await matchTotp(deps, openSecret(deps, state.user_id, state.mfa_pending_secret_sealed), code);
  if (step === null) return null;
  const recovery = newRecoveryCodes();
  await activatePendingSecret(tx, kind, state.user_id, step, recovery.hashes);
  return recovery.codes;
}

/** A code of the active authenticator, each time step once; or a recovery code, each once. */
async function checkSecondFactor(deps: AppDeps, tx: Tx, kind: AccountKind, state: MfaState,
  proof: { code?: string | undefined; recovery_code?: string | undefined }): Promise<boolean> {
  if (!state.mfa_secret_sealed) return false;
  if (proof.recovery_code !== undefined) return useRecoveryCode(tx, kind, state.user_id, recoveryCodeHash(proof.recovery_code));
  if (proof.code === undefined) return false;
  const last = state.mfa_last_time_step === null ? undefined : Number(state.mfa_last_time_step);
  const step = await matchTotp(deps, openSecret(deps, state.user_id, state.mfa_secret_sealed), proof.code, last);
  return step !== null && takeTimeStep(tx, kind, state.user_id, step);
}

/**
 * ASVS V2.8.5: a refused code that matches a time step already used is a replay (someone saw a code and knows the
 * password or holds a session): besides the refusal and its event, the account's owner is told.
 */
async function isReplayedCode(deps: AppDeps, state: MfaState, code: string | undefined): Promise<boolean> {
  if (code === undefined || !state.mfa_secret_sealed || state.mfa_last_time_step === null) return false;
  const step = await matchTotp(deps, openSecret(deps, state.user_id, state.mfa_secret_sealed), code);
  return step !== null && step <= Number(state.mfa_last_time_step);
}

// --- The sign-in challenge (public: the mfa_token is the credential) ---

export const CHALLENGE_USED = 'The MFA challenge was already used or replaced by a later sign-in; sign in again.';

/** A challenge that is still the account's newest and unused (issuing tokens uses it up: consumeChallenge). */
export async function challengeOf(deps: AppDeps, mfaToken: string) {
  const challenge = deps.tokens.verifyMfaChallenge(mfaToken);
  const tenant = challenge.tid ? await deps.tenants.forToken(challenge.tid, undefined, { current: true }) : null;
  const current = await inAccountScope(deps, tenant, (tx) => currentChallengeSeq(tx, challenge.kind, challenge.sub));
  if (current !== challenge.seq) throw new UnauthenticatedError(CHALLENGE_USED, { code: 'auth.mfa_challenge_invalid' });
  return { challenge, tenant };
}

/** An enrolment challenge's secret: MFA is mandatory for the account and it has none yet. */
export async function startChallengeEnrolment(deps: AppDeps, mfaToken: string): Promise<Enrolment> {
  const { challenge, tenant } = await challengeOf(deps, mfaToken);
  if (challenge.purpose !== 'enrol') throw new ConflictError('MFA is already set up: answer the challenge with a code.', { code: 'auth.mfa_not_enrolled' });
  return inAccountScope(deps, tenant, (tx) => startEnrolment(deps, tx, challenge.kind, challenge.sub));
}

/**
 * Exchanges a challenge and a code for tokens (amr pwd + otp, auth_time of the password check). For an enrolment
 * challenge the code confirms the new authenticator and the answer carries its recovery codes.
 */
export async function verifyChallenge(deps: AppDeps, body: { mfa_token: string; code?: string | undefined;
  recovery_code?: string | undefined }, client: ClientInfo): Promise<VerifyResult> {
  const { challenge, tenant } = await challengeOf(deps, body.mfa_token);
  const identities = [challenge.idh, mfaIdentity(challenge.kind, challenge.sub)];
  await takeCodeAttempt(deps, tenant, challenge.sub, identities);
  const outcome = await inAccountScope(deps, tenant, async (tx) => {
    const state = await findMfaState(tx, challenge.kind, challenge.sub);
    if (state?.status !== 'active') return { kind: 'invalid', message: 'The account is not active.' } as const;
    let recoveryCodes: string[] | null = null;
    if (challenge.purpose === 'enrol') {
      recoveryCodes = body.code === undefined ? null : await confirmPending(deps, tx, challenge.kind, state, body.code);
      if (!recoveryCodes) return { kind: 'invalid', message: WRONG_CODE } as const;
    } else if (!(await checkSecondFactor(deps, tx, challenge.kind, state, body))) {
      if (await isReplayedCode(deps, state, body.code)) {
        await notifyAccountOwner(tx, deps, { kind: challenge.kind, user_id: challenge.sub }, 'mfa.code_replayed');
      }
      return { kind: 'invalid', message: WRONG_CODE } as const;
    }
    if (!(await consumeChallenge(tx, challenge.kind, challenge.sub, challenge.seq))) {
      return { kind: 'invalid', message: CHALLENGE_USED } as const;
    }
    await clearAttempts(tx, identities);
    const pair = await startSession(deps, tx, tenant, challenge.sub, client, { auth_time: challenge.auth_time, amr: ['pwd', 'otp'] });
    const subject = { tenant_id: tenant?.tenant_id ?? null, actor: { user_id: challenge.sub, role: pair.user.role } };
    const owner = { kind: challenge.kind, user_id: challenge.sub };
    if (recoveryCodes) {
      await recordSecurityEvent(tx, { ...subject, kind: 'mfa.enrolled', outcome: 'success' });
      await notifyAccountOwner(tx, deps, owner, 'mfa.enrolled');
    }
    if (body.recovery_code !== undefined) {
      await recordSecurityEvent(tx, { ...subject, kind: 'mfa.recovery_code_used', outcome: 'success' });
      await notifyAccountOwner(tx, deps, owner, 'mfa.recovery_code_used', { recovery_codes_left: state.mfa_recovery_code_hashes.length - 1 });
    }
    return { kind: 'ok', pair: recoveryCodes ? { ...pair, recovery_codes: recoveryCodes } : pair } as const;
  });
  if (outcome.kind === 'invalid') {
    await recordSecurityEventApart(deps, { kind: 'mfa.failed', outcome: 'failure', tenant_id: tenant?.tenant_id ?? null,
      actor: { user_id: challenge.sub, role: null }, details: { step: challenge.purpose } });
    throw new UnauthenticatedError(outcome.message, { code: 'auth.mfa_code_invalid' });
  }
  return settle(outcome);
}

// --- A signed-in user's own MFA ---

function accountOf(actor: Actor): { kind: AccountKind; user_id: string; tenant: TenantRecord | null } {
  const userId = userIdOf(actor);
  if (actor.kind === 'system') throw new ForbiddenError('This needs a signed-in user.');
  return { kind: actor.kind, user_id: userId, tenant: actor.tenant };
}

export async function mfaStatus(tx: Tx, deps: AppDeps, actor: Actor): Promise<z.infer<typeof MfaStatus>> {
  const { kind, user_id } = accountOf(actor);
  const state = await findMfaState(tx, kind, user_id);
  const keys = await countCredentials(tx, kind, user_id);
  const methods = [...(state?.mfa_secret_sealed ? ['totp' as const] : []), ...(keys > 0 ? ['webauthn' as const] : [])];
  return {
    enabled: methods.length > 0,
    methods,
    security_keys: keys,
    enabled_at: state?.mfa_enabled_at?.toISOString() ?? null,
    mandatory: await mfaMandatoryFor(deps, tx, kind, user_id),
    recovery_codes_left: state?.mfa_recovery_code_hashes.length ?? 0,
  };
}

/** A new secret to confirm; replacing an active authenticator needs a recent sign-in with it. */
export async function startOwnEnrolment(tx: Tx, deps: AppDeps, actor: Actor): Promise<Enrolment> {
  const { kind, user_id } = accountOf(actor);
  // Any second factor already set up (a TOTP authenticator or a security key) asks for a recent sign-in with it, as
  // registering a key does: a stolen session must not add an authenticator of its own.
  if (await hasSecondFactor(tx, kind, user_id)) await requireRecentSignIn(deps, tx, actor);
  return startEnrolment(deps, tx, kind, user_id);
}

/** Counts the attempt first (own transaction), checks, and clears the count when the code was right. */
async function withCodeAttempt<T>(tx: Tx, deps: AppDeps, actor: Actor, check: (state: MfaState) => Promise<T | null>,
  code?: string): Promise<T> {
  const { kind, user_id, tenant } = accountOf(actor);
  const identity = mfaIdentity(kind, user_id);
  await takeCodeAttempt(deps, tenant, user_id, [identity]);
  const state = await findMfaState(tx, kind, user_id);
  const result = state ? await check(state) : null;
  if (result === null) {
    await recordSecurityEventApart(deps, { kind: 'mfa.failed', outcome: 'failure' });
    // The request rolls back: the notice is written apart.
    if (state && await isReplayedCode(deps, state, code)) await notifyAccountOwnerApart(deps, tenant, { kind, user_id }, 'mfa.code_replayed');
    throw new UnauthenticatedError(WRONG_CODE, { code: 'auth.mfa_code_invalid' });
  }
  await clearAttempts(tx, [identity]);
  return result;
}

export async function confirmOwnEnrolment(tx: Tx, deps: AppDeps, actor: Actor, code: string): Promise<string[]> {
  const { kind, user_id } = accountOf(actor);
  const before = await findMfaState(tx, kind, user_id);
  if (!before?.mfa_pending_secret_sealed) {
    throw new ConflictError('No enrolment is waiting for its first code: start one first.', { code: 'auth.mfa_not_enrolled' });
  }
  const codes = await withCodeAttempt(tx, deps, actor, (state) => confirmPending(deps, tx, kind, state, code));
  await recordSecurityEvent(tx, { kind: 'mfa.enrolled', outcome: 'success' });
  await notifyAccountOwner(tx, deps, { kind, user_id }, before.mfa_secret_sealed ? 'mfa.replaced' : 'mfa.enrolled');
  return codes;
}

/** Fresh recovery codes (the old ones stop working), given a current code. */
export async function renewRecoveryCodes(tx: Tx, deps: AppDeps, actor: Actor, code: string): Promise<string[]> {
  const { kind, user_id } = await requireEnrolled(tx, actor);
  const codes = await withCodeAttempt(tx, deps, actor, async (state) => {
    if (!(await checkSecondFactor(deps, tx, kind, state, { code }))) return null;
    const recovery = newRecoveryCodes();
    await replaceRecoveryCodes(tx, kind, user_id, recovery.hashes);
    return recovery.codes;
  }, code);
  await notifyAccountOwner(tx, deps, { kind, user_id }, 'mfa.recovery_codes_renewed');
  return codes;
}

/** Switches MFA off, given a current code; not for accounts that must have it. */
export async function disableOwnMfa(tx: Tx, deps: AppDeps, actor: Actor, code: string): Promise<void> {
  const { kind, user_id } = await requireEnrolled(tx, actor);
  if (await mfaMandatoryFor(deps, tx, kind, user_id)) {
    throw new ForbiddenError('MFA is mandatory for your roles and cannot be switched off; enrol a new authenticator instead.',
      { code: 'auth.mfa_mandatory' });
  }
  await withCodeAttempt(tx, deps, actor, async (state) => {
    if (!(await checkSecondFactor(deps, tx, kind, state, { code }))) return null;
    await clearMfa(tx, kind, user_id);
    return true;
  }, code);
  await recordSecurityEvent(tx, { kind: 'mfa.disabled', outcome: 'success' });
  await notifyAccountOwner(tx, deps, { kind, user_id }, 'mfa.disabled');
}

async function requireEnrolled(tx: Tx, actor: Actor) {
  const account = accountOf(actor);
  if (!(await findMfaState(tx, account.kind, account.user_id))?.mfa_secret_sealed) {
    throw new ConflictError('MFA is not set up for this account.', { code: 'auth.mfa_not_enrolled' });
  }
  return account;
}
