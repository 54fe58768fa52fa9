import type { RoleSummary } from '../../schemas/roles.js';
import type { AllowedRecords } from '../auth/ability.js';
import { whereAllowed } from '../db/conditions.js';
import type { Tx } from '../db/scope.js';
import { paginate, type Page } from '../db/pagination.js';

export interface UserRow {
  readonly user_id: string;
  readonly tenant_id: string;
  readonly email: string | null;
  readonly phone_number: string | null;
  readonly username: string | null;
  readonly first_name: string | null;
  readonly last_name: string | null;
  readonly display_name: string | null;
  readonly language_preference: string;
  readonly timezone: string;
  readonly status: string;
  readonly last_login_at: Date | null;
  readonly created_at: Date;
  readonly updated_at: Date;
  readonly deactivated_at: Date | null;
}

/** A user as the users API shows it: its row plus the agent record it is, if any. */
export interface UserRecord extends UserRow {
  readonly agent_id: string | null;
}

export type NewUser = {
  password_hash: string;
  email?: string | null;
  phone_number?: string | null;
  username?: string | null;
  first_name?: string | null;
  last_name?: string | null;
  display_name?: string | null;
  language_preference?: string;
  timezone?: string;
  created_by?: string | null;
};

export type UserChanges = Partial<Omit<NewUser, 'created_by'>> & { status?: string; updated_by: string };

/** Columns a user may be shown with: never the password hash or lockout internals. */
export const USER_COLUMNS = [
  'user_id', 'tenant_id', 'email', 'phone_number', 'username', 'first_name', 'last_name', 'display_name',
  'language_preference', 'timezone', 'status', 'last_login_at', 'created_at', 'updated_at', 'deactivated_at',
] as const;

/** Deactivated users keep their row (nothing is hard-deleted) but no longer take a seat under max_users. */
const HOLDS_A_SEAT = "status <> 'deactivated'";

const AGENT_OF_USER = '(SELECT a.agent_id FROM agents a WHERE a.user_id = users.user_id)';

/** The fields a role condition on User may test, as the users list reaches them. */
const CONDITION_COLUMNS = {
  user_id: 'users.user_id', email: 'users.email', username: 'users.username', phone_number: 'users.phone_number',
  status: 'users.status', agent_id: AGENT_OF_USER,
};

function selectUsers(tx: Tx) {
  return tx('users').select([...USER_COLUMNS, tx.raw(`${AGENT_OF_USER} AS agent_id`)]);
}

export async function insertUser(tx: Tx, user: NewUser): Promise<UserRow> {
  const [row] = await tx('users').insert(user).returning([...USER_COLUMNS]);
  return row;
}

/** Replaces nothing: adds the roles the user does not have yet. */
export async function assignRoles(tx: Tx, userId: string, roleIds: readonly string[], assignedBy: string | null): Promise<void> {
  if (!roleIds.length) return;
  await tx('user_roles')
    .insert(roleIds.map((roleId) => ({ user_id: userId, role_id: roleId, assigned_by: assignedBy })))
    .onConflict(['user_id', 'role_id']).ignore();
}

/** The user's assignments become exactly `roleIds` (expired ones are dropped so they can be granted afresh). */
export async function replaceUserRoles(tx: Tx, userId: string, roleIds: readonly string[], assignedBy: string): Promise<void> {
  await tx('user_roles').where({ user_id: userId })
    .where((query) => query.whereNotIn('role_id', roleIds).orWhere('expires_at', '<=', tx.fn.now()))
    .delete();
  await assignRoles(tx, userId, roleIds, assignedBy);
}

export async function findUserRecord(tx: Tx, userId: string, options: { forUpdate?: boolean } = {}): Promise<UserRecord | undefined> {
  const query = selectUsers(tx).where({ user_id: userId }).first();
  return options.forUpdate ? query.forUpdate() : query;
}

