import crypto from 'node:crypto';
import type { TokenPair } from '../../schemas/auth.js';
import type { z } from 'zod';
import type { MfaChallenge } from '../../schemas/mfa.js';
import { inPlatformScope, inTenantScope, type Tx } from '../db/scope.js';
import type { AppDeps } from '../deps.js';
import { LockedError, RateLimitedError, UnauthenticatedError } from '../errors.js';
import { primaryRole } from '../roles/system-roles.js';
import type { TenantRecord } from '../tenants/repository.js';
import { assertActive } from '../tenants/registry.js';
import {
  admitLogin, findAccountState, findLoginAccount, findSessionForUpdate, insertSession, revokeSession,
  revokeUserSessions, roleNamesOf, rotateSessionToken, type AccountKind, type LoginIdentifier, type SessionRow,
} from './account-repository.js';
import { managesUsersOrRoles, sessionIdleSeconds } from './session-policy-repository.js';
import { clearAttempts, failCheck, releaseCheck, startCheck } from './login-lock-repository.js';
import type { Actor } from './actor.js';
import { nextChallengeSeq } from './mfa-repository.js';
import { challengeMethods } from './webauthn.js';
import { hasSecondFactor } from './webauthn-repository.js';
import { MFA_CHALLENGE_TTL_SECONDS, hashSecret, sameHash, type AuthMethod } from './tokens.js';
import { recordSecurityEvent } from '../security-events/record.js';
import { notifyAccountOwner } from '../notifications/notify.js';

export interface ClientInfo {
  readonly ip_address: string | null;
  readonly user_agent: string | null;
}

// Failures must be remembered (attempt counts, revoked sessions), so the transaction returns an outcome and
// commits; only then is the outcome turned into an error.
type Outcome<T = TokenPair> = { kind: 'ok'; pair: T } | { kind: 'invalid'; message: string } | { kind: 'locked'; retryAfterSeconds: number };

const INVALID_CREDENTIALS = { kind: 'invalid', message: 'Invalid credentials.' } as const;

export type LoginResult = TokenPair | z.infer<typeof MfaChallenge>;

export function settle<T>(outcome: Outcome<T>): T {
  if (outcome.kind === 'ok') return outcome.pair;
  if (outcome.kind === 'locked') {
    throw new LockedError('The account is locked after repeated failed sign-ins; try again later.',
      { headers: { 'Retry-After': String(Math.max(1, outcome.retryAfterSeconds)) } });
  }
  throw new UnauthenticatedError(outcome.message, { code: 'auth.invalid_credentials' });
}

/** Runs `work` in the tenant's scope, or the platform's when there is no tenant. */
export function inAccountScope<T>(deps: AppDeps, tenant: TenantRecord | null, work: (tx: Tx) => Promise<T>): Promise<T> {
  return tenant ? inTenantScope(deps.db, tenant, null, work) : inPlatformScope(deps.db, null, work);
}

/**
 * The digest a login's failures are counted under: the tenant code as named (known or not; none for the platform),
 * the kind of identifier and its canonical value.
 */
export function loginIdentityHash(tenantCode: string | undefined, kind: 'email' | 'phone_number' | 'username', value: string): string {
  return hashSecret(`${tenantCode ?? ''}\n${kind}\n${value}`);
}

function identityHashOf(tenantCode: string | undefined, id: LoginIdentifier): string {
  if (id.email) return loginIdentityHash(tenantCode, 'email', id.email);
  if (id.phone_number) return loginIdentityHash(tenantCode, 'phone_number', id.phone_number);
  return loginIdentityHash(tenantCode, 'username', id.username ?? '');
}

/** Every identity a user signs in by: what a new password clears the failures of. */
export function identityHashesOfUser(tenantCode: string, user: { email: string | null; phone_number: string | null;
  username: string | null }): string[] {
  return [
    user.email && loginIdentityHash(tenantCode, 'email', user.email),
    user.phone_number && loginIdentityHash(tenantCode, 'phone_number', user.phone_number),
    user.username && loginIdentityHash(tenantCode, 'username', user.username),
  ].filter((hash): hash is string => Boolean(hash));
}

