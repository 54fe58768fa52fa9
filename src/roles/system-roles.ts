import type { Action, PermissionRule, Subject } from '../auth/ability.js';
import type { DataScope } from '../auth/actor.js';
import type { Tx } from '../db/scope.js';
import { insertRolesWithPermissions } from './repository.js';

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
      ...all('manage', 'Agent', ...BOOK),
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

/** Seeds the system roles and their permissions into the tenant the transaction is scoped to. */
export async function seedSystemRoles(tx: Tx): Promise<Map<string, string>> {
  return insertRolesWithPermissions(tx, SYSTEM_ROLES.map((role) => ({ ...role, is_system_role: true })));
}
