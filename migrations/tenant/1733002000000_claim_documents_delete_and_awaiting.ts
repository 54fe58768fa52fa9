import type { MigrationBuilder } from 'node-pg-migrate';
import { bookPolicies } from '../../src/db/migration-kit.js';

// Two changes of the OPD claims module:
// - A claim's document may be deleted while the claim is not finally decided (DELETE /claims/{id}/documents/{id}):
//   the runtime role gets DELETE on claim_documents under the same book policy as its other commands (the audit
//   trigger already records deletes).
// - A claim submitted without its paperwork waits for it: status 'awaiting_documents' until the documents uploaded
//   for it have been read (the claims.extract_document job), then it is decided like any other.
export function up(pgm: MigrationBuilder): void {
  pgm.sql('GRANT DELETE ON claim_documents TO agent_mitra_runtime;');
  bookPolicies(pgm, 'claim_documents', ['delete']);
  pgm.sql('ALTER TABLE claims DROP CONSTRAINT claims_status_check;');
  pgm.sql("ALTER TABLE claims ADD CONSTRAINT claims_status_check CHECK (status IN ('decided', 'in_review', 'reviewed', 'awaiting_documents'));");
}

export function down(pgm: MigrationBuilder): void {
  pgm.sql('ALTER TABLE claims DROP CONSTRAINT claims_status_check;');
  pgm.sql("ALTER TABLE claims ADD CONSTRAINT claims_status_check CHECK (status IN ('decided', 'in_review', 'reviewed'));");
  pgm.sql('DROP POLICY claim_documents_delete ON claim_documents;');
  pgm.sql('REVOKE DELETE ON claim_documents FROM agent_mitra_runtime;');
}
