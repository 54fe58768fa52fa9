import type { MigrationBuilder } from 'node-pg-migrate';

// A claim document's bytes count against the tenant's storage_limit_gb through its stored_files row; the link lets a
// later deletion release the space. No foreign key: stored_files is created later in the migration order
// (1733000300000), and the two rows are always written in one transaction by the upload.
export function up(pgm: MigrationBuilder): void {
  pgm.sql('ALTER TABLE claim_documents ADD COLUMN stored_file_id uuid NOT NULL;');
}

export function down(pgm: MigrationBuilder): void {
  pgm.sql('ALTER TABLE claim_documents DROP COLUMN stored_file_id;');
}
