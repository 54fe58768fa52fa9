import type { Tx } from '../db/scope.js';
import { assertSchemaName, preparedOpening, type PreparedOpening } from '../db/sql-literals.js';
import { paginate, type Page } from '../db/pagination.js';

export interface TenantRecord {
  readonly tenant_id: string;
  readonly tenant_code: string;
  readonly tenant_name: string;
  readonly tenant_type: string;
  readonly schema_name: string;
  readonly parent_tenant_id: string | null;
  readonly status: 'active' | 'suspended' | 'inactive';
  readonly subscription_plan: string | null;
  readonly trial_end_date: Date | null;
  readonly max_users: number;
  readonly storage_limit_gb: number;
  readonly api_rate_limit: number;
  readonly schema_version: string | null;
  readonly created_at: Date;
  readonly updated_at: Date;
}

export type NewTenant = Pick<TenantRecord, 'tenant_code' | 'tenant_name' | 'tenant_type' | 'schema_name'>
  & Partial<Pick<TenantRecord, 'parent_tenant_id' | 'subscription_plan' | 'max_users' | 'storage_limit_gb' | 'api_rate_limit'>>
  & { trial_end_date?: string | null };

export type TenantPatch = Partial<Pick<TenantRecord,
  'tenant_name' | 'status' | 'subscription_plan' | 'max_users' | 'storage_limit_gb' | 'api_rate_limit'>>
  & { trial_end_date?: string | null };

const tenants = (tx: Tx) => tx('shared.tenants');

/**
 * Creates the tenant's schema; on Citus as a distributed schema, with schema-based sharding switched on for
 * this statement only (anything created after it, like the migration ledger, must stay a regular table).
 */
export async function createTenantSchema(tx: Tx, schemaName: string, options: { distributed: boolean }): Promise<void> {
  if (options.distributed) await tx.raw('SET LOCAL citus.enable_schema_based_sharding = on');
  await tx.raw(`CREATE SCHEMA "${assertSchemaName(schemaName)}"`);
  if (options.distributed) await tx.raw('SET LOCAL citus.enable_schema_based_sharding = off');
}

export async function findTenantById(tx: Tx, tenantId: string): Promise<TenantRecord | undefined> {
  return tenants(tx).where({ tenant_id: tenantId }).first();
}

/**
 * findTenantById as a platform scope's opening (a prepared statement sent with BEGIN and the settings): the registry
 * reads a tenant in its transaction's first round trip, then commits, instead of three round trips. `tenantId`
 * must be a uuid.
 */
export function tenantByIdOpening(tenantId: string): PreparedOpening {
  return preparedOpening('am_tenant_by_id', 'SELECT * FROM shared.tenants WHERE tenant_id = $1::uuid', [tenantId]);
}

export async function findTenantByCode(tx: Tx, tenantCode: string): Promise<TenantRecord | undefined> {
  return tenants(tx).where({ tenant_code: tenantCode }).first();
}

export async function insertTenant(tx: Tx, tenant: NewTenant): Promise<TenantRecord> {
  const [row] = await tenants(tx).insert(tenant).returning('*');
  return row;
}

export async function updateTenant(tx: Tx, tenantId: string, patch: TenantPatch): Promise<TenantRecord | undefined> {
  const [row] = await tenants(tx).where({ tenant_id: tenantId }).update({ ...patch, updated_at: tx.fn.now() }).returning('*');
  return row;
}

export async function listTenants(tx: Tx, options: { limit: number; cursor?: string | undefined; status?: string | undefined }): Promise<Page<TenantRecord>> {
  const query = tenants(tx).select('*');
  if (options.status) query.where({ status: options.status });
  return paginate<TenantRecord>(query, 'tenant_id', options);
}

/** Ends every live session of the tenant the (owner's) transaction has entered: its tokens stop at once. */
export async function revokeAllUserSessions(tx: Tx, reason: string): Promise<number> {
  return tx('user_sessions').whereNull('revoked_at').update({ revoked_at: tx.fn.now(), revoked_reason: reason });
}
