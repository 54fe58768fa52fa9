import type { MigrationBuilder } from 'node-pg-migrate';

// The hashes of refresh tokens a session has rotated away. Presenting one of them is reuse (a stolen token):
// the session is revoked. Any other wrong token is merely invalid, so a forged token cannot end a session.
export function up(pgm: MigrationBuilder): void {
  pgm.sql(`ALTER TABLE user_sessions ADD COLUMN rotated_token_hashes text[] NOT NULL DEFAULT '{}';`);
}

export function down(pgm: MigrationBuilder): void {
  pgm.sql('ALTER TABLE user_sessions DROP COLUMN rotated_token_hashes;');
}
