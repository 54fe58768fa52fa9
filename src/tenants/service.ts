import type { PatchTenantBody, TenantListQuery } from '../../schemas/tenants.js';
import type { Tx } from '../db/scope.js';
import { NotFoundError } from '../errors.js';
import type { Page } from '../http/pagination.js';
import { findTenantById, listTenants, updateTenant, type TenantRecord } from './repository.js';

// The tenant registry's use cases for super admins. Onboarding, which needs the privileged path, is in onboarding.ts.

export function listTenantPage(tx: Tx, query: TenantListQuery): Promise<Page<TenantRecord>> {
  return listTenants(tx, query);
}

export async function getTenant(tx: Tx, tenantId: string): Promise<TenantRecord> {
  const tenant = await findTenantById(tx, tenantId);
  if (!tenant) throw new NotFoundError('No tenant with this id.');
  return tenant;
}

/** Changes status, plan or limits. The caller drops the registry's cached copy once this has committed. */
export async function amendTenant(tx: Tx, tenantId: string, patch: PatchTenantBody): Promise<TenantRecord> {
  const tenant = await updateTenant(tx, tenantId, patch);
  if (!tenant) throw new NotFoundError('No tenant with this id.');
  return tenant;
}
