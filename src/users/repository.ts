import type { Tx } from '../db/scope.js';

export interface UserRow {
  readonly user_id: string;
  readonly tenant_id: string;
  readonly email: string | null;
  readonly phone_number: string | null;
  readonly username: string | null;
  readonly first_name: string | null;
  readonly last_name: string | null;
  readonly display_name: string | null;
  readonly status: string;
  readonly created_at: Date;
  readonly updated_at: Date;
}

export type NewUser = {
  password_hash: string;
  email?: string | null;
  phone_number?: string | null;
  username?: string | null;
  first_name?: string | null;
  last_name?: string | null;
  display_name?: string | null;
  created_by?: string | null;
};

/** Columns a user may be shown with: never the password hash or lockout internals. */
export const USER_COLUMNS = [
  'user_id', 'tenant_id', 'email', 'phone_number', 'username', 'first_name', 'last_name', 'display_name',
  'language_preference', 'timezone', 'status', 'last_login_at', 'created_at', 'updated_at', 'deactivated_at',
] as const;

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
