import { NO_BOOK, WHOLE_BOOK, type BookRange, type Tx } from '../db/scope.js';
import { ForbiddenError, UnauthenticatedError } from '../errors.js';
import type { TenantRecord } from '../tenants/repository.js';
import { buildAbility, type AppAbility, type PermissionRule } from './ability.js';
import { findPlatformSessionActor, findSessionActor, type TenantActorRow } from './actor-repository.js';
import { INVALID_TOKEN, type AccessClaims } from './tokens.js';

export type DataScope = 'tenant' | 'team' | 'own' | 'none';
/** Data scopes from narrowest to widest. */
export const SCOPE_WIDTH: Record<DataScope, number> = { none: 0, own: 1, team: 2, tenant: 3 };

/**
 * Who is acting, rebuilt from the database on every request (nothing but identity is taken from the token):
 * a tenant user, a platform super admin, or a system job (no user, no session, the whole tenant).
 */
export interface Actor {
  readonly kind: 'tenant' | 'platform' | 'system';
  readonly user_id: string | null;
  readonly session_id: string | null;
  readonly email: string | null;
  readonly tenant: TenantRecord | null;
  readonly roles: readonly string[];
  readonly data_scope: DataScope;
  readonly agent_id: string | null;
  /** The part of the agent book the transaction sees (also app.agent_lo, app.agent_hi, app.policyholder_id). */
  readonly book: BookRange;
  readonly rules: readonly PermissionRule[];
  readonly ability: AppAbility;
  /** When and how the caller signed in (from the token; a job has neither): step-up checks these. */
  readonly auth_time: number | null;
  readonly amr: readonly string[];
}

/** The caller's tenant id; only tenant endpoints ask, and platform callers never reach them. */
export function tenantIdOf(actor: Actor): string {
  if (!actor.tenant) throw new ForbiddenError('This needs a tenant user.');
  return actor.tenant.tenant_id;
}

/** The user id of a signed-in caller (endpoints that need one are never run by a job). */
export function userIdOf(actor: Actor): string {
  if (!actor.user_id) throw new ForbiddenError('This needs a signed-in user.');
  return actor.user_id;
}

/**
 * Loads the caller inside its tenant transaction: the session must be live and the user active. The same query
 * reads the caller's agent numbers, from which the book range follows (the scope then sets it).
 */
export async function loadTenantActor(tx: Tx, tenant: TenantRecord, claims: AccessClaims): Promise<Actor> {
  const row = await findSessionActor(tx, claims.sub, claims.sid);
  if (!row) throw new UnauthenticatedError('The session has ended.', INVALID_TOKEN);
  const dataScope = row.roles.reduce<DataScope>(
    (widest, role) => (SCOPE_WIDTH[role.data_scope] > SCOPE_WIDTH[widest] ? role.data_scope : widest), 'none');
  return {
    kind: 'tenant',
    user_id: row.user_id,
    session_id: claims.sid,
    email: row.email,
    tenant,
    roles: row.roles.map((role) => role.role_name),
    data_scope: dataScope,
    agent_id: row.agent_id,
    book: bookRangeOf(dataScope, row),
    rules: row.rules,
    ability: buildAbility(row.rules, { user_id: row.user_id, tenant_id: tenant.tenant_id, agent_id: row.agent_id }),
    auth_time: claims.auth_time,
    amr: claims.amr,
  };
}

/**
 * The pre-order range of the agents whose book the data scope reaches: the whole range for tenant-wide roles,
 * the agent's subtree for 'team', its own number for 'own'. A caller without an agent range who is a
 * policyholder user gets its own record's book number and app.policyholder_id, which the policies use to keep
 * it to its own rows; nobody else gets anything.
 */
export function bookRangeOf(scope: DataScope,
  row: Pick<TenantActorRow, 'agent_pre_order' | 'agent_subtree_hi' | 'policyholder_id' | 'policyholder_agent_order'>): BookRange {
  if (scope === 'tenant') return WHOLE_BOOK;
  const agent = row.agent_pre_order !== null && row.agent_subtree_hi !== null && scope !== 'none';
  if (agent && scope === 'own') return { lo: row.agent_pre_order as number, hi: row.agent_pre_order as number, policyholder_id: null };
  if (agent) return { lo: row.agent_pre_order as number, hi: row.agent_subtree_hi as number, policyholder_id: null };
  if (row.policyholder_id && row.policyholder_agent_order !== null) {
    return { lo: row.policyholder_agent_order, hi: row.policyholder_agent_order, policyholder_id: row.policyholder_id };
  }
  return NO_BOOK;
}

/** A job's actor: no user or session, the whole tenant, and the rights of a provider admin. */
export function systemActor(tenant: TenantRecord): Actor {
  const rules: PermissionRule[] = [{ action: 'manage', subject: 'all' }];
  return {
    kind: 'system',
    user_id: null,
    session_id: null,
    email: null,
    tenant,
    roles: [],
    data_scope: 'tenant',
    agent_id: null,
    book: WHOLE_BOOK,
    rules,
    ability: buildAbility(rules, { user_id: null, tenant_id: tenant.tenant_id, agent_id: null }),
    auth_time: null,
    amr: [],
  };
}

/** A super admin, inside the platform transaction. */
export async function loadPlatformActor(tx: Tx, claims: AccessClaims): Promise<Actor> {
  const row = await findPlatformSessionActor(tx, claims.sub, claims.sid);
  if (!row) throw new UnauthenticatedError('The session has ended.', INVALID_TOKEN);
  const rules: PermissionRule[] = [{ action: 'manage', subject: 'all' }];
  return {
    kind: 'platform',
    user_id: row.user_id,
    session_id: claims.sid,
    email: row.email,
    tenant: null,
    roles: ['super_admin'],
    data_scope: 'none',
    agent_id: null,
    book: NO_BOOK,
    rules,
    ability: buildAbility(rules, { user_id: row.user_id, tenant_id: null, agent_id: null }),
    auth_time: claims.auth_time,
    amr: claims.amr,
  };
}
