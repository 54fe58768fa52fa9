import crypto from 'node:crypto';
import type { TokenPair } from '../../schemas/auth.js';
import { inPlatformScope, inTenantScope, type Tx } from '../db/scope.js';
import type { AppDeps } from '../deps.js';
import { LockedError, UnauthenticatedError } from '../errors.js';
import { primaryRole } from '../roles/system-roles.js';
import type { TenantRecord } from '../tenants/repository.js';
import {
  admitLogin, findAccountState, findSessionForUpdate, insertSession, lockSecondsLeft, reserveLoginAttempt,
  revokeSession, revokeUserSessions, roleNamesOf, rotateSessionToken, type AccountKind, type LoginIdentifier,
} from './account-repository.js';
import type { Actor } from './actor.js';
import { hashSecret, sameHash } from './tokens.js';

export interface ClientInfo {
  readonly ip_address: string | null;
  readonly user_agent: string | null;
}

// Failures must be remembered (attempt counts, revoked sessions), so the transaction returns an outcome and
// commits; only then is the outcome turned into an error.
type Outcome = { kind: 'ok'; pair: TokenPair } | { kind: 'invalid'; message: string } | { kind: 'locked'; retryAfterSeconds: number };

const INVALID_CREDENTIALS: Outcome = { kind: 'invalid', message: 'Invalid credentials.' };

function settle(outcome: Outcome): TokenPair {
  if (outcome.kind === 'ok') return outcome.pair;
  if (outcome.kind === 'locked') {
    throw new LockedError('The account is locked after repeated failed sign-ins; try again later.',
      { headers: { 'Retry-After': String(Math.max(1, outcome.retryAfterSeconds)) } });
  }
  throw new UnauthenticatedError(outcome.message, { code: 'auth.invalid_credentials' });
}

/** Runs `work` in the tenant's scope, or the platform's when there is no tenant. */
function inAccountScope<T>(deps: AppDeps, tenant: TenantRecord | null, work: (tx: Tx) => Promise<T>): Promise<T> {
  return tenant ? inTenantScope(deps.db, tenant, null, work) : inPlatformScope(deps.db, null, work);
}

/** The tenant a login names, or null for a platform login. An unknown tenant costs a hash, like a wrong password. */
async function loginTenant(deps: AppDeps, tenantCode: string | undefined, password: string): Promise<TenantRecord | null> {
  if (!tenantCode) return null;
  try {
    return await deps.tenants.forLogin(tenantCode);
  } catch (error) {
    if (error instanceof UnauthenticatedError) await deps.passwords.verifyAgainstNothing(password);
    throw error;
  }
}

/**
 * Three steps, so argon2 never holds a pooled connection: take one of the account's five attempts (atomically;
 * the fifth locks it), check the password with no transaction open, then admit a match. A locked account answers
 * 423 without a check, so a right password cannot stand out from wrong ones once the lock is on.
 */
export async function login(deps: AppDeps, tenantCode: string | undefined, identifier: LoginIdentifier,
  password: string, client: ClientInfo): Promise<TokenPair> {
  const tenant = await loginTenant(deps, tenantCode, password);
  const kind: AccountKind = tenant ? 'tenant' : 'platform';
  const attempt = await inAccountScope(deps, tenant, async (tx) => {
    const account = await reserveLoginAttempt(tx, kind, identifier);
    return account ? { account } : { lockSeconds: await lockSecondsLeft(tx, kind, identifier) };
  });
  if (!attempt.account) {
    if (attempt.lockSeconds !== undefined) return settle({ kind: 'locked', retryAfterSeconds: attempt.lockSeconds });
    await deps.passwords.verifyAgainstNothing(password);
    return settle(INVALID_CREDENTIALS);
  }
  const { account } = attempt;
  if (!(await deps.passwords.verify(account.password_hash, password))) return settle(INVALID_CREDENTIALS);
  const outcome = await inAccountScope(deps, tenant, async (tx): Promise<Outcome> => {
    if (!(await admitLogin(tx, kind, account))) return INVALID_CREDENTIALS;
    const sessionId = crypto.randomUUID();
    const refresh = deps.tokens.newRefreshToken(tenant?.tenant_id ?? null, sessionId);
    await insertSession(tx, kind, {
      session_id: sessionId, user_id: account.user_id, refresh_token_hash: refresh.hash,
      ttl_seconds: deps.tokens.refreshTtlSeconds, ...client,
    });
    return { kind: 'ok', pair: await tokenPair(deps, tx, tenant, account.user_id, sessionId, refresh.token) };
  });
  return settle(outcome);
}

/**
 * Rotates the refresh token. Presenting one that was already rotated away (a stolen copy, or the original after
 * the thief used it) revokes the whole session; a token the session never issued is merely refused.
 */
export async function refresh(deps: AppDeps, refreshToken: string, xTenant: string | undefined): Promise<TokenPair> {
  const parsed = deps.tokens.parseRefresh(refreshToken);
  const tenant = parsed.tenantId ? await deps.tenants.forToken(parsed.tenantId, xTenant) : null;
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
      return { kind: 'invalid', message: 'The refresh token was already used; the session has been revoked.' };
    }
    const account = await findAccountState(tx, parsed.kind, session.user_id);
    if (account?.status !== 'active') {
      await revokeSession(tx, parsed.kind, session.session_id, 'account_inactive');
      return { kind: 'invalid', message: 'The account is not active.' };
    }
    const next = deps.tokens.newRefreshToken(parsed.tenantId, session.session_id);
    await rotateSessionToken(tx, parsed.kind, session, next.hash);
    return { kind: 'ok', pair: await tokenPair(deps, tx, tenant, session.user_id, session.session_id, next.token) };
  });
  return settle(outcome);
}

/** Ends every live session of a tenant user (password change, suspension, deactivation): its tokens stop at once. */
export async function endSessionsOf(tx: Tx, userId: string, reason: string): Promise<void> {
  await revokeUserSessions(tx, 'tenant', userId, reason);
}

/** Ends the caller's session: its access and refresh tokens stop working at once. */
export async function logout(tx: Tx, actor: Actor): Promise<void> {
  if (actor.kind === 'system' || !actor.session_id) throw new UnauthenticatedError('Only a signed-in caller can sign out.');
  await revokeSession(tx, actor.kind, actor.session_id, 'logout');
}

async function tokenPair(deps: AppDeps, tx: Tx, tenant: TenantRecord | null, userId: string, sessionId: string,
  refreshToken: string): Promise<TokenPair> {
  const role = tenant ? primaryRole(await roleNamesOf(tx, userId)) : 'super_admin';
  return {
    access_token: deps.tokens.signAccess({
      sub: userId, sid: sessionId, kind: tenant ? 'tenant' : 'platform', tid: tenant?.tenant_id ?? null,
    }),
    refresh_token: refreshToken,
    token_type: 'Bearer',
    expires_in: deps.tokens.accessTtlSeconds,
    user: { user_id: userId, role, tenant_code: tenant?.tenant_code ?? null },
  };
}
