import type { MigrationBuilder } from 'node-pg-migrate';
import { retireDataKeyFunction, tenantMigrationContext } from '../../src/db/migration-kit.js';

// What OCR read off a claim's paperwork (the prescription's diagnosis among it) and a reviewer's notes are health
// data: sealed like the claim's request (src/data-protection/encryption/document-fields.ts, review-fields.ts).
// The key retirement check counts them too.

export async function up(pgm: MigrationBuilder): Promise<void> {
  const tenant = await tenantMigrationContext(pgm);
  pgm.sql('ALTER TABLE claim_documents ADD COLUMN extracted_data_sealed text;');
  pgm.sql('ALTER TABLE claim_documents ADD COLUMN sealed_key_version integer;');
  pgm.sql('CREATE INDEX claim_documents_sealed_key_version ON claim_documents (sealed_key_version, document_id);');
  pgm.sql('ALTER TABLE manual_reviews ADD COLUMN review_texts_sealed text;');
  pgm.sql('ALTER TABLE manual_reviews ADD COLUMN sealed_key_version integer;');
  pgm.sql('CREATE INDEX manual_reviews_sealed_key_version ON manual_reviews (sealed_key_version, review_id);');
  pgm.sql(retireDataKeyFunction(tenant.schema, ['policyholders', 'claims', 'dependents', 'claim_documents', 'manual_reviews']));
}

export async function down(pgm: MigrationBuilder): Promise<void> {
  const tenant = await tenantMigrationContext(pgm);
  pgm.sql(retireDataKeyFunction(tenant.schema, ['policyholders', 'claims', 'dependents']));
  pgm.sql('DROP INDEX manual_reviews_sealed_key_version;');
  pgm.sql('ALTER TABLE manual_reviews DROP COLUMN sealed_key_version;');
  pgm.sql('ALTER TABLE manual_reviews DROP COLUMN review_texts_sealed;');
  pgm.sql('DROP INDEX claim_documents_sealed_key_version;');
  pgm.sql('ALTER TABLE claim_documents DROP COLUMN sealed_key_version;');
  pgm.sql('ALTER TABLE claim_documents DROP COLUMN extracted_data_sealed;');
}
