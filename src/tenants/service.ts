import type { PatchTenantBody, TenantListQuery } from '../../schemas/tenants.js';
import { authorize } from '../auth/ability.js';
import type { Actor } from '../auth/actor.js';
import type { Tx } from '../db/scope.js';
import { NotFoundError } from '../errors.js';
import type { Page } from '../db/pagination.js';
import { findTenantById, listTenants, updateTenant, type TenantRecord } from './repository.js';

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
  const tenant = await updateTenant(tx, tenantId, patch);
  if (!tenant) throw new NotFoundError('No tenant with this id.');
  return tenant;
}
