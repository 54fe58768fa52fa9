import type { MigrationBuilder } from 'node-pg-migrate';
import { retireDataKeyFunction, tenantMigrationContext } from '../../src/db/migration-kit.js';

// Dependents' pre-existing conditions (health data), sealed like the policyholder's
// (src/data-protection/encryption/dependent-fields.ts); the plaintext column is emptied as rows are sealed (the
// re-encryption job seals rows written before). The key retirement check now counts dependents too.

export async function up(pgm: MigrationBuilder): Promise<void> {
  const tenant = await tenantMigrationContext(pgm);
  pgm.sql('ALTER TABLE dependents ADD COLUMN pre_existing_conditions_sealed text;');
  pgm.sql('ALTER TABLE dependents ADD COLUMN sealed_key_version integer;');
  pgm.sql('CREATE INDEX dependents_sealed_key_version ON dependents (sealed_key_version, dependent_id);');
  pgm.sql(retireDataKeyFunction(tenant.schema, ['policyholders', 'claims', 'dependents']));
}

export async function down(pgm: MigrationBuilder): Promise<void> {
  const tenant = await tenantMigrationContext(pgm);
  pgm.sql(retireDataKeyFunction(tenant.schema, ['policyholders', 'claims']));
  pgm.sql('DROP INDEX dependents_sealed_key_version;');
  pgm.sql('ALTER TABLE dependents DROP COLUMN sealed_key_version;');
  pgm.sql('ALTER TABLE dependents DROP COLUMN pre_existing_conditions_sealed;');
}
