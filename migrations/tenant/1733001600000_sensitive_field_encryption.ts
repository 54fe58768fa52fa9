import type { MigrationBuilder } from 'node-pg-migrate';
import {
  auditTable, auditTableByStatement, dropAuditTriggersByStatement, guardTenantTable, TENANT_ID_COLUMN, tenantMigrationContext,
  tenantWidePolicies, type TenantMigrationContext,
} from '../../src/db/migration-kit.js';

// Encryption at rest for sensitive personal data (DPDP): the tenant's data keys, wrapped by the master key, and
// the policyholder columns that hold sealed values and blind indexes instead of plaintext. See
// src/data-protection/encryption/.
const SEALED = ['pan_sealed', 'pan_index', 'aadhaar_sealed', 'aadhaar_index', 'bank_account_sealed', 'pre_existing_conditions_sealed'];

/**
 * The policyholders' audit triggers, per statement on PostgreSQL (migration 1733001000000) and per row on Citus,
 * which refuses any trigger statement on a distributed table unless unsafe triggers are on (see auditTable).
 */
function replaceAuditTriggers(pgm: MigrationBuilder, tenant: TenantMigrationContext, redact: string[]): void {
  const options = { ignore: ['agent_order'], redact };
  if (!tenant.citus) {
    dropAuditTriggersByStatement(pgm, 'policyholders');
    auditTableByStatement(pgm, tenant, 'policyholders', options);
    return;
  }
  pgm.sql('SET LOCAL citus.enable_unsafe_triggers = on;');
  pgm.sql('DROP TRIGGER policyholders_audit ON policyholders;');
  pgm.sql('SET LOCAL citus.enable_unsafe_triggers TO DEFAULT;');
  auditTable(pgm, tenant, 'policyholders', options);
}

export async function up(pgm: MigrationBuilder): Promise<void> {
  const tenant = await tenantMigrationContext(pgm);
  // 'seal' keys encrypt values and rotate (a new version; old ones stay to open what is not re-sealed yet);
  // the 'index' key computes blind indexes and has one version (rotating it means recomputing every index).
  // Rows are only ever added: the runtime role may not update or delete a key.
  pgm.sql(`
    CREATE TABLE data_keys (
      ${TENANT_ID_COLUMN},
      purpose varchar(10) NOT NULL CHECK (purpose IN ('seal', 'index')),
      key_version integer NOT NULL CHECK (key_version > 0),
      wrapped_key text NOT NULL,
      created_by uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (purpose, key_version)
    );`);
  guardTenantTable(pgm, tenant, 'data_keys', ['SELECT', 'INSERT']);
  tenantWidePolicies(pgm, 'data_keys', ['select', 'insert']);
  auditTable(pgm, tenant, 'data_keys', { key: 'key_version', redact: ['wrapped_key'] });

  // Who saw a sensitive value in full, which fields and why. Insert-only for the runtime role.
  pgm.sql(`
    CREATE TABLE sensitive_field_reveals (
      reveal_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      ${TENANT_ID_COLUMN},
      table_name varchar(63) NOT NULL,
      record_id uuid NOT NULL,
      fields text[] NOT NULL,
      purpose text NOT NULL,
      actor_user_id uuid,
      actor varchar(80) NOT NULL,
      revealed_at timestamptz NOT NULL DEFAULT now()
    );`);
  pgm.sql('CREATE INDEX sensitive_field_reveals_record ON sensitive_field_reveals (table_name, record_id, revealed_at DESC);');
  pgm.sql('CREATE INDEX sensitive_field_reveals_revealed ON sensitive_field_reveals (revealed_at DESC, reveal_id DESC);');
  guardTenantTable(pgm, tenant, 'sensitive_field_reveals', ['SELECT', 'INSERT']);
  tenantWidePolicies(pgm, 'sensitive_field_reveals', ['select', 'insert']);

  // Sealed values are 'k<version>:<AES-GCM>' text; *_index columns are HMAC-SHA256 blind indexes (base64url).
  // sealed_key_version is the data key version every sealed value of the row uses: the re-encryption job finds
  // rows on older versions through its index. One subcommand per ALTER for Citus.
  for (const column of [...SEALED, 'sealed_key_version']) {
    pgm.sql(`ALTER TABLE policyholders ADD COLUMN ${column} ${column === 'sealed_key_version' ? 'integer' : 'text'};`);
  }
  pgm.sql('CREATE INDEX policyholders_pan_index ON policyholders (pan_index);');
  pgm.sql('CREATE INDEX policyholders_aadhaar_index ON policyholders (aadhaar_index);');
  pgm.sql('CREATE INDEX policyholders_sealed_key_version ON policyholders (sealed_key_version, policyholder_id);');
  // The audit trail keeps which sealed columns changed, never their values (old ciphertexts would pin old keys
  // forever), nor the legacy plaintext conditions column.
  replaceAuditTriggers(pgm, tenant, [...SEALED, 'pre_existing_conditions']);
}

export async function down(pgm: MigrationBuilder): Promise<void> {
  const tenant = await tenantMigrationContext(pgm);
  replaceAuditTriggers(pgm, tenant, []);
  for (const column of [...SEALED, 'sealed_key_version']) pgm.sql(`ALTER TABLE policyholders DROP COLUMN ${column};`);
  pgm.sql('DROP TABLE sensitive_field_reveals;');
  pgm.sql('DROP TABLE data_keys;');
}
