import type { MigrationBuilder } from 'node-pg-migrate';
import { TENANT_MATCHES, tenantMigrationContext, tenantPolicies } from '../../src/db/migration-kit.js';

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
  pgm.sql(`
    CREATE FUNCTION "${tenant.schema}".retire_data_key(p_version integer, p_min_age interval)
    RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = "${tenant.schema}", pg_catalog AS $retire$
    DECLARE
      newest integer;
      newest_at timestamptz;
      retired timestamptz;
    BEGIN
      SELECT key_version, created_at INTO newest, newest_at FROM "${tenant.schema}".data_keys
       WHERE purpose = 'seal' ORDER BY key_version DESC LIMIT 1;
      SELECT retired_at INTO retired FROM "${tenant.schema}".data_keys WHERE purpose = 'seal' AND key_version = p_version FOR UPDATE;
      IF NOT FOUND THEN RETURN 'not_found'; END IF;
      IF retired IS NOT NULL THEN RETURN 'retired'; END IF;
      IF p_version = newest THEN RETURN 'current'; END IF;
      IF newest_at > now() - p_min_age THEN RETURN 'too_recent'; END IF;
      IF EXISTS (SELECT 1 FROM "${tenant.schema}".policyholders WHERE sealed_key_version = p_version)
         OR EXISTS (SELECT 1 FROM "${tenant.schema}".claims WHERE sealed_key_version = p_version) THEN
        RETURN 'in_use';
      END IF;
      UPDATE "${tenant.schema}".data_keys SET wrapped_key = NULL, retired_at = now() WHERE purpose = 'seal' AND key_version = p_version;
      RETURN 'retired';
    END
    $retire$;`);
  pgm.sql(`REVOKE ALL ON FUNCTION "${tenant.schema}".retire_data_key(integer, interval) FROM PUBLIC;`);
  pgm.sql(`GRANT EXECUTE ON FUNCTION "${tenant.schema}".retire_data_key(integer, interval) TO agent_mitra_runtime;`);
}

export async function down(pgm: MigrationBuilder): Promise<void> {
  const tenant = await tenantMigrationContext(pgm);
  pgm.sql(`DROP FUNCTION "${tenant.schema}".retire_data_key(integer, interval);`);
  pgm.sql('DROP POLICY data_keys_update ON data_keys;');
  pgm.sql('ALTER TABLE data_keys DROP COLUMN retired_at;');
}
