import type { Knex } from 'knex';
import { paginate, type Page } from '../db/pagination.js';
import type { Tx } from '../db/scope.js';

// Tenant users (users, user_sessions) and super admins (shared.platform_users, platform_sessions) sign in the
// same way; only the tables differ. Each scope's search_path resolves these names.

export type AccountKind = 'tenant' | 'platform';
const TABLES = {
  tenant: { accounts: 'users', sessions: 'user_sessions' },
  platform: { accounts: 'platform_users', sessions: 'platform_sessions' },
} as const;

export interface LoginAccount {
  readonly user_id: string;
  readonly password_hash: string;
  readonly status: string;
  /** An administrator set the password: the next sign-in may only change it. */
  readonly password_change_required: boolean;
}

export interface LoginIdentifier {
  readonly email?: string | undefined;
  readonly phone_number?: string | undefined;
  readonly username?: string | undefined;
}

/** An international number (as PhoneNumber parses it) and the spellings it may have been stored in before. */
function phoneSpellings(international: string): string[] {
  const digits = international.slice(1);
  if (!digits.startsWith('91') || digits.length !== 12) return [international, digits];
  const national = digits.slice(2);
  return [international, digits, national, `0${national}`];
}

/** Narrows a query on the accounts table to the one a login names (canonical as parsed; super admins: e-mail only). */
function namedBy(query: Knex.QueryBuilder, kind: AccountKind, id: LoginIdentifier): Knex.QueryBuilder {
  if (id.email) return query.where({ email: id.email });
  if (kind === 'platform') return query.whereRaw('false');
  if (id.phone_number) {
    // Accounts written before phone numbers were stored internationally keep the spelling they were typed in.
    return query.whereIn('phone_number', phoneSpellings(id.phone_number)).orderByRaw('phone_number = ? DESC', [id.phone_number]);
  }
  return query.where({ username: id.username ?? '' });
}

/** The account a login names, if any (its attempts are counted per identity: login-lock-repository.ts). */
export async function findLoginAccount(tx: Tx, kind: AccountKind, id: LoginIdentifier): Promise<LoginAccount | undefined> {
  return namedBy(tx(TABLES[kind].accounts), kind, id).first('user_id', 'password_hash', 'status', 'password_change_required');
}

/**
 * Admits a login whose password matched. Only while the account is active and still has the password that was
 * checked: a reset committed during the check (which ended every session) must not be outlived by this one.
 * `rehashed` replaces a hash made without the pepper (or at an older cost) with one of the same password.
 */
export async function admitLogin(tx: Tx, kind: AccountKind, account: LoginAccount, rehashed?: string): Promise<boolean> {
  const admitted = await tx(TABLES[kind].accounts)
    .where({ user_id: account.user_id, status: 'active', password_hash: account.password_hash })
    .update({ last_login_at: tx.fn.now(), ...(rehashed ? { password_hash: rehashed } : {}) });
  return admitted === 1;
}

export async function findAccountState(tx: Tx, kind: AccountKind, userId: string): Promise<LoginAccount | undefined> {
  return tx(TABLES[kind].accounts).first('user_id', 'password_hash', 'status', 'password_change_required').where({ user_id: userId });
}

export interface SessionRow {
  readonly session_id: string;
  readonly user_id: string;
  readonly refresh_token_hash: string;
  readonly rotated_token_hashes: string[];
  readonly expires_at: Date;
  readonly revoked_at: Date | null;
  /** When and how the user signed in (null for sessions older than step-up: treated as long ago). */
  readonly auth_time: Date | null;
  readonly amr: string[];
}

/** How many rotated-away refresh tokens a session remembers for reuse detection. */
const ROTATION_MEMORY = 100;

export async function insertSession(tx: Tx, kind: AccountKind, session: {
  session_id: string; user_id: string; refresh_token_hash: string; ttl_seconds: number;
  ip_address: string | null; user_agent: string | null; auth_time: number; amr: readonly string[];
}): Promise<void> {
  const { ttl_seconds, auth_time, amr, ...row } = session;
  await tx(TABLES[kind].sessions).insert({
    ...row,
    auth_time: new Date(auth_time * 1000),
    amr: [...amr],
    expires_at: tx.raw('now() + make_interval(secs => ?)', [ttl_seconds]),
  });
}

/** Locks the session row so two refreshes with the same token cannot both rotate it. */
export async function findSessionForUpdate(tx: Tx, kind: AccountKind, sessionId: string): Promise<SessionRow | undefined> {
  return tx(TABLES[kind].sessions)
    .first('session_id', 'user_id', 'refresh_token_hash', 'rotated_token_hashes', 'expires_at', 'revoked_at', 'auth_time', 'amr')
    .where({ session_id: sessionId }).forUpdate();
}