/**
 * Sign-in, alike for every identity up to the password check: a tenant and an account that exist, and ones that
 * do not, take the same steps (a failure is counted under the identity's digest, so five failures lock an unknown
 * e-mail as they lock a real one; a password hash is checked, against nothing if there is no account). Only a
 * right password learns that the tenant is suspended. Three steps, so argon2 never holds a pooled connection:
 * take one of the identity's five places for a check (atomically, see startCheck), check the password with no
 * transaction open, then admit a match or count the failure. A locked identity answers 423 without a check, so a
 * right password cannot stand out from wrong ones once the lock is on.
 */
export async function login(deps: AppDeps, tenantCode: string | undefined, identifier: LoginIdentifier,
  password: string, client: ClientInfo): Promise<LoginResult> {
  const tenant = tenantCode ? await deps.tenants.forLogin(tenantCode) : null;
  const kind: AccountKind = tenantCode ? 'tenant' : 'platform';
  const identity = identityHashOf(tenantCode, identifier);
  const failure = { tenant_id: tenant?.tenant_id ?? null, identity, identifier: identifierKind(identifier) };
  // An unknown tenant has no schema: its attempts are counted in the platform scope, which reaches the lock table too.
  const scope = <T>(work: (tx: Tx) => Promise<T>) => inAccountScope(deps, tenant ?? null, work);
  const slot = await takeCheck(identity, (tx) => (tenant === undefined ? Promise.resolve(undefined)
    : findLoginAccount(tx, kind, identifier)), scope);
  if (slot.kind === 'locked') {
    await scope((tx) => recordSignInFailure(tx, { ...failure, reason: 'locked' }));
    return settle({ kind: 'locked', retryAfterSeconds: slot.seconds });
  }
  // The check's place goes back unless a committed transaction counted its failure or cleared the count.
  let decided = false;
  try {
    const { account } = slot;
    // The client's address takes its turn in the hashing queue: a flood from one address waits behind itself.
    const queueKey = client.ip_address ?? 'unknown';
    const matches = account
      ? await deps.passwords.verify(account.password_hash, password, queueKey)
      : await deps.passwords.verifyAgainstNothing(password, queueKey);
    if (!account || !matches) {
      await scope(async (tx) => recordSignInFailure(tx, { ...failure, reason: 'invalid_credentials', user_id: account?.user_id },
        await failCheck(tx, identity), deps, kind));
      decided = true;
      return settle(INVALID_CREDENTIALS);
    }
    if (tenant) assertActive(tenant);
    // ASVS V2.4.5: a hash from before the pepper is replaced now that the password is known to be right.
    const rehashed = deps.passwords.needsRehash(account.password_hash) ? await deps.passwords.hash(password, queueKey) : undefined;
    const outcome = await scope(async (tx): Promise<Outcome<LoginResult>> => {
      if (!(await admitLogin(tx, kind, account, rehashed))) {
        await recordSignInFailure(tx, { ...failure, reason: 'account_inactive', user_id: account.user_id }, await failCheck(tx, identity));
        return INVALID_CREDENTIALS;
      }
      await clearAttempts(tx, [identity]);
      return { kind: 'ok', pair: await admitted(deps, tx, tenant ?? null, kind, account.user_id, identity, client) };
    });
    decided = true;
    return settle(outcome);
  } finally {
    if (!decided) await scope((tx) => releaseCheck(tx, identity));
  }
}

/** How long a sign-in waits for one of its identity's five check places while all are taken by checks in flight. */
const CHECK_WAIT_MS = 5_000;

/**
 * One of the identity's five check places, with what `read` reads in the same transaction (the account); while all
 * five are taken by checks in flight, waits (outside any transaction) for one to end, then answers 429.
 */
