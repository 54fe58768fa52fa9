import { NO_BOOK, WHOLE_BOOK, type BookRange } from '../db/scope.js';
import { ForbiddenError, UnauthenticatedError } from '../errors.js';
import type { TenantRecord } from '../tenants/repository.js';
import { buildAbility, type AppAbility, type PermissionRule } from './ability.js';
import type { PlatformActorRow, TenantActorRow } from './actor-repository.js';
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
 * The caller from its scope's opening row (sessionActorOpening, run inside the tenant transaction): the session
 * must be live and the user active. The same row carries the caller's book range, which the opening has set.
 */
export function tenantActorFrom(row: TenantActorRow | undefined, tenant: TenantRecord, claims: AccessClaims): Actor {
  if (!row) throw new UnauthenticatedError('The session has ended.', INVALID_TOKEN);
  return {
    kind: 'tenant',
    user_id: row.user_id,
    session_id: claims.sid,
    email: row.email,
    tenant,
    roles: row.roles.map((role) => role.role_name),
    data_scope: row.data_scope,
    agent_id: row.agent_id,
    book: { lo: row.book_lo, hi: row.book_hi, policyholder_id: row.book_policyholder_id },
    rules: row.rules,
    ability: buildAbility(row.rules, { user_id: row.user_id, tenant_id: tenant.tenant_id, agent_id: row.agent_id }),
    auth_time: claims.auth_time,
    amr: claims.amr,
  };
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

/** A super admin, from its platform scope's opening row (platformSessionActorOpening). */
export function platformActorFrom(row: PlatformActorRow | undefined, claims: AccessClaims): Actor {
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
