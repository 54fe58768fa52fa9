import type { Tx } from '../db/scope.js';
import type { PermissionRule } from './ability.js';
import type { DataScope } from './actor.js';

// The queries behind loading the caller on every request.

export interface TenantActorRow {
  readonly user_id: string;
  readonly email: string | null;
  readonly agent_id: string | null;
  readonly agent_pre_order: number | null;
  readonly agent_subtree_hi: number | null;
  readonly policyholder_id: string | null;
  readonly policyholder_agent_order: number | null;
  readonly roles: { role_name: string; data_scope: DataScope }[];
  readonly rules: PermissionRule[];
}

/** The user behind a live session, with its roles and the rules they grant; undefined when the session has ended. */
export async function findSessionActor(tx: Tx, userId: string, sessionId: string): Promise<TenantActorRow | undefined> {
  const { rows } = await tx.raw<{ rows: TenantActorRow[] }>(`
    WITH granted AS (
      SELECT r.role_id, r.role_name, r.data_scope FROM user_roles ur JOIN roles r ON r.role_id = ur.role_id
       WHERE ur.user_id = :user_id AND (ur.expires_at IS NULL OR ur.expires_at > now()))
    SELECT u.user_id, u.email, a.agent_id, a.pre_order AS agent_pre_order, a.subtree_hi AS agent_subtree_hi,
           u.policyholder_id, u.policyholder_agent_order,
           coalesce((SELECT json_agg(json_build_object('role_name', role_name, 'data_scope', data_scope)
                                     ORDER BY role_name) FROM granted), '[]') AS roles,
           coalesce((SELECT json_agg(DISTINCT jsonb_build_object('action', p.action, 'subject', p.subject,
                                                                 'conditions', p.conditions))
                       FROM granted g JOIN role_permissions rp ON rp.role_id = g.role_id
                       JOIN permissions p ON p.permission_id = rp.permission_id), '[]') AS rules
      FROM user_sessions s JOIN users u ON u.user_id = s.user_id
      LEFT JOIN agents a ON a.user_id = u.user_id AND a.status = 'active'
     WHERE s.session_id = :session_id AND s.user_id = :user_id AND s.revoked_at IS NULL
       AND s.expires_at > now() AND u.status = 'active'`, { user_id: userId, session_id: sessionId });
  return rows[0];
}

export interface PlatformActorRow {
  readonly user_id: string;
  readonly email: string;
}

export async function findPlatformSessionActor(tx: Tx, userId: string, sessionId: string): Promise<PlatformActorRow | undefined> {
  const { rows } = await tx.raw<{ rows: PlatformActorRow[] }>(`
    SELECT u.user_id, u.email FROM platform_sessions s JOIN platform_users u ON u.user_id = s.user_id
     WHERE s.session_id = ? AND s.user_id = ? AND s.revoked_at IS NULL AND s.expires_at > now()
       AND u.status = 'active'`, [sessionId, userId]);
  return rows[0];
}
