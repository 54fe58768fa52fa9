import type { PatchTenantBody, TenantListQuery } from '../../schemas/tenants.js';
import { authorize } from '../auth/ability.js';
import type { Actor } from '../auth/actor.js';
import { inOwnerTransaction } from '../db/privileged.js';
import { enterTenant, type Tx } from '../db/scope.js';
import type { AppDeps } from '../deps.js';
import { NotFoundError } from '../errors.js';
import { recordSecurityEvent } from '../security-events/record.js';
import type { Page } from '../db/pagination.js';
import { findTenantById, listTenants, revokeAllUserSessions, updateTenant, type TenantRecord } from './repository.js';

// The tenant registry's use cases for super admins. Onboarding, which needs the privileged path, is in onboarding.ts.

export function listTenantPage(tx: Tx, actor: Actor, query: TenantListQuery): Promise<Page<TenantRecord>> {
  authorize(actor.ability, 'read', 'Tenant');
  return listTenants(tx, query);
}

export async function getTenant(tx: Tx, actor: Actor, tenantId: string): Promise<TenantRecord> {
  authorize(actor.ability, 'read', 'Tenant');
  const tenant = await findTenantById(tx, tenantId);
  if (!tenant) throw new NotFoundError('No tenant with this id.');
  return tenant;
}

/** Changes status, plan or limits. The caller drops the registry's cached copy once this has committed. */
export async function amendTenant(tx: Tx, actor: Actor, tenantId: string, patch: PatchTenantBody): Promise<TenantRecord> {
  authorize(actor.ability, 'update', 'Tenant');
  const before = await findTenantById(tx, tenantId);
  if (!before) throw new NotFoundError('No tenant with this id.');
  const tenant = await updateTenant(tx, before.tenant_id, patch);
  if (!tenant) throw new NotFoundError('No tenant with this id.');
  // Only a change of status is one: a form that sends the status it shows (active) reactivates nothing.
  if (patch.status && patch.status !== before.status) {
    await recordSecurityEvent(tx, { kind: patch.status === 'active' ? 'tenant.reactivated' : 'tenant.suspended', outcome: 'success',
      tenant_id: tenant.tenant_id, target: { type: 'tenant', id: tenant.tenant_id },
      details: { tenant_code: tenant.tenant_code, status: tenant.status, from: before.status } });
  }
  return tenant;
}

/**
 * A tenant that stops being active loses every session: its tokens are refused while it is suspended anyway, and
 * must not come back to life on reactivation (users sign in again). The sessions live in the tenant's schema,
 * which the platform role cannot reach, so this goes through the owner's path, like onboarding.
 */
export async function endSessionsOfTenant(deps: Pick<AppDeps, 'db'>, tenant: TenantRecord): Promise<void> {
  await inOwnerTransaction(deps.db, async (tx) => {
    await enterTenant(tx, tenant);
    await revokeAllUserSessions(tx, `tenant_${tenant.status}`);
  });
}