async function takeCheck<T>(identity: string, read: (tx: Tx) => Promise<T>,
  scope: <R>(work: (tx: Tx) => Promise<R>) => Promise<R>): Promise<{ kind: 'admitted'; account: T } | { kind: 'locked'; seconds: number }> {
  // The wall clock, not deps.now(): the wait is real time whatever clock the app is given.
  const deadline = performance.now() + CHECK_WAIT_MS;
  for (let pauseMs = 20; ; pauseMs = Math.min(pauseMs * 2, 250)) {
    const taken = await scope(async (tx) => {
      const slot = await startCheck(tx, identity);
      return slot.kind === 'admitted' ? { kind: slot.kind, account: await read(tx) } : slot;
    });
    if (taken.kind !== 'busy') return taken;
    if (performance.now() >= deadline) {
      throw new RateLimitedError('Other sign-ins of this account are being checked; try again shortly.',
        { code: 'auth.rate_limited', headers: { 'Retry-After': '1' } });
    }
    await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
}

/** A right password of an active account: an MFA challenge when a second factor is due, else the session's tokens. */
async function admitted(deps: AppDeps, tx: Tx, tenant: TenantRecord | null, kind: AccountKind, userId: string, identity: string,
  client: ClientInfo): Promise<LoginResult> {
  const authTime = Math.floor(deps.now() / 1000);
  const purpose = await mfaStepOf(deps, tx, kind, userId);
  if (!purpose) return startSession(deps, tx, tenant, userId, client, { auth_time: authTime, amr: ['pwd'] });
  const mfaToken = deps.tokens.signMfaChallenge({
    sub: userId, kind, tid: tenant?.tenant_id ?? null, auth_time: authTime, purpose, idh: identity,
    seq: await nextChallengeSeq(tx, kind, userId),
  });
  return { mfa_required: true, mfa_enrolment_required: purpose === 'enrol', mfa_token: mfaToken,
    expires_in: MFA_CHALLENGE_TTL_SECONDS, methods: await challengeMethods(tx, kind, userId, purpose) };
}

function identifierKind(id: LoginIdentifier): 'email' | 'phone_number' | 'username' {
  return id.email ? 'email' : id.phone_number ? 'phone_number' : 'username';
}

/**
 * ASVS V7.1.3, V7.2.1: a failed sign-in, named by the identity's digest (as the lock counts it, no raw e-mail of
 * whoever was guessed) and, when the account exists, its user; the failure that has just locked the identity
 * (`lockSeconds`) is also a lockout.
 */
async function recordSignInFailure(tx: Tx, failure: { tenant_id: string | null; identity: string; identifier: string;
  reason: string; user_id?: string | undefined }, lockSeconds?: number, deps?: AppDeps, kind?: AccountKind): Promise<void> {
  const common = {
    tenant_id: failure.tenant_id, actor: null,
    target: failure.user_id ? { type: 'user', id: failure.user_id } : null,
    details: { reason: failure.reason, identifier_kind: failure.identifier, identity_hash: failure.identity },
  };
  await recordSecurityEvent(tx, { ...common, kind: 'auth.sign_in_failed', outcome: 'failure' });
  if (lockSeconds === undefined) return;
  await recordSecurityEvent(tx, { ...common, kind: 'auth.locked_out', outcome: 'denied', details: { ...common.details, lock_seconds: lockSeconds } });
  // The owner of an account that exists hears of the lockout (ASVS V2.2.3); an unknown identity has no one to tell.
  if (failure.reason === 'invalid_credentials' && failure.user_id && deps && kind) {
    await notifyAccountOwner(tx, deps, { kind, user_id: failure.user_id }, 'account.locked_out', { lock_seconds: lockSeconds });
  }
}

/**
 * What a right password leads to: a code of the enrolled authenticator or a security key ('verify'), enrolment
 * first when MFA is mandatory for the account and not set up ('enrol'), or straight to tokens (undefined).
 */
async function mfaStepOf(deps: AppDeps, tx: Tx, kind: AccountKind, userId: string): Promise<'verify' | 'enrol' | undefined> {
  if (await hasSecondFactor(tx, kind, userId)) return 'verify';
  return (await mfaMandatoryFor(deps, tx, kind, userId)) ? 'enrol' : undefined;
}

/** ASVS V2.7/V4.3.1: super admins and users whose roles may manage users or roles must use MFA (MFA_REQUIRED_FOR_ADMINS). */
export async function mfaMandatoryFor(deps: AppDeps, tx: Tx, kind: AccountKind, userId: string): Promise<boolean> {
  return deps.config.mfa.requiredForAdmins && (kind === 'platform' || await managesUsersOrRoles(tx, userId));
}

/** A new session and its tokens, remembering when and how the user signed in (a refresh keeps both). */
export async function startSession(deps: AppDeps, tx: Tx, tenant: TenantRecord | null, userId: string, client: ClientInfo,
  auth: { auth_time: number; amr: readonly AuthMethod[] }): Promise<TokenPair> {
  const kind: AccountKind = tenant ? 'tenant' : 'platform';
  const sessionId = crypto.randomUUID();
  const refresh = deps.tokens.newRefreshToken(tenant?.tenant_id ?? null, sessionId);
  await insertSession(tx, kind, {
    session_id: sessionId, user_id: userId, refresh_token_hash: refresh.hash,
    ttl_seconds: deps.tokens.refreshTtlSeconds, ...client, ...auth,
  });
  const account = await findAccountState(tx, kind, userId);
  const pair = await tokenPair(deps, tx, tenant, userId, sessionId, refresh.token,
    { ...auth, restricted: account?.password_change_required ?? false });
  await recordSecurityEvent(tx, { kind: 'auth.sign_in_succeeded', outcome: 'success', tenant_id: tenant?.tenant_id ?? null,
    actor: { user_id: userId, role: pair.user.role }, target: { type: 'session', id: sessionId }, details: { amr: auth.amr } });
  return pair;
}

/**
 * Rotates the refresh token. Presenting one that was already rotated away (a stolen copy, or the original after
 * the thief used it) revokes the whole session; a token the session never issued is merely refused.
 */
export async function refresh(deps: AppDeps, refreshToken: string, xTenant: string | undefined): Promise<TokenPair> {
  const parsed = deps.tokens.parseRefresh(refreshToken);
  const tenant = parsed.tenantId ? await deps.tenants.forToken(parsed.tenantId, xTenant, { current: true }) : null;
  const outcome = await inAccountScope(deps, tenant, async (tx): Promise<Outcome> => {
    const session = await findSessionForUpdate(tx, parsed.kind, parsed.sessionId);
    if (!session || session.revoked_at || session.expires_at.getTime() <= Date.now()) {
      return { kind: 'invalid', message: 'The refresh token is no longer valid.' };
    }
    const presented = hashSecret(parsed.secret);
    if (!sameHash(presented, session.refresh_token_hash)) {
      if (!session.rotated_token_hashes.some((old) => sameHash(presented, old))) {
        return { kind: 'invalid', message: 'The refresh token is not valid.' };
      }
      await revokeSession(tx, parsed.kind, session.session_id, 'refresh_token_reuse');
      await recordSecurityEvent(tx, { kind: 'auth.refresh_token_reused', outcome: 'denied', tenant_id: parsed.tenantId,
        actor: { user_id: session.user_id, role: parsed.kind === 'platform' ? 'super_admin' : null },
        target: { type: 'session', id: session.session_id }, details: { session_revoked: true } });
      await notifyAccountOwner(tx, deps, { kind: parsed.kind, user_id: session.user_id }, 'session.refresh_token_reused');
      return { kind: 'invalid', message: 'The refresh token was already used; the session has been revoked.' };
    }
    if (await idleTooLong(deps, tx, parsed.kind, session)) {
      await revokeSession(tx, parsed.kind, session.session_id, 'idle_timeout');
      return { kind: 'invalid', message: 'The session was idle too long; sign in again.' };
    }
    const account = await findAccountState(tx, parsed.kind, session.user_id);
    if (account?.status !== 'active') {
      await revokeSession(tx, parsed.kind, session.session_id, 'account_inactive');
      return { kind: 'invalid', message: 'The account is not active.' };
    }
    const next = deps.tokens.newRefreshToken(parsed.tenantId, session.session_id);
    await rotateSessionToken(tx, parsed.kind, session, next.hash);
    // The original sign-in's time and methods, not the refresh's: a refresh is not a new proof of identity.
    const auth = { auth_time: session.auth_time ? Math.floor(session.auth_time.getTime() / 1000) : 0,
      amr: session.amr.filter((method): method is AuthMethod => method === 'pwd' || method === 'otp' || method === 'hwk'),
      restricted: account.password_change_required };
    return { kind: 'ok', pair: await tokenPair(deps, tx, tenant, session.user_id, session.session_id, next.token, auth) };
  });
  return settle(outcome);
}

/**
 * ASVS V3.3.2: a session unused for longer than its idle limit is over (its expiry is the absolute limit). Super
 * admins and users who may manage users or roles get the short limit.
 */
async function idleTooLong(deps: AppDeps, tx: Tx, kind: AccountKind, session: SessionRow): Promise<boolean> {
  const admin = kind === 'platform' || await managesUsersOrRoles(tx, session.user_id);
  const limit = admin ? deps.config.sessionIdleSeconds.admin : deps.config.sessionIdleSeconds.other;
  return (await sessionIdleSeconds(tx, kind, session.session_id)) > limit;
}

/** Ends every live session of a tenant user (password change, suspension, deactivation): its tokens stop at once. */
export async function endSessionsOf(tx: Tx, userId: string, reason: string): Promise<void> {
  await revokeUserSessions(tx, 'tenant', userId, reason);
}

/** A new password (an administrator's reset) also lifts the lock that failures with the old one earned. */
export async function clearSignInFailures(tx: Tx, tenantCode: string, user: Parameters<typeof identityHashesOfUser>[1]): Promise<void> {
  await clearAttempts(tx, identityHashesOfUser(tenantCode, user));
}

/** Ends the caller's session: its access and refresh tokens stop working at once. */
export async function logout(tx: Tx, actor: Actor): Promise<void> {
  if (actor.kind === 'system' || !actor.session_id) throw new UnauthenticatedError('Only a signed-in caller can sign out.');
  await revokeSession(tx, actor.kind, actor.session_id, 'logout');
  await recordSecurityEvent(tx, { kind: 'session.revoked', outcome: 'success', target: { type: 'session', id: actor.session_id },
    details: { reason: 'logout' } });
}

/** `restricted`: an administrator set the password, so the access token only allows changing it. */
async function tokenPair(deps: AppDeps, tx: Tx, tenant: TenantRecord | null, userId: string, sessionId: string,
  refreshToken: string, auth: { auth_time: number; amr: readonly AuthMethod[]; restricted: boolean }): Promise<TokenPair> {
  const role = tenant ? primaryRole(await roleNamesOf(tx, userId)) : 'super_admin';
  return {
    access_token: deps.tokens.signAccess({
      sub: userId, sid: sessionId, kind: tenant ? 'tenant' : 'platform', tid: tenant?.tenant_id ?? null,
      auth_time: auth.auth_time, amr: auth.amr, rst: auth.restricted ? 'password_change' : undefined,
    }),
    refresh_token: refreshToken,
    token_type: 'Bearer',
    expires_in: deps.tokens.accessTtlSeconds,
    user: { user_id: userId, role, tenant_code: tenant?.tenant_code ?? null },
    ...(auth.restricted ? { password_change_required: true } : {}),
  };
}