export interface UserListFilter {
  readonly limit: number;
  readonly cursor?: string | undefined;
  readonly status?: string | undefined;
  readonly q?: string | undefined;
}

/**
 * The digits to look for when ?q= is a phone number as people type it ('+91 98123-45001', '098123 45001'): stored
 * numbers are international ('+919812345001'), so the +91 or the trunk 0 in front and the spaces go.
 */
function phoneDigits(q: string): string | undefined {
  const text = q.replace(/[\s()-]/g, '');
  if (!/^\+?[0-9]{3,14}$/.test(text)) return undefined;
  if (text.startsWith('+91')) return text.slice(3);
  if (text.startsWith('+')) return text.slice(1);
  return text.length === 11 && text.startsWith('0') ? text.slice(1) : text;
}

/** The users the caller may read (its role conditions applied in SQL), by the list's own filters. */
export async function listUserRecords(tx: Tx, allowed: AllowedRecords, filter: UserListFilter): Promise<Page<UserRecord>> {
  const query = whereAllowed(selectUsers(tx), 'User', allowed, CONDITION_COLUMNS);
  if (filter.status) query.where({ status: filter.status });
  if (filter.q) {
    const pattern = `%${filter.q.replace(/[\\%_]/g, '\\$&')}%`;
    const phone = phoneDigits(filter.q);
    query.where((match) => match.whereILike('email', pattern).orWhereILike('phone_number', phone ? `%${phone}%` : pattern)
      .orWhereILike('username', pattern).orWhereILike('display_name', pattern)
      .orWhereRaw(`concat_ws(' ', first_name, last_name) ILIKE ?`, [pattern]));
  }
  return paginate<UserRecord>(query, 'user_id', filter);
}

export async function updateUserRow(tx: Tx, userId: string, changes: UserChanges): Promise<void> {
  const defined: Record<string, unknown> = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
  if (changes.password_hash) Object.assign(defined, { password_changed_at: tx.fn.now() });
  await tx('users').where({ user_id: userId }).update({ ...defined, updated_at: tx.fn.now() });
}

export async function deactivateUserRow(tx: Tx, userId: string, deactivatedBy: string): Promise<void> {
  await tx('users').where({ user_id: userId }).update({
    status: 'deactivated', deactivated_at: tx.fn.now(), deactivated_reason: 'deactivated through the users API',
    updated_by: deactivatedBy, updated_at: tx.fn.now(),
  });
}

/**
 * Holds the tenant's seat lock until the transaction ends, so two concurrent creates cannot both see a free seat.
 * Two keys (module, tenant) keep this lock apart from any other advisory lock.
 */
export async function lockSeats(tx: Tx, tenantId: string): Promise<void> {
  await tx.raw(`SELECT pg_advisory_xact_lock(hashtext('users.seats'), hashtext(?))`, [tenantId]);
}

export async function countSeatHolders(tx: Tx): Promise<number> {
  const row = await tx('users').whereRaw(HOLDS_A_SEAT).count<{ count: string }>({ count: '*' }).first();
  return Number(row?.count ?? 0);
}

/** Each user's current (unexpired) roles, keyed by user id. */
export async function rolesOfUsers(tx: Tx, userIds: readonly string[]): Promise<Map<string, RoleSummary[]>> {
  const byUser = new Map<string, RoleSummary[]>(userIds.map((id) => [id, []]));
  if (!userIds.length) return byUser;
  const rows: (RoleSummary & { user_id: string })[] = await tx('user_roles')
    .join('roles', 'roles.role_id', 'user_roles.role_id')
    .whereIn('user_roles.user_id', userIds)
    .where((query) => query.whereNull('user_roles.expires_at').orWhere('user_roles.expires_at', '>', tx.fn.now()))
    .select('user_roles.user_id', 'roles.role_id', 'roles.role_name', 'roles.is_system_role', 'roles.data_scope')
    .orderBy('roles.role_name');
  for (const { user_id, ...role } of rows) byUser.get(user_id)?.push(role);
  return byUser;
}