/** Replaces the session's refresh token, remembering the old one's hash (the newest ROTATION_MEMORY of them). */
export async function rotateSessionToken(tx: Tx, kind: AccountKind, session: SessionRow, refreshTokenHash: string): Promise<void> {
  const remembered = [...session.rotated_token_hashes, session.refresh_token_hash].slice(-ROTATION_MEMORY);
  await tx(TABLES[kind].sessions).where({ session_id: session.session_id })
    .update({ refresh_token_hash: refreshTokenHash, rotated_token_hashes: remembered, last_activity_at: tx.fn.now() });
}

export async function revokeSession(tx: Tx, kind: AccountKind, sessionId: string, reason: string): Promise<void> {
  await tx(TABLES[kind].sessions).where({ session_id: sessionId }).whereNull('revoked_at')
    .update({ revoked_at: tx.fn.now(), revoked_reason: reason });
}

/** Ends every live session of a user (deactivation, password change). */
export async function revokeUserSessions(tx: Tx, kind: AccountKind, userId: string, reason: string): Promise<void> {
  await tx(TABLES[kind].sessions).where({ user_id: userId }).whereNull('revoked_at')
    .update({ revoked_at: tx.fn.now(), revoked_reason: reason });
}

export async function roleNamesOf(tx: Tx, userId: string): Promise<string[]> {
  const rows = await tx('user_roles').join('roles', 'roles.role_id', 'user_roles.role_id')
    .where('user_roles.user_id', userId)
    .where((q) => q.whereNull('user_roles.expires_at').orWhere('user_roles.expires_at', '>', tx.fn.now()))
    .select('roles.role_name');
  return rows.map((row: { role_name: string }) => row.role_name);
}

/** Serialises first-start bootstrap between processes starting together. */
export async function lockPlatformUsers(tx: Tx): Promise<void> {
  await tx.raw('LOCK TABLE shared.platform_users IN SHARE ROW EXCLUSIVE MODE');
}

export async function hasActiveSuperAdmin(tx: Tx): Promise<boolean> {
  return Boolean(await tx('shared.platform_users').first('user_id').where({ role: 'super_admin', status: 'active' }));
}

export async function insertSuperAdmin(tx: Tx, admin: { email: string; password_hash: string }): Promise<void> {
  await tx('shared.platform_users').insert({ ...admin, first_name: 'Platform', last_name: 'Admin' });
}

/** Sets a new password hash (the caller's own change: an administrator's password no longer needs changing). */
export async function setPasswordHash(tx: Tx, kind: AccountKind, userId: string, passwordHash: string): Promise<void> {
  await tx(TABLES[kind].accounts).where({ user_id: userId }).update({
    password_hash: passwordHash, password_changed_at: tx.fn.now(), updated_at: tx.fn.now(), password_change_required: false,
  });
}

export interface LiveSession {
  readonly session_id: string;
  readonly created_at: Date;
  readonly last_activity_at: Date;
  readonly expires_at: Date;
  readonly ip_address: string | null;
  readonly user_agent: string | null;
}

/** The user's sessions that have neither ended nor expired, oldest first. */
export function listLiveSessions(tx: Tx, kind: AccountKind, userId: string, options: { limit: number; cursor?: string | undefined })
  : Promise<Page<LiveSession>> {
  const query = tx(TABLES[kind].sessions)
    .select('session_id', 'created_at', 'last_activity_at', 'expires_at', tx.raw('host(ip_address) AS ip_address'), 'user_agent')
    .where({ user_id: userId }).whereNull('revoked_at').where('expires_at', '>', tx.fn.now());
  return paginate<LiveSession>(query, 'session_id', options);
}

/** Ends one live session of this user; false when it is not one (another user's, ended, unknown). */
export async function revokeOwnSession(tx: Tx, kind: AccountKind, userId: string, sessionId: string, reason: string): Promise<boolean> {
  const ended = await tx(TABLES[kind].sessions).where({ session_id: sessionId, user_id: userId }).whereNull('revoked_at')
    .where('expires_at', '>', tx.fn.now()).update({ revoked_at: tx.fn.now(), revoked_reason: reason });
  return ended === 1;
}

/** Ends every live session of the user but `keepSessionId` (the one the change was made in). */
export async function revokeOtherSessions(tx: Tx, kind: AccountKind, userId: string, keepSessionId: string, reason: string): Promise<void> {
  await tx(TABLES[kind].sessions).where({ user_id: userId }).whereNot({ session_id: keepSessionId }).whereNull('revoked_at')
    .update({ revoked_at: tx.fn.now(), revoked_reason: reason });
}
