import type { Logger } from 'pino';
import { platformActorFrom, systemActor, tenantActorFrom, type Actor } from '../auth/actor.js';
import { platformSessionActorOpening, sessionActorOpening, type PlatformActorRow, type TenantActorRow } from '../auth/actor-repository.js';
import type { AccessClaims } from '../auth/tokens.js';
import { confirmBookRange, inPlatformScope, inTenantScope, type Tx } from '../db/scope.js';
import type { AppDeps } from '../deps.js';
import type { TenantRecord } from '../tenants/repository.js';
import { callerOf, noteCaller } from '../security-events/context.js';

// The one way into a tenant's data, for requests, jobs and CLIs alike: a transaction with the tenant's settings,
// the actor loaded inside it (its book range set before any work), and a logger that names tenant and actor.

export interface Scope {
  readonly tx: Tx;
  readonly actor: Actor;
  readonly log: Logger;
}

/** A signed-in caller (tenant user or super admin): the token's tenant is authoritative over X-Tenant. */
export async function runAsCaller<T>(deps: AppDeps, claims: AccessClaims, xTenant: string | undefined,
  work: (scope: Scope) => Promise<T>): Promise<T> {
  if (claims.kind === 'platform') {
    return inPlatformScope(deps.db, claims.sub, async (tx, opened) => {
      const actor = platformActorFrom(opened[0] as PlatformActorRow | undefined, claims);
      noteCaller(callerOf(actor));
      return work(scopeOf(tx, actor, deps.log, { platform_user_id: actor.user_id }));
    }, platformSessionActorOpening(claims.sub, claims.sid));
  }
  const tenant = await deps.tenants.forToken(claims.tid as string, xTenant);
  // The caller is loaded, and its book range set, in the transaction's first round trip (with BEGIN and the settings).
  return inTenantScope(deps.db, tenant, { user_id: claims.sub }, async (tx, opened) => {
    const row = opened[0] as TenantActorRow | undefined;
    const actor = tenantActorFrom(row, tenant, claims);
    noteCaller(callerOf(actor));
    await confirmBookRange(deps.db, tx, actor.book, row as unknown as Record<string, unknown>);
    return work(scopeOf(tx, actor, deps.log, { tenant: tenant.tenant_code, user_id: actor.user_id }));
  }, sessionActorOpening(deps.db, claims.sub, claims.sid));
}

/**
 * A job or CLI acting in one tenant: the system actor (no user, the whole tenant, provider-admin rights), named
 * `job` in the audit trail (app.actor = 'system:<job>') and the logs.
 */
export function runAsSystem<T>(deps: Pick<AppDeps, 'db' | 'log'>, tenant: TenantRecord, job: string,
  work: (scope: Scope) => Promise<T>): Promise<T> {
  return inTenantScope(deps.db, tenant, { system: job }, (tx) =>
    work(scopeOf(tx, systemActor(tenant), deps.log, { tenant: tenant.tenant_code, job })));
}

/** The scope's logger is made on first use: most requests never log beyond their access line. */
function scopeOf(tx: Tx, actor: Actor, log: Logger, bindings: Record<string, string | null>): Scope {
  let child: Logger | undefined;
  return { tx, actor, get log() { return child ??= log.child(bindings); } };
}
