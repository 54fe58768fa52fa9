import type { Database } from '../db/database.js';
import { bookRangeSetters, MAX_AGENT_ORDER } from '../db/scope.js';
import { preparedOpening, type PreparedOpening } from '../db/sql-literals.js';
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
  /** The widest data scope among the caller's roles ('none' without roles). */
  readonly data_scope: DataScope;
  readonly roles: { role_name: string; data_scope: DataScope }[];
  readonly rules: PermissionRule[];
  readonly book_lo: number;
  readonly book_hi: number;
  readonly book_policyholder_id: string | null;
  /** What the opening set app.agent_lo, app.agent_hi, app.policyholder_id to (null on Citus: set after it). */
  readonly set_agent_lo: string | null;
  readonly set_agent_hi: string | null;
  readonly set_policyholder_id: string | null;
}

/**
 * The opening SELECT of a signed-in caller's scope (a prepared statement riding the transaction's first round trip,
 * its two ids checked uuids): the user behind a live session with its roles and the rules they grant, no row when the
 * session has ended. It also derives the caller's book range (book_lo/book_hi/book_policyholder_id: the whole
 * range for tenant-wide roles, the agent's subtree for 'team', its own number for 'own', a policyholder user's own
 * record's number and id, else nobody) and sets it for the rest of the transaction (see bookRangeSetters).
 */
export function sessionActorOpening(db: Database, userId: string, sessionId: string): PreparedOpening {
  const user = '$1::uuid';
  return preparedOpening('am_session_actor', `
    WITH granted AS (
      SELECT r.role_id, r.role_name, r.data_scope FROM user_roles ur JOIN roles r ON r.role_id = ur.role_id
       WHERE ur.user_id = ${user} AND (ur.expires_at IS NULL OR ur.expires_at > now())),
    caller AS (
      SELECT u.user_id, u.email, a.agent_id, a.pre_order AS agent_pre_order, a.subtree_hi AS agent_subtree_hi,
             u.policyholder_id, u.policyholder_agent_order,
             coalesce((SELECT data_scope FROM granted ORDER BY ${SCOPE_RANK} DESC LIMIT 1), 'none') AS data_scope,
             coalesce((SELECT json_agg(json_build_object('role_name', role_name, 'data_scope', data_scope)
                                       ORDER BY role_name) FROM granted), '[]') AS roles,
             coalesce((SELECT json_agg(DISTINCT jsonb_build_object('action', p.action, 'subject', p.subject,
                                                                   'conditions', p.conditions))
                         FROM granted g JOIN role_permissions rp ON rp.role_id = g.role_id
                         JOIN permissions p ON p.permission_id = rp.permission_id), '[]') AS rules
        FROM user_sessions s JOIN users u ON u.user_id = s.user_id
        LEFT JOIN agents a ON a.user_id = u.user_id AND a.status = 'active'
       WHERE s.session_id = $2::uuid AND s.user_id = ${user} AND s.revoked_at IS NULL
         AND s.expires_at > now() AND u.status = 'active'
       LIMIT 1),
    book AS (
      SELECT caller.*, CASE
          WHEN data_scope = 'tenant' THEN 0
          WHEN data_scope IN ('own', 'team') AND agent_pre_order IS NOT NULL AND agent_subtree_hi IS NOT NULL THEN agent_pre_order
          WHEN policyholder_id IS NOT NULL AND policyholder_agent_order IS NOT NULL THEN policyholder_agent_order
          ELSE 0 END AS book_lo, CASE
          WHEN data_scope = 'tenant' THEN ${MAX_AGENT_ORDER}
          WHEN data_scope = 'own' AND agent_pre_order IS NOT NULL AND agent_subtree_hi IS NOT NULL THEN agent_pre_order
          WHEN data_scope = 'team' AND agent_pre_order IS NOT NULL AND agent_subtree_hi IS NOT NULL THEN agent_subtree_hi
          WHEN policyholder_id IS NOT NULL AND policyholder_agent_order IS NOT NULL THEN policyholder_agent_order
          ELSE -1 END AS book_hi, CASE
          WHEN data_scope = 'tenant' THEN NULL
          WHEN data_scope IN ('own', 'team') AND agent_pre_order IS NOT NULL AND agent_subtree_hi IS NOT NULL THEN NULL
          WHEN policyholder_agent_order IS NOT NULL THEN policyholder_id END AS book_policyholder_id
        FROM caller)
    SELECT book.*, ${bookRangeSetters(db, 'book_lo', 'book_hi', 'book_policyholder_id')} FROM book`, [userId, sessionId]);
}

const SCOPE_RANK = `CASE data_scope WHEN 'tenant' THEN 3 WHEN 'team' THEN 2 WHEN 'own' THEN 1 ELSE 0 END`;

export interface PlatformActorRow {
  readonly user_id: string;
  readonly email: string;
}

/** The opening SELECT of a super admin's scope (prepared, as above): no row when the session has ended. */
export function platformSessionActorOpening(userId: string, sessionId: string): PreparedOpening {
  return preparedOpening('am_platform_session_actor', `
    SELECT u.user_id, u.email FROM platform_sessions s JOIN platform_users u ON u.user_id = s.user_id
     WHERE s.session_id = $2::uuid AND s.user_id = $1::uuid
       AND s.revoked_at IS NULL AND s.expires_at > now() AND u.status = 'active'`, [userId, sessionId]);
}
