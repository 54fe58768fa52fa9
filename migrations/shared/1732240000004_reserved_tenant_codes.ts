import type { MigrationBuilder } from 'node-pg-migrate';

// Schema names beginning pg_ are reserved by PostgreSQL, so no tenant code may begin PG_ (the API says so too).
export function up(pgm: MigrationBuilder): void {
  pgm.sql(`ALTER TABLE tenants ADD CONSTRAINT tenants_code_not_reserved CHECK (tenant_code !~ '^PG_');`);
}

export function down(pgm: MigrationBuilder): void {
  pgm.sql('ALTER TABLE tenants DROP CONSTRAINT tenants_code_not_reserved;');
}
