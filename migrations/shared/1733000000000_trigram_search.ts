import type { MigrationBuilder } from 'node-pg-migrate';

// Policyholder search (name, phone, e-mail, customer id) uses trigram GIN indexes. pg_trgm is a trusted extension,
// so the database owner may create it; it lives in shared, which every tenant's search_path ends with.
// On Citus, create it on the coordinator: it is propagated to the workers.
export function up(pgm: MigrationBuilder): void {
  pgm.sql('CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA shared;');
}

export function down(pgm: MigrationBuilder): void {
  pgm.sql('DROP EXTENSION IF EXISTS pg_trgm;');
}
