import type { Tx } from '../db/scope.js';
import type { AccountKind } from './account-repository.js';

// What the idle timeout needs to know about a session (ASVS V3.3.2): how long it has been idle, by the database's
// clock, and whether its user holds administrative rights (shorter idle time).

const SESSIONS = { tenant: 'user_sessions', platform: 'platform_sessions' } as const;

export async function sessionIdleSeconds(tx: Tx, kind: AccountKind, sessionId: string): Promise<number> {
  const row = await tx(SESSIONS[kind]).where({ session_id: sessionId })
    .first(tx.raw('extract(epoch FROM now() - last_activity_at)::int AS seconds'));
  return row?.seconds ?? 0;
}

/** Whether a tenant user's current roles may manage users or roles (or everything). */
export async function managesUsersOrRoles(tx: Tx, userId: string): Promise<boolean> {
  const { rows } = await tx.raw<{ rows: { manages: boolean }[] }>(`
    SELECT EXISTS (
      SELECT 1 FROM user_roles ur
        JOIN role_permissions rp ON rp.role_id = ur.role_id
        JOIN permissions p ON p.permission_id = rp.permission_id
       WHERE ur.user_id = ? AND (ur.expires_at IS NULL OR ur.expires_at > now())
         AND p.subject IN ('all', 'User', 'Role') AND p.action IN ('manage', 'create', 'update', 'delete')) AS manages`,
  [userId]);
  return rows[0]?.manages ?? false;
}
