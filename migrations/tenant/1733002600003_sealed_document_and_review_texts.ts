import type { MigrationBuilder } from 'node-pg-migrate';
import { tenantMigrationContext } from '../../src/db/migration-kit.js';

// What OCR read off a claim's paperwork (the prescription's diagnosis among it) and a reviewer's notes are health
// data: sealed like the claim's request (src/data-protection/encryption/document-fields.ts, review-fields.ts).
// The key retirement check counts them too.

const retireFunction = (schema: string, tables: string[]) => `
  CREATE OR REPLACE FUNCTION "${schema}".retire_data_key(p_version integer, p_min_age interval)
  RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = "${schema}", pg_catalog AS $retire$
  DECLARE
    newest integer;
    newest_at timestamptz;
    retired timestamptz;
  BEGIN
    SELECT key_version, created_at INTO newest, newest_at FROM "${schema}".data_keys
     WHERE purpose = 'seal' ORDER BY key_version DESC LIMIT 1;
    SELECT retired_at INTO retired FROM "${schema}".data_keys WHERE purpose = 'seal' AND key_version = p_version FOR UPDATE;
    IF NOT FOUND THEN RETURN 'not_found'; END IF;
    IF retired IS NOT NULL THEN RETURN 'retired'; END IF;
    IF p_version = newest THEN RETURN 'current'; END IF;
    IF newest_at > now() - p_min_age THEN RETURN 'too_recent'; END IF;
    IF ${tables.map((table) => `EXISTS (SELECT 1 FROM "${schema}".${table} WHERE sealed_key_version = p_version)`).join('\n       OR ')} THEN
      RETURN 'in_use';
    END IF;
    UPDATE "${schema}".data_keys SET wrapped_key = NULL, retired_at = now() WHERE purpose = 'seal' AND key_version = p_version;
    RETURN 'retired';
  END
  $retire$;`;

export async function up(pgm: MigrationBuilder): Promise<void> {
  const tenant = await tenantMigrationContext(pgm);
  pgm.sql('ALTER TABLE claim_documents ADD COLUMN extracted_data_sealed text;');
  pgm.sql('ALTER TABLE claim_documents ADD COLUMN sealed_key_version integer;');
  pgm.sql('CREATE INDEX claim_documents_sealed_key_version ON claim_documents (sealed_key_version, document_id);');
  pgm.sql('ALTER TABLE manual_reviews ADD COLUMN review_texts_sealed text;');
  pgm.sql('ALTER TABLE manual_reviews ADD COLUMN sealed_key_version integer;');
  pgm.sql('CREATE INDEX manual_reviews_sealed_key_version ON manual_reviews (sealed_key_version, review_id);');
  pgm.sql(retireFunction(tenant.schema, ['policyholders', 'claims', 'dependents', 'claim_documents', 'manual_reviews']));
}

export async function down(pgm: MigrationBuilder): Promise<void> {
  const tenant = await tenantMigrationContext(pgm);
  pgm.sql(retireFunction(tenant.schema, ['policyholders', 'claims', 'dependents']));
  pgm.sql('DROP INDEX manual_reviews_sealed_key_version;');
  pgm.sql('ALTER TABLE manual_reviews DROP COLUMN sealed_key_version;');
  pgm.sql('ALTER TABLE manual_reviews DROP COLUMN review_texts_sealed;');
  pgm.sql('DROP INDEX claim_documents_sealed_key_version;');
  pgm.sql('ALTER TABLE claim_documents DROP COLUMN sealed_key_version;');
  pgm.sql('ALTER TABLE claim_documents DROP COLUMN extracted_data_sealed;');
}
