import type { CreateRoleBody, PatchRoleBody, Permission, RoleSummary } from '../../schemas/roles.js';
import { allowedRecords, authorize, can, type PermissionRule } from '../auth/ability.js';
import type { Actor, DataScope } from '../auth/actor.js';
import { requireRecentSignIn } from '../auth/step-up.js';
import type { AppDeps } from '../deps.js';
import type { Tx } from '../db/scope.js';
import { recordSecurityEvent } from '../security-events/record.js';
import { BusinessRuleError, ConflictError, ForbiddenError, NotFoundError } from '../errors.js';
import type { Page } from '../db/pagination.js';
import { describeRule, holdsManageAll, scopeExceeds, uncoveredRules } from './escalation.js';
import {
  countRoleAssignments, deleteRoleRow, findRoleRow, findRoleRowsByIds, insertRoleRow, listPermissionRows, listRoleRows,
  permissionsOfRoles, replaceRolePermissions, updateRoleRow, type RoleRow,
} from './repository.js';

type ListOptions = { limit: number; cursor?: string | undefined };

/** A role as the API shows it (serialised by the Role schema's shape). */
export type RoleView = RoleRow & { readonly permissions: Permission[] };

/** The platform's own role: it exists in every tenant for parity but is never handed out there. */
export const PLATFORM_ONLY_ROLE = 'super_admin';

async function withPermissions(tx: Tx, rows: readonly RoleRow[]): Promise<RoleView[]> {
  const permissions = await permissionsOfRoles(tx, rows.map((row) => row.role_id));
  return rows.map((row) => ({ ...row, permissions: permissions.get(row.role_id) ?? [] }));
}

/** A role the caller may see; anything else is "not found", as a role of another tenant would be. */
async function visibleRole(tx: Tx, actor: Actor, roleId: string, forUpdate = false): Promise<RoleRow> {
  const row = await findRoleRow(tx, roleId, { forUpdate });
  if (!row || !can(actor.ability, 'read', 'Role', row)) throw new NotFoundError('No such role.');
  return row;
}

async function roleWithPermissions(tx: Tx, roleId: string): Promise<RoleView> {
  const row = await findRoleRow(tx, roleId);
  if (!row) throw new NotFoundError('No such role.');
  const [role] = await withPermissions(tx, [row]);
  return role as RoleView;
}

/** 403 unless the caller holds every rule (and at least the data scope) it is handing out or taking away. */
export function assertMayHandOut(actor: Actor, rules: readonly PermissionRule[], dataScope: DataScope): void {
  if (holdsManageAll(actor.rules)) return;
  const missing = uncoveredRules(actor.rules, rules);
  if (missing.length) {
    throw new ForbiddenError(`You cannot grant or change permissions you do not hold: ${missing.map(describeRule).join(', ')}.`);
  }
  if (scopeExceeds(dataScope, actor.data_scope)) {
    throw new ForbiddenError(`You cannot grant or change a data scope (${dataScope}) wider than your own (${actor.data_scope}).`);
  }
}

/** Every rule and the data scope of these roles must be the caller's to hand out. */
export async function assertMayHandOutRoles(tx: Tx, actor: Actor,
  roles: readonly Pick<RoleRow, 'role_id' | 'data_scope'>[]): Promise<void> {
  if (holdsManageAll(actor.rules) || !roles.length) return;
  const permissions = await permissionsOfRoles(tx, roles.map((role) => role.role_id));
  for (const role of roles) assertMayHandOut(actor, permissions.get(role.role_id) ?? [], role.data_scope);
}

/**
 * Assigning or unassigning roles: each one must be a role the caller may update (its conditions checked on that
 * very role, not on "some role"), and hold nothing the caller could not hand out itself.
 */
export async function assertMayAssignRoles(tx: Tx, actor: Actor, roles: readonly RoleSummary[]): Promise<void> {
  for (const role of roles) authorize(actor.ability, 'update', 'Role', role);
  await assertMayHandOutRoles(tx, actor, roles);
}

/** Resolves role ids for assignment: unknown ids and the platform's role are refused (422). */
export async function rolesForAssignment(tx: Tx, roleIds: readonly string[]): Promise<RoleRow[]> {
  const roles = await findRoleRowsByIds(tx, roleIds);
  const unknown = roleIds.filter((id) => !roles.some((role) => role.role_id === id));
  if (unknown.length) {
    throw new BusinessRuleError('Some roles do not exist.', [{ path: 'body.role_ids', message: `unknown role(s): ${unknown.join(', ')}` }]);
  }
  if (roles.some((role) => role.role_name === PLATFORM_ONLY_ROLE)) {
    throw new BusinessRuleError('The super_admin role belongs to the platform and cannot be assigned in a tenant.',
      [{ path: 'body.role_ids', message: 'must not include the super_admin role' }]);
  }
  return roles;
}

