import type { RoleSummary } from '../../schemas/roles.js';
import type { CreateUserBody, PatchUserBody, UserListQuery } from '../../schemas/users.js';
import { clearSignInFailures, endSessionsOf } from '../auth/service.js';
import { allowedRecords, authorize, can } from '../auth/ability.js';
import { tenantIdOf, userIdOf, type Actor } from '../auth/actor.js';
import { clearMfa, findMfaState, setPasswordChangeRequired } from '../auth/mfa-repository.js';
import { deleteAllCredentials } from '../auth/webauthn-repository.js';
import { requireRecentSignIn } from '../auth/step-up.js';
import type { Tx } from '../db/scope.js';
import { notifyAccountOwner } from '../notifications/notify.js';
import { recordSecurityEvent } from '../security-events/record.js';
import type { AppDeps } from '../deps.js';
import { BusinessRuleError, ConflictError, NotFoundError, ValidationError } from '../errors.js';
import type { Page } from '../db/pagination.js';
import { assertMayAssignRoles, assertMayHandOutRoles, rolesForAssignment } from '../roles/service.js';
import {
  assignRoles, countSeatHolders, deactivateUserRow, findUserRecord, insertUser, listUserRecords, lockSeats, replaceUserRoles,
  rolesOfUsers, updateUserRow, type UserChanges, type UserRecord,
} from './repository.js';

// Managing another user is managing its roles' power: a caller may change only users whose grants it holds itself,
// or a holder of update User could reset an administrator's password and sign in as them.

type Deps = Pick<AppDeps, 'passwords' | 'config' | 'now' | 'db' | 'log' | 'notifier'>;

/** A user as the API shows it (serialised by the User schema's shape). */
export type UserView = UserRecord & { readonly roles: RoleSummary[] };

async function withRoles(tx: Tx, records: readonly UserRecord[]): Promise<UserView[]> {
  const roles = await rolesOfUsers(tx, records.map((record) => record.user_id));
  return records.map((record) => ({ ...record, roles: roles.get(record.user_id) ?? [] }));
}

async function shownUser(tx: Tx, userId: string): Promise<UserView> {
  const record = await findUserRecord(tx, userId);
  if (!record) throw new NotFoundError('No such user.');
  const [user] = await withRoles(tx, [record]);
  return user as UserView;
}

/** A user the caller may see; others are "not found", exactly like a user of another tenant. */
async function visibleUser(tx: Tx, actor: Actor, userId: string, forUpdate = false): Promise<UserRecord> {
  const record = await findUserRecord(tx, userId, { forUpdate });
  if (!record || !can(actor.ability, 'read', 'User', record)) throw new NotFoundError('No such user.');
  return record;
}

/**
 * Linking a login to an agent or a policyholder, or unlinking it, is an act on that user: `update` on User, checked
 * against the user's own record, so a role whose User rules have conditions links only the users they name. An
 * unknown id passes here: the caller reports it as a missing reference.
 */
export async function authorizeUserLink(tx: Tx, actor: Actor, userId: string): Promise<void> {
  authorize(actor.ability, 'update', 'User');
  const record = await findUserRecord(tx, userId);
  if (record) authorize(actor.ability, 'update', 'User', record);
}

/**
 * A user the caller may change with `action`: visible, allowed on this record, and no more powerful than the caller.
 * From here on only the record's own user_id is used: the database's spelling, whatever the request's was.
 */
async function manageableUser(tx: Tx, actor: Actor, userId: string, action: 'update' | 'delete'): Promise<UserRecord> {
  authorize(actor.ability, action, 'User');
  const record = await visibleUser(tx, actor, userId, true);
  authorize(actor.ability, action, 'User', record);
  const held = (await rolesOfUsers(tx, [record.user_id])).get(record.user_id);
  if (!held) throw new Error(`rolesOfUsers did not answer for ${record.user_id}`);
  await assertMayHandOutRoles(tx, actor, held);
  return record;
}

function isSelf(actor: Actor, record: UserRecord): boolean {
  return record.user_id === actor.user_id;
}

export async function listUsers(tx: Tx, actor: Actor, query: UserListQuery): Promise<Page<UserView>> {
  authorize(actor.ability, 'read', 'User');
  const page = await listUserRecords(tx, allowedRecords(actor.ability, 'read', 'User'), query);
  return { data: await withRoles(tx, page.data), next_cursor: page.next_cursor };
}

export async function getUser(tx: Tx, actor: Actor, userId: string): Promise<UserView> {
  authorize(actor.ability, 'read', 'User');
  const [user] = await withRoles(tx, [await visibleUser(tx, actor, userId)]);
  return user as UserView;
}

