import type { MigrationBuilder } from 'node-pg-migrate';

// As for tenant sessions: the refresh tokens a platform session has rotated away, to tell reuse from forgery.
export function up(pgm: MigrationBuilder): void {
  pgm.sql(`ALTER TABLE platform_sessions ADD COLUMN rotated_token_hashes text[] NOT NULL DEFAULT '{}';`);
}

export function down(pgm: MigrationBuilder): void {
  pgm.sql('ALTER TABLE platform_sessions DROP COLUMN rotated_token_hashes;');
}