export async function listRoles(tx: Tx, actor: Actor, options: ListOptions): Promise<Page<RoleView>> {
  authorize(actor.ability, 'read', 'Role');
  const page = await listRoleRows(tx, allowedRecords(actor.ability, 'read', 'Role'), options);
  return { data: await withPermissions(tx, page.data), next_cursor: page.next_cursor };
}

export async function getRole(tx: Tx, actor: Actor, roleId: string): Promise<RoleView> {
  authorize(actor.ability, 'read', 'Role');
  const [role] = await withPermissions(tx, [await visibleRole(tx, actor, roleId)]);
  return role as RoleView;
}

export async function createRole(tx: Tx, actor: Actor, body: CreateRoleBody): Promise<RoleView> {
  authorize(actor.ability, 'create', 'Role');
  assertMayHandOut(actor, body.permissions, body.data_scope);
  const row = await insertRoleRow(tx, { role_name: body.role_name, role_description: body.role_description, data_scope: body.data_scope });
  // The role as written (its id included) must be one the caller may create; otherwise the insert rolls back.
  authorize(actor.ability, 'create', 'Role', row);
  await replaceRolePermissions(tx, row.role_id, body.permissions);
  await recordRoleChange(tx, row, 'created', { permissions: body.permissions, data_scope: body.data_scope });
  return roleWithPermissions(tx, row.role_id);
}

/** ASVS V7.2.2: a change to what a role permits is a security event, with what it now grants. */
function recordRoleChange(tx: Tx, row: RoleRow, change: 'created' | 'updated' | 'deleted', grants: Record<string, unknown>)
  : Promise<void> {
  return recordSecurityEvent(tx, { kind: 'role.permissions_changed', outcome: 'success', target: { type: 'role', id: row.role_id },
    details: { change, role_name: row.role_name, ...grants } });
}

/** A custom role the caller may change: system roles are fixed, and its current grants must be the caller's too. */
async function changeableRole(tx: Tx, actor: Actor, roleId: string, action: 'update' | 'delete'): Promise<RoleRow> {
  authorize(actor.ability, action, 'Role');
  const row = await visibleRole(tx, actor, roleId, true);
  authorize(actor.ability, action, 'Role', row);
  if (row.is_system_role) throw new ConflictError('System roles cannot be changed or deleted.');
  await assertMayHandOutRoles(tx, actor, [row]);
  return row;
}

export async function updateRole(tx: Tx, deps: Pick<AppDeps, 'config' | 'now' | 'db' | 'log'>, actor: Actor, roleId: string,
  body: PatchRoleBody): Promise<RoleView> {
  const row = await changeableRole(tx, actor, roleId, 'update');
  const dataScope = body.data_scope ?? row.data_scope;
  authorize(actor.ability, 'update', 'Role', { ...row, data_scope: dataScope });
  assertMayHandOut(actor, body.permissions ?? [], dataScope);
  // ASVS V3.7.1: changing what a role grants changes every holder's power: it needs a recent sign-in.
  if (body.permissions || body.data_scope) await requireRecentSignIn(deps, tx, actor);
  await updateRoleRow(tx, row.role_id, { role_description: body.role_description, data_scope: body.data_scope });
  if (body.permissions) await replaceRolePermissions(tx, row.role_id, body.permissions);
  if (body.permissions || body.data_scope) {
    await recordRoleChange(tx, row, 'updated', { permissions: body.permissions, data_scope: dataScope });
  }
  return roleWithPermissions(tx, row.role_id);
}

export async function deleteRole(tx: Tx, actor: Actor, roleId: string): Promise<void> {
  const row = await changeableRole(tx, actor, roleId, 'delete');
  const assignments = await countRoleAssignments(tx, row.role_id);
  if (assignments > 0) throw new ConflictError(`The role is still assigned to ${assignments} user(s); unassign it first.`);
  await deleteRoleRow(tx, row.role_id);
  await recordRoleChange(tx, row, 'deleted', {});
}

export async function listPermissionCatalog(tx: Tx, actor: Actor, options: ListOptions): Promise<Page<Permission>> {
  authorize(actor.ability, 'read', 'Permission');
  return listPermissionRows(tx, allowedRecords(actor.ability, 'read', 'Permission'), options);
}