export async function createUser(tx: Tx, deps: Deps, actor: Actor, body: CreateUserBody): Promise<UserView> {
  authorize(actor.ability, 'create', 'User');
  const { password, role_ids: roleIds, ...profile } = body;
  if (roleIds.length) authorize(actor.ability, 'update', 'Role');
  const roles = await rolesForAssignment(tx, roleIds);
  await assertMayAssignRoles(tx, actor, roles);
  // ASVS V3.7.1: handing out roles needs a recent sign-in.
  if (roles.length) await requireRecentSignIn(deps, tx, actor);
  const passwordHash = await deps.passwords.hash(password);
  await takeSeat(tx, actor);
  const row = await insertUser(tx, { ...profile, password_hash: passwordHash, created_by: actor.user_id });
  // The creator knows this password: the user must replace it at the first sign-in.
  if (deps.config.mfa.adminSetPasswordMustChange) await setPasswordChangeRequired(tx, 'tenant', row.user_id, true);
  // The user as written (its id included) must be one the caller may create; otherwise all of it rolls back.
  authorize(actor.ability, 'create', 'User', await findUserRecord(tx, row.user_id));
  await assignRoles(tx, row.user_id, roles.map((role) => role.role_id), actor.user_id);
  if (roles.length) {
    await recordSecurityEvent(tx, { kind: 'user.roles_changed', outcome: 'success', target: { type: 'user', id: row.user_id },
      details: { granted: namesOf(roles, []), revoked: [], new_user: true } });
  }
  return shownUser(tx, row.user_id);
}

/** 422 once the tenant's non-deactivated users reach max_users; the lock makes the count hold until commit. */
async function takeSeat(tx: Tx, actor: Actor): Promise<void> {
  const maxUsers = actor.tenant?.max_users ?? 0;
  await lockSeats(tx, tenantIdOf(actor));
  if ((await countSeatHolders(tx)) >= maxUsers) {
    throw new BusinessRuleError(`The tenant already has its maximum of ${maxUsers} users; deactivate one or raise max_users.`,
      [{ path: 'body', message: `exceeds the tenant's max_users of ${maxUsers}` }], { code: 'tenant.user_limit' });
  }
}

export async function updateUser(tx: Tx, deps: Deps, actor: Actor, userId: string, body: PatchUserBody): Promise<UserView> {
  const record = await manageableUser(tx, actor, userId, 'update');
  if (record.status === 'deactivated') throw new ConflictError('A deactivated user cannot be changed.');
  if (isSelf(actor, record) && body.status && body.status !== 'active') {
    throw new ConflictError('You cannot suspend or disable your own account.');
  }
  // ASVS V2.1.6: one's own password changes only with the current one, so a stolen session cannot take the account.
  if (isSelf(actor, record) && body.password) {
    throw new ConflictError('Change your own password with POST /auth/password, which asks for the current one.');
  }
  assertKeepsAnIdentifier(record, body);
  const { password, ...profile } = body;
  // Allowed on the user as it is (manageableUser) and as it will be.
  authorize(actor.ability, 'update', 'User', { ...record, ...withoutUndefined(profile) });
  // ASVS V3.7.1: resetting a password (taking the account over, in the wrong hands) needs a recent sign-in.
  if (password) await requireRecentSignIn(deps, tx, actor);
  const changes: UserChanges = { ...profile, updated_by: userIdOf(actor) };
  if (password) changes.password_hash = await deps.passwords.hash(password);
  await updateUserRow(tx, record.user_id, changes);
  if (password && deps.config.mfa.adminSetPasswordMustChange) await setPasswordChangeRequired(tx, 'tenant', record.user_id, true);
  const target = { type: 'user', id: record.user_id };
  if (password) {
    await endSessionsOf(tx, record.user_id, 'password_changed');
    await clearSignInFailures(tx, actor.tenant?.tenant_code ?? '', await findUserRecord(tx, record.user_id) ?? record);
    await recordSecurityEvent(tx, { kind: 'auth.password_reset', outcome: 'success', target, details: { sessions_ended: true } });
    await notifyAccountOwner(tx, deps, { kind: 'tenant', user_id: record.user_id }, 'account.password_reset');
  }
  if (!password && body.status && body.status !== 'active') await endSessionsOf(tx, record.user_id, `status_${body.status}`);
  if (body.status && body.status !== record.status) {
    await recordSecurityEvent(tx, { kind: 'user.status_changed', outcome: 'success', target,
      details: { from: record.status, to: body.status } });
  }
  return shownUser(tx, record.user_id);
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined)) as Partial<T>;
}

function assertKeepsAnIdentifier(record: UserRecord, body: PatchUserBody): void {
  const after = {
    email: body.email === undefined ? record.email : body.email,
    phone_number: body.phone_number === undefined ? record.phone_number : body.phone_number,
    username: body.username === undefined ? record.username : body.username,
  };
  if (!after.email && !after.phone_number && !after.username) {
    throw new ValidationError([{ path: 'body', message: 'a user needs at least one of email, phone_number or username' }]);
  }
}

