import type { ChangePasswordBody } from '../../schemas/auth.js';
import { inPlatformScope, inTenantScope, type Tx } from '../db/scope.js';
import type { AppDeps } from '../deps.js';
import { ForbiddenError, LockedError, NotFoundError } from '../errors.js';
import type { Page } from '../db/pagination.js';
import {
  type AccountKind, findAccountState, listLiveSessions, revokeOtherSessions, revokeOwnSession, revokeUserSessions, setPasswordHash,
  type LiveSession,
} from './account-repository.js';
import { userIdOf, type Actor } from './actor.js';
import { clearAttempts, lockSecondsLeft, reserveAttempt } from './login-lock-repository.js';
import { hashSecret } from './tokens.js';
import { notifyAccountOwner } from '../notifications/notify.js';
import { recordSecurityEvent } from '../security-events/record.js';

// What a signed-in user does to its own account: change its password (ASVS V2.1.6, V3.3.3) and see and end its
// sessions (V3.3.4). Super admins and tenant users alike; each kind's own tables.

/** The signed-in account behind the actor (a job's system actor has none). */
function accountOf(actor: Actor): { kind: AccountKind; user_id: string; session_id: string } {
  const userId = userIdOf(actor);
  if (actor.kind === 'system' || !actor.session_id) throw new ForbiddenError('This needs a signed-in user.');
  return { kind: actor.kind, user_id: userId, session_id: actor.session_id };
}

/** Wrong current passwords are counted like failed sign-ins: five lock the change for 15 minutes. */
function passwordChangeIdentity(actor: Actor): string {
  const account = accountOf(actor);
  return hashSecret(`password-change\n${account.kind}\n${account.user_id}`);
}

/** Counts the attempt in a transaction of its own, so a failure stays counted when the request's rolls back. */
async function takePasswordChangeAttempt(deps: AppDeps, actor: Actor): Promise<void> {
  const identity = passwordChangeIdentity(actor);
  const { user_id } = accountOf(actor);
  const scope = <T>(work: (tx: Tx) => Promise<T>) => (actor.tenant
    ? inTenantScope(deps.db, actor.tenant, { user_id }, work) : inPlatformScope(deps.db, user_id, work));
  const lockSeconds = await scope(async (tx) => (await reserveAttempt(tx, identity) ? undefined : await lockSecondsLeft(tx, identity) ?? 1));
  if (lockSeconds !== undefined) {
    throw new LockedError('Too many wrong current passwords; try again later.', { headers: { 'Retry-After': String(lockSeconds) } });
  }
}

/**
 * The caller's new password, given its current one. Every other session of the caller ends (whoever knew the old
 * password is signed out); this one goes on.
 */
export async function changeOwnPassword(tx: Tx, deps: AppDeps, actor: Actor, body: ChangePasswordBody, clientAddress: string | null)
  : Promise<void> {
  await takePasswordChangeAttempt(deps, actor);
  const { kind, user_id, session_id } = accountOf(actor);
  const account = await findAccountState(tx, kind, user_id);
  const queueKey = clientAddress ?? 'unknown';
  if (!account || !(await deps.passwords.verify(account.password_hash, body.current_password, queueKey))) {
    throw new ForbiddenError('The current password is not right.', { code: 'auth.invalid_credentials' });
  }
  await setPasswordHash(tx, kind, user_id, await deps.passwords.hash(body.new_password, queueKey));
  await revokeOtherSessions(tx, kind, user_id, session_id, 'password_changed');
  await clearAttempts(tx, [passwordChangeIdentity(actor)]);
  await recordSecurityEvent(tx, { kind: 'auth.password_changed', outcome: 'success', target: { type: 'user', id: user_id },
    details: { other_sessions_ended: true } });
  await notifyAccountOwner(tx, deps, { kind, user_id }, 'account.password_changed');
}

export type SessionView = LiveSession & { readonly current: boolean };

export async function listOwnSessions(tx: Tx, actor: Actor, options: { limit: number; cursor?: string | undefined }): Promise<Page<SessionView>> {
  const { kind, user_id } = accountOf(actor);
  const page = await listLiveSessions(tx, kind, user_id, options);
  return { ...page, data: page.data.map((session) => ({ ...session, current: session.session_id === actor.session_id })) };
}

/** Ends one of the caller's own sessions (this one too: that is signing out); anyone else's is "not found". */
export async function endOwnSession(tx: Tx, actor: Actor, sessionId: string): Promise<void> {
  const { kind, user_id } = accountOf(actor);
  if (!(await revokeOwnSession(tx, kind, user_id, sessionId, 'ended_by_user'))) throw new NotFoundError('No such session.');
  await recordSecurityEvent(tx, { kind: 'session.revoked', outcome: 'success', target: { type: 'session', id: sessionId },
    details: { reason: 'ended_by_user' } });
}

/** Ends every session of the caller, this one included: signed out everywhere. */
export async function endAllOwnSessions(tx: Tx, actor: Actor): Promise<void> {
  const { kind, user_id } = accountOf(actor);
  await revokeUserSessions(tx, kind, user_id, 'ended_by_user');
  await recordSecurityEvent(tx, { kind: 'session.revoked', outcome: 'success', target: { type: 'user', id: user_id },
    details: { reason: 'ended_by_user', all_sessions: true } });
}
