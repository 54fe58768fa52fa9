import type { MigrationBuilder } from 'node-pg-migrate';
import { retireDataKeyFunction, TENANT_MATCHES, tenantMigrationContext, tenantPolicies } from '../../src/db/migration-kit.js';

// Retiring an old data key version: its wrapped key is destroyed (wrapped_key NULL, retired_at set), so what it
// sealed can never be opened again. The owner's function refuses unless no row of any sealed table uses the
// version, the version is not the current one, and a newer version has existed for `p_min_age` (a transaction that
// loaded the keys before the rotation has long committed, and its rows are seen by the check).

export async function up(pgm: MigrationBuilder): Promise<void> {
  const tenant = await tenantMigrationContext(pgm);
  pgm.sql('ALTER TABLE data_keys ALTER COLUMN wrapped_key DROP NOT NULL;');
  pgm.sql('ALTER TABLE data_keys ADD COLUMN retired_at timestamptz;');
  // The owner is under forced RLS too: this lets the definer function below update a key row. The runtime role
  // holds no UPDATE grant on data_keys, so it gives it nothing.
  tenantPolicies(pgm, 'data_keys', { update: TENANT_MATCHES });
  pgm.sql(retireDataKeyFunction(tenant.schema, ['policyholders', 'claims']));
  pgm.sql(`REVOKE ALL ON FUNCTION "${tenant.schema}".retire_data_key(integer, interval) FROM PUBLIC;`);
  pgm.sql(`GRANT EXECUTE ON FUNCTION "${tenant.schema}".retire_data_key(integer, interval) TO agent_mitra_runtime;`);
}

export async function down(pgm: MigrationBuilder): Promise<void> {
  const tenant = await tenantMigrationContext(pgm);
  pgm.sql(`DROP FUNCTION "${tenant.schema}".retire_data_key(integer, interval);`);
  pgm.sql('DROP POLICY data_keys_update ON data_keys;');
  pgm.sql('ALTER TABLE data_keys DROP COLUMN retired_at;');
}