/** Deactivates (nothing is hard-deleted) and ends every session, so the user's tokens stop at once. */
export async function deactivateUser(tx: Tx, actor: Actor, userId: string): Promise<void> {
  authorize(actor.ability, 'delete', 'User');
  const target = await visibleUser(tx, actor, userId, true);
  if (isSelf(actor, target)) throw new ConflictError('You cannot deactivate your own account.');
  const record = await manageableUser(tx, actor, target.user_id, 'delete');
  if (record.status === 'deactivated') return;
  await deactivateUserRow(tx, record.user_id, userIdOf(actor));
  await endSessionsOf(tx, record.user_id, 'deactivated');
  await recordSecurityEvent(tx, { kind: 'user.deactivated', outcome: 'success', target: { type: 'user', id: record.user_id },
    details: { sessions_ended: true } });
}

/**
 * ASVS V2.5.7: a user who lost both the authenticator and the recovery codes gets MFA reset by an administrator who
 * may update them (never their own: that would let a stolen password and session remove the second factor): the
 * authenticator, the recovery codes and every security key go. Needs a recent sign-in; the user's sessions end, the owner is told, and the next sign-in enrols again where MFA is required.
 */
export async function resetUserMfa(tx: Tx, deps: Deps, actor: Actor, userId: string): Promise<void> {
  authorize(actor.ability, 'update', 'User');
  const target = await visibleUser(tx, actor, userId, true);
  if (isSelf(actor, target)) {
    throw new ConflictError('You cannot reset your own MFA: sign in with a recovery code, or ask another administrator.');
  }
  const record = await manageableUser(tx, actor, target.user_id, 'update');
  await requireRecentSignIn(deps, tx, actor);
  const state = await findMfaState(tx, 'tenant', record.user_id);
  const keysRemoved = await deleteAllCredentials(tx, 'tenant', record.user_id);
  if (!state?.mfa_secret_sealed && !state?.mfa_pending_secret_sealed && keysRemoved === 0) {
    throw new ConflictError('MFA is not set up for this user.', { code: 'auth.mfa_not_enrolled' });
  }
  await clearMfa(tx, 'tenant', record.user_id);
  await endSessionsOf(tx, record.user_id, 'mfa_reset');
  await recordSecurityEvent(tx, { kind: 'mfa.reset', outcome: 'success', target: { type: 'user', id: record.user_id },
    details: { sessions_ended: true, security_keys_removed: keysRemoved } });
  await notifyAccountOwner(tx, deps, { kind: 'tenant', user_id: record.user_id }, 'mfa.reset');
}

/** PUT semantics: the user ends up with exactly these roles. Both the added and the removed ones must be the caller's. */
export async function replaceRolesOfUser(tx: Tx, deps: Pick<AppDeps, 'config' | 'now' | 'db' | 'log'>, actor: Actor, userId: string,
  roleIds: readonly string[]): Promise<UserView> {
  authorize(actor.ability, 'update', 'Role');
  authorize(actor.ability, 'update', 'User');
  const target = await visibleUser(tx, actor, userId, true);
  // Another administrator changes yours: an admin who stripped its own roles could leave the tenant with none.
  if (isSelf(actor, target)) throw new ConflictError('You cannot change your own roles.');
  // Taking roles away is allowed on deactivated users too (it frees a custom role for deletion); granting is not.
  const record = await manageableUser(tx, actor, target.user_id, 'update');
  const roles = await rolesForAssignment(tx, roleIds);
  const held = (await rolesOfUsers(tx, [record.user_id])).get(record.user_id) ?? [];
  const granted = roles.filter((role) => !held.some((mine) => mine.role_id === role.role_id));
  if (record.status === 'deactivated' && granted.length) {
    throw new ConflictError('A deactivated user cannot be given roles; only taking roles away is allowed.');
  }
  const changed = [...granted, ...held.filter((mine) => !roles.some((role) => role.role_id === mine.role_id))];
  await assertMayAssignRoles(tx, actor, changed);
  await requireRecentSignIn(deps, tx, actor);
  await replaceUserRoles(tx, record.user_id, roles.map((role) => role.role_id), userIdOf(actor));
  if (changed.length) {
    await recordSecurityEvent(tx, { kind: 'user.roles_changed', outcome: 'success', target: { type: 'user', id: record.user_id },
      details: { granted: namesOf(roles, held), revoked: namesOf(held, roles) } });
  }
  return shownUser(tx, record.user_id);
}

/** The names of the roles in `these` that are not in `those`. */
function namesOf(these: readonly { role_id: string; role_name: string }[], those: readonly { role_id: string }[]): string[] {
  return these.filter((role) => !those.some((other) => other.role_id === role.role_id)).map((role) => role.role_name);
}

/** The first provider admin of a tenant being onboarded (privileged path: there is no caller to check yet). */
export async function createFirstAdmin(tx: Tx, admin: { email: string; password_hash: string; first_name: string;
  last_name: string }, adminRoleId: string, mustChangePassword = false): Promise<void> {
  const user = await insertUser(tx, admin);
  // The super admin chose this password: the provider admin replaces it at the first sign-in.
  if (mustChangePassword) await setPasswordChangeRequired(tx, 'tenant', user.user_id, true);
  await assignRoles(tx, user.user_id, [adminRoleId], null);
}
