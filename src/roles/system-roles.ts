import type { Action, PermissionRule, Subject } from '../auth/ability.js';
import type { DataScope } from '../auth/actor.js';
import type { Tx } from '../db/scope.js';
import {
  findRoleRowsByNames, insertRoleRow, insertRolesWithPermissions, permissionsOfRoles, replaceRolePermissions, updateRoleRow,
} from './repository.js';

// The eight system roles every tenant starts with. Provider admins may add custom roles; system roles are fixed.

interface SystemRole {
  readonly role_name: string;
  readonly role_description: string;
  readonly data_scope: DataScope;
  readonly rules: readonly PermissionRule[];
}

const all = (action: Action, ...subjects: Subject[]): PermissionRule[] => subjects.map((subject) => ({ action, subject }));
const BOOK: Subject[] = ['Policyholder', 'Policy', 'Payment', 'Claim', 'Dependent', 'Import'];

export const SYSTEM_ROLES: readonly SystemRole[] = [
  // Listed for completeness: super admins are platform accounts, and the role cannot be assigned in a tenant.
  { role_name: 'super_admin', role_description: 'Platform administrator: a platform account, never a tenant user',
    data_scope: 'none', rules: [] },
  { role_name: 'insurance_provider_admin', role_description: 'Administers the tenant: users, roles, agents, products, claims',
    data_scope: 'tenant', rules: all('manage', 'all') },
  { role_name: 'regional_manager', role_description: 'Manages the agents below them and their books',
    data_scope: 'team', rules: [
      ...all('read', 'User', 'Role', 'Permission', 'PolicyTerms', 'ClaimReview', 'TenantConfig'),
      ...all('manage', 'Agent', 'Policyholder', 'Claim', 'Dependent', 'Import'),
      // Policies and payments: every decision in the team's book, but not the tenant-wide lapse run.
      ...all('read', 'Policy', 'Payment'), ...all('create', 'Policy', 'Payment'), ...all('update', 'Policy', 'Payment'),
      ...all('change_status', 'Policy'), ...all('reconcile', 'Payment'), ...all('refund', 'Payment'),
    ] },
  { role_name: 'senior_agent', role_description: 'Agent who also sees the books of sub-agents',
    data_scope: 'team', rules: [
      ...all('read', 'Agent', 'PolicyTerms', ...BOOK),
      ...all('create', ...BOOK),
      ...all('update', ...BOOK),
    ] },
  { role_name: 'junior_agent', role_description: 'Agent who works their own book',
    data_scope: 'own', rules: [
      ...all('read', 'Agent', 'PolicyTerms', ...BOOK),
      ...all('create', ...BOOK),
      ...all('update', 'Policyholder', 'Policy', 'Dependent'),
    ] },
  { role_name: 'policyholder', role_description: 'Customer with access to their own records',
    // No agent range: the database shows a policyholder user its own record and what hangs off it, nothing else.
    data_scope: 'none', rules: all('read', 'Policyholder', 'Policy', 'Payment', 'Claim', 'Dependent') },
  { role_name: 'support_staff', role_description: 'Reads the whole tenant to help customers and agents',
    data_scope: 'tenant', rules: all('read', 'User', 'Agent', 'PolicyTerms', ...BOOK) },
  { role_name: 'guest', role_description: 'Signed in, no access yet', data_scope: 'none', rules: [] },
];

export const SYSTEM_ROLE_NAMES = SYSTEM_ROLES.map((role) => role.role_name);

/** The role shown for a user with several: the most privileged system role, else the first custom one. */
export function primaryRole(roleNames: readonly string[]): string {
  return SYSTEM_ROLE_NAMES.find((name) => roleNames.includes(name)) ?? [...roleNames].sort()[0] ?? 'guest';
}

/** A rule as a comparable key (system rules carry no conditions, custom ones never reach here). */
const ruleKey = (rule: { action: string; subject: string; conditions?: unknown }) =>
  `${rule.action}:${rule.subject}:${JSON.stringify(rule.conditions ?? null)}`;

/**
 * Brings the tenant's system roles in line with their definition above: creates missing ones, resets scope and
 * description, and replaces their permissions when they differ. Custom roles are never touched. Idempotent: a
 * second run changes nothing (and so writes nothing to the audit trail). Returns the role ids by name.
 */
export async function reconcileSystemRoles(tx: Tx): Promise<Map<string, string>> {
  const existing = await findRoleRowsByNames(tx, SYSTEM_ROLE_NAMES);
  // A new tenant: every role and permission in three statements (each a round trip to a worker on Citus).
  if (!existing.length) return insertRolesWithPermissions(tx, SYSTEM_ROLES.map((role) => ({ ...role, is_system_role: true })));
  const granted = await permissionsOfRoles(tx, existing.map((role) => role.role_id));
  const roleIds = new Map<string, string>();
  for (const { rules, ...role } of SYSTEM_ROLES) {
    const found = existing.find((row) => row.role_name === role.role_name);
    if (found && !found.is_system_role) continue;
    const row = found ?? await insertRoleRow(tx, { ...role, is_system_role: true });
    if (found && (found.role_description !== role.role_description || found.data_scope !== role.data_scope)) {
      await updateRoleRow(tx, found.role_id, { role_description: role.role_description, data_scope: role.data_scope });
    }
    const have = new Set((found ? granted.get(found.role_id) ?? [] : []).map(ruleKey));
    const want = new Set(rules.map(ruleKey));
    if (!found || have.size !== want.size || [...want].some((key) => !have.has(key))) {
      await replaceRolePermissions(tx, row.role_id, rules);
    }
    roleIds.set(role.role_name, row.role_id);
  }
  return roleIds;
}
