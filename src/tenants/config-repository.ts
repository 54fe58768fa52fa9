import type { ConfigType } from '../../schemas/tenant-config.js';
import type { AllowedRecords } from '../auth/ability.js';
import { whereAllowed } from '../db/conditions.js';
import type { Tx } from '../db/scope.js';
import { paginate, type Page } from '../db/pagination.js';

// shared.tenant_config is guarded by RLS (the scope's tenant, or any tenant in the platform scope); every query
// still names the tenant, so a super admin's request touches only the tenant in its path.

export interface ConfigRecord {
  readonly config_id: string;
  readonly tenant_id: string;
  readonly config_key: string;
  readonly config_value: unknown;
  readonly config_type: ConfigType;
  readonly created_at: Date;
  readonly updated_at: Date;
}

const entries = (tx: Tx) => tx('shared.tenant_config');

export async function findConfig(tx: Tx, tenantId: string, key: string): Promise<ConfigRecord | undefined> {
  return entries(tx).where({ tenant_id: tenantId, config_key: key }).first();
}

/** The tenant's entries the caller may read (its role conditions applied in SQL). */
export function listConfig(tx: Tx, tenantId: string, allowed: AllowedRecords,
  options: { limit: number; cursor?: string | undefined }): Promise<Page<ConfigRecord>> {
  const query = entries(tx).select('*').where({ tenant_id: tenantId });
  whereAllowed(query, 'TenantConfig', allowed, { config_key: 'config_key', config_type: 'config_type' });
  return paginate<ConfigRecord>(query, 'config_id', options);
}

/**
 * Inserts or replaces the key's value; `created` tells which (xmax is 0 only on a freshly inserted row version).
 */
export async function upsertConfig(tx: Tx, tenantId: string, key: string, value: unknown, type: ConfigType)
  : Promise<{ entry: ConfigRecord; created: boolean }> {
  const { rows } = await tx.raw<{ rows: (ConfigRecord & { created: boolean })[] }>(`
    INSERT INTO shared.tenant_config (tenant_id, config_key, config_value, config_type)
    VALUES (?, ?, ?::jsonb, ?)
    ON CONFLICT (tenant_id, config_key) DO UPDATE
      SET config_value = EXCLUDED.config_value, config_type = EXCLUDED.config_type, updated_at = now()
    RETURNING *, (xmax = 0) AS created`, [tenantId, key, JSON.stringify(value), type]);
  const { created, ...entry } = rows[0] as ConfigRecord & { created: boolean };
  return { entry, created };
}

export async function deleteConfig(tx: Tx, tenantId: string, key: string): Promise<boolean> {
  return (await entries(tx).where({ tenant_id: tenantId, config_key: key }).delete()) > 0;
}
