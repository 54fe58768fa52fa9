import type { MigrationBuilder } from 'node-pg-migrate';

// The super admins' side of migrations/tenant/1733001400000_mfa_and_step_up.ts. On the account row: the TOTP secret, sealed with
// AES-256-GCM under the 'mfa' key and the user id (src/crypto/aead.ts), a pending one while enrolment awaits its
// first code, the last time step accepted (a replayed code is refused), and the SHA-256 digests of the unused
// recovery codes (each 120 random bits). A session remembers when and how its user signed in, so a refresh keeps
// the original auth_time and amr. One change per ALTER (Citus).
export function up(pgm: MigrationBuilder): void {
  pgm.sql('ALTER TABLE platform_users ADD COLUMN mfa_secret_sealed text;');
  pgm.sql('ALTER TABLE platform_users ADD COLUMN mfa_pending_secret_sealed text;');
  pgm.sql('ALTER TABLE platform_users ADD COLUMN mfa_enabled_at timestamptz;');
  pgm.sql('ALTER TABLE platform_users ADD COLUMN mfa_last_time_step bigint;');
  pgm.sql("ALTER TABLE platform_users ADD COLUMN mfa_recovery_code_hashes text[] NOT NULL DEFAULT '{}';");
  pgm.sql('ALTER TABLE platform_users ADD COLUMN password_change_required boolean NOT NULL DEFAULT false;');
  pgm.sql('ALTER TABLE platform_sessions ADD COLUMN auth_time timestamptz;');
  pgm.sql("ALTER TABLE platform_sessions ADD COLUMN amr text[] NOT NULL DEFAULT '{pwd}';");
}

export function down(pgm: MigrationBuilder): void {
  pgm.sql('ALTER TABLE platform_sessions DROP COLUMN amr;');
  pgm.sql('ALTER TABLE platform_sessions DROP COLUMN auth_time;');
  for (const column of ['password_change_required', 'mfa_recovery_code_hashes', 'mfa_last_time_step', 'mfa_enabled_at',
    'mfa_pending_secret_sealed', 'mfa_secret_sealed']) {
    pgm.sql(`ALTER TABLE platform_users DROP COLUMN ${column};`);
  }
}
