import type { MigrationBuilder } from 'node-pg-migrate';

// The schema holding each tenant's migration ledger, created here, outside onboarding: on Citus a schema
// created while onboarding distributes the tenant's schema would otherwise risk becoming distributed too.
// The runtime role gets nothing in it.
export function up(pgm: MigrationBuilder): void {
  pgm.sql('CREATE SCHEMA IF NOT EXISTS tenant_migrations;');
}

export function down(pgm: MigrationBuilder): void {
  pgm.sql('DROP SCHEMA tenant_migrations;');
}
