import type { MigrationBuilder } from 'node-pg-migrate';
import { auditTable, tenantMigrationContext } from '../../src/db/migration-kit.js';

// Health data in claims, sealed like a policyholder's conditions (src/data-protection/encryption/claim-fields.ts):
// the claim's request (diagnosis, treatment, medicines, tests), the engine's trail (its inputs cite the diagnosis)
// and the decision's texts (notes, rejected items) are stored as 'k<version>:<AES-GCM>' text; the plaintext
// columns keep what queries and the financial record need (amounts, decision, codes, policy year).
// The audit triggers of the health tables stop copying health values, and a definer function strips those the
// trail copied before (rows written before encryption or before the claims audit was made lean).

const CLAIM_SEALED = ['request_sealed', 'trail_sealed', 'decision_texts_sealed'];

/** Health keys the audit trail must not hold in its old/new values, per audited table. */
const HEALTH_AUDIT_KEYS: Record<string, string[]> = {
  policyholders: ['pre_existing_conditions'],
  claims: ['request', 'result', 'trail', ...CLAIM_SEALED],
  dependents: ['pre_existing_conditions'],
  claim_documents: ['extracted_data'],
  manual_reviews: ['review_notes'],
};

const TRIGGERS: Record<string, { key: string; redact: string[] }> = {
  claims: { key: 'claim_id', redact: HEALTH_AUDIT_KEYS.claims as string[] },
  dependents: { key: 'dependent_id', redact: HEALTH_AUDIT_KEYS.dependents as string[] },
  claim_documents: { key: 'document_id', redact: HEALTH_AUDIT_KEYS.claim_documents as string[] },
  manual_reviews: { key: 'review_id', redact: HEALTH_AUDIT_KEYS.manual_reviews as string[] },
};

// Citus refuses any trigger statement on a distributed table, DROP included, unless unsafe triggers are on for it.
function dropAuditTrigger(pgm: MigrationBuilder, citus: boolean, table: string): void {
  if (citus) pgm.sql('SET LOCAL citus.enable_unsafe_triggers = on;');
  pgm.sql(`DROP TRIGGER ${table}_audit ON ${table};`);
  if (citus) pgm.sql('SET LOCAL citus.enable_unsafe_triggers TO DEFAULT;');
}

export async function up(pgm: MigrationBuilder): Promise<void> {
  const tenant = await tenantMigrationContext(pgm);
  // One subcommand per ALTER for Citus.
  for (const column of [...CLAIM_SEALED, 'sealed_key_version']) {
    pgm.sql(`ALTER TABLE claims ADD COLUMN ${column} ${column === 'sealed_key_version' ? 'integer' : 'text'};`);
  }
  pgm.sql('CREATE INDEX claims_sealed_key_version ON claims (sealed_key_version, claim_id);');
  for (const [table, options] of Object.entries(TRIGGERS)) {
    dropAuditTrigger(pgm, tenant.citus, table);
    auditTable(pgm, tenant, table, { key: options.key, ignore: ['agent_order'], redact: options.redact });
  }

  // Strips health values out of audit rows written before the triggers redacted them; the rows stay (who changed
  // what, when, which columns). Idempotent: a second call finds nothing to strip and returns 0.
  // One UPDATE per table with its keys as a literal (Citus deparses a CASE over table_name into a broken comparison).
  const updates = Object.entries(HEALTH_AUDIT_KEYS).map(([table, keys]) => {
    const list = `'{${keys.join(',')}}'::text[]`;
    return `UPDATE "${tenant.schema}".audit_log SET old_values = old_values - ${list}, new_values = new_values - ${list}
         WHERE table_name = '${table}' AND (old_values ?| ${list} OR new_values ?| ${list});
      GET DIAGNOSTICS counted = ROW_COUNT;
      changed := changed + counted;`;
  }).join('\n      ');
  pgm.sql(`
    CREATE FUNCTION "${tenant.schema}".redact_legacy_audit_health()
    RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = "${tenant.schema}", pg_catalog AS $redact$
    DECLARE
      changed integer := 0;
      counted integer;
    BEGIN
      ${updates}
      RETURN changed;
    END
    $redact$;`);
  pgm.sql(`REVOKE ALL ON FUNCTION "${tenant.schema}".redact_legacy_audit_health() FROM PUBLIC;`);
  pgm.sql(`GRANT EXECUTE ON FUNCTION "${tenant.schema}".redact_legacy_audit_health() TO agent_mitra_runtime;`);
  pgm.sql(`SELECT "${tenant.schema}".redact_legacy_audit_health();`);
}

export async function down(pgm: MigrationBuilder): Promise<void> {
  const tenant = await tenantMigrationContext(pgm);
  pgm.sql(`DROP FUNCTION "${tenant.schema}".redact_legacy_audit_health();`);
  for (const [table, options] of Object.entries(TRIGGERS)) {
    dropAuditTrigger(pgm, tenant.citus, table);
    auditTable(pgm, tenant, table, { key: options.key, ignore: ['agent_order'], ...(table === 'claims' ? { redact: ['trail', 'result', 'request'] } : {}) });
  }
  pgm.sql('DROP INDEX claims_sealed_key_version;');
  for (const column of [...CLAIM_SEALED, 'sealed_key_version']) pgm.sql(`ALTER TABLE claims DROP COLUMN ${column};`);
}
