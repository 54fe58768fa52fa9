import type { Tx } from '../db/scope.js';

export interface MigrationStateRow {
  readonly applied: string[];
  readonly tenants_behind: number;
  readonly tenants: { tenant_code: string; schema_version: string | null }[];
}

/**
 * The shared migrations applied, and the tenants (whatever their status: migrate runs them all) not at the
 * newest tenant migration, the first `limit` of them by code.
 */
export async function readMigrationState(tx: Tx, latestTenant: string | null, limit: number): Promise<MigrationStateRow> {
  const { rows } = await tx.raw<{ rows: MigrationStateRow[] }>(`
    WITH behind AS (
      SELECT tenant_code, schema_version FROM shared.tenants WHERE schema_version IS DISTINCT FROM :latest)
    SELECT (SELECT coalesce(array_agg(name), '{}') FROM shared.pgmigrations) AS applied,
           (SELECT count(*) FROM behind) AS tenants_behind,
           (SELECT coalesce(json_agg(listed ORDER BY listed.tenant_code), '[]')
              FROM (SELECT * FROM behind ORDER BY tenant_code LIMIT :limit) listed) AS tenants`,
  { latest: latestTenant, limit });
  return rows[0] as MigrationStateRow;
}
