import crypto from 'node:crypto';
import type { Permission } from '../../schemas/roles.js';
import type { AllowedRecords, PermissionRule } from '../auth/ability.js';
import { whereAllowed } from '../db/conditions.js';
import type { DataScope } from '../auth/actor.js';
import type { Tx } from '../db/scope.js';
import { paginate, type Page } from '../db/pagination.js';

export interface RoleRow {
  readonly role_id: string;
  readonly role_name: string;
  readonly role_description: string | null;
  readonly is_system_role: boolean;
  readonly data_scope: DataScope;
  readonly created_at: Date;
  readonly updated_at: Date;
}

export interface RolePatch {
  readonly role_description?: string | null | undefined;
  readonly data_scope?: DataScope | undefined;
}

const ROLE_COLUMNS = ['role_id', 'role_name', 'role_description', 'is_system_role', 'data_scope', 'created_at', 'updated_at'];
const PERMISSION_COLUMNS = ['permission_id', 'action', 'subject', 'conditions', 'permission_name'];

/** The roles the caller may read (its role conditions applied in SQL). */
export async function listRoleRows(tx: Tx, allowed: AllowedRecords, options: { limit: number; cursor?: string | undefined })
  : Promise<Page<RoleRow>> {
  const query = whereAllowed(tx('roles').select(ROLE_COLUMNS), 'Role', allowed,
    { role_id: 'role_id', role_name: 'role_name', is_system_role: 'is_system_role', data_scope: 'data_scope' });
  return paginate<RoleRow>(query, 'role_id', options);
}

export async function findRoleRow(tx: Tx, roleId: string, options: { forUpdate?: boolean } = {}): Promise<RoleRow | undefined> {
  const query = tx('roles').first(ROLE_COLUMNS).where({ role_id: roleId });
  return options.forUpdate ? query.forUpdate() : query;
}

export async function findRoleRowsByIds(tx: Tx, roleIds: readonly string[]): Promise<RoleRow[]> {
  if (!roleIds.length) return [];
  return tx('roles').select(ROLE_COLUMNS).whereIn('role_id', roleIds);
}

export async function findRoleRowsByNames(tx: Tx, names: readonly string[]): Promise<RoleRow[]> {
  return tx('roles').select(ROLE_COLUMNS).whereIn('role_name', names);
}

export async function insertRoleRow(tx: Tx, role: { role_name: string; role_description?: string | null | undefined;
  data_scope: DataScope; is_system_role?: boolean }): Promise<RoleRow> {
  const [row] = await tx('roles').insert({ is_system_role: false, ...role }).returning(ROLE_COLUMNS);
  return row;
}

export async function updateRoleRow(tx: Tx, roleId: string, patch: RolePatch): Promise<void> {
  const changes = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
  await tx('roles').where({ role_id: roleId }).update({ ...changes, updated_at: tx.fn.now() });
}

/** Its role_permissions rows go with it (ON DELETE CASCADE). */
export async function deleteRoleRow(tx: Tx, roleId: string): Promise<void> {
  await tx('roles').where({ role_id: roleId }).delete();
}

export async function countRoleAssignments(tx: Tx, roleId: string): Promise<number> {
  const row = await tx('user_roles').where({ role_id: roleId }).count<{ count: string }>({ count: '*' }).first();
  return Number(row?.count ?? 0);
}

/** Each role's permissions, keyed by role id (roles without any map to []). */
export async function permissionsOfRoles(tx: Tx, roleIds: readonly string[]): Promise<Map<string, Permission[]>> {
  const byRole = new Map<string, Permission[]>(roleIds.map((id) => [id, []]));
  if (!roleIds.length) return byRole;
  const rows: (Permission & { role_id: string })[] = await tx('role_permissions')
    .join('permissions', 'permissions.permission_id', 'role_permissions.permission_id')
    .whereIn('role_permissions.role_id', roleIds)
    .select('role_permissions.role_id', ...PERMISSION_COLUMNS.map((column) => `permissions.${column}`))
    .orderBy(['permissions.subject', 'permissions.action', 'permissions.permission_id']);
  for (const { role_id, ...permission } of rows) byRole.get(role_id)?.push(permission);
  return byRole;
}

/** Replaces the role's permissions with these rules, creating catalog entries on first use. */
export async function replaceRolePermissions(tx: Tx, roleId: string, rules: readonly PermissionRule[]): Promise<void> {
  await tx('role_permissions').where({ role_id: roleId }).delete();
  const permissionIds = new Set<string>();
  for (const rule of rules) permissionIds.add(await ensurePermission(tx, rule));
  if (!permissionIds.size) return;
  await tx('role_permissions').insert([...permissionIds].map((permissionId) => ({ role_id: roleId, permission_id: permissionId })));
}

/**
 * Roles and their permissions into a tenant that has none yet (onboarding): three INSERTs whatever the number of
 * rules, ids made here, instead of a lookup and an insert per rule. On Citus each statement is a trip to the worker.
 */
export async function insertRolesWithPermissions(tx: Tx, roles: readonly {
  role_name: string; role_description: string; data_scope: DataScope; is_system_role: boolean; rules: readonly PermissionRule[];
}[]): Promise<Map<string, string>> {
  const permissions = new Map<string, { permission_id: string; action: string; subject: string; conditions: string | null }>();
  const links: { role_id: string; permission_id: string }[] = [];
  const roleRows = roles.map(({ rules, ...role }) => {
    const row = { ...role, role_id: crypto.randomUUID() };
    for (const rule of rules) {
      const conditions = rule.conditions ? canonicalJson(rule.conditions) : null;
      const key = `${rule.action} ${rule.subject} ${conditions ?? ''}`;
      let permission = permissions.get(key);
      if (!permission) {
        permission = { permission_id: crypto.randomUUID(), action: rule.action, subject: rule.subject, conditions };
        permissions.set(key, permission);
      }
      if (!links.some((link) => link.role_id === row.role_id && link.permission_id === permission.permission_id)) {
        links.push({ role_id: row.role_id, permission_id: permission.permission_id });
      }
    }
    return row;
  });
  if (permissions.size) await tx('permissions').insert([...permissions.values()]);
  if (roleRows.length) await tx('roles').insert(roleRows);
  if (links.length) await tx('role_permissions').insert(links);
  return new Map(roleRows.map((row) => [row.role_name, row.role_id]));
}

/** JSON with object keys sorted, so equal conditions give one permission row (jsonb compares them equal too). */
function canonicalJson(value: unknown): string {
  const sorted = (item: unknown): unknown => (Array.isArray(item) ? item.map(sorted)
    : item && typeof item === 'object'
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, sorted(v)]))
      : item);
  return JSON.stringify(sorted(value));
}

/** The catalog entries the caller may read (its role conditions applied in SQL). */
export async function listPermissionRows(tx: Tx, allowed: AllowedRecords, options: { limit: number; cursor?: string | undefined })
  : Promise<Page<Permission>> {
  const query = whereAllowed(tx('permissions').select(PERMISSION_COLUMNS), 'Permission', allowed,
    { permission_id: 'permission_id', action: 'action', subject: 'subject' });
  return paginate<Permission>(query, 'permission_id', options);
}

/** The permission row for a rule, created on first use (rules are unique by action, subject and conditions). */
async function ensurePermission(tx: Tx, rule: PermissionRule): Promise<string> {
  const conditions = rule.conditions ? JSON.stringify(rule.conditions) : null;
  const find = () => tx('permissions').first('permission_id')
    .where({ action: rule.action, subject: rule.subject })
    .whereRaw(`coalesce(conditions, '{}'::jsonb) = coalesce(?::jsonb, '{}'::jsonb)`, [conditions]);
  const existing = await find();
  if (existing) return existing.permission_id;
  const { rows } = await tx.raw<{ rows: { permission_id: string }[] }>(`
    INSERT INTO permissions (action, subject, conditions) VALUES (?, ?, ?::jsonb)
    ON CONFLICT DO NOTHING RETURNING permission_id`, [rule.action, rule.subject, conditions]);
  return rows[0]?.permission_id ?? (await find()).permission_id;
}
