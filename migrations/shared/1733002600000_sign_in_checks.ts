import type { MigrationBuilder } from 'node-pg-migrate';

// Password checks of a sign-in in flight, per identity, beside its failures: a check is admitted while failures and
// checks together are under five, and only a failure counts towards the lock. Concurrent sign-ins with the right
// password then wait for a free check instead of locking the account (see src/auth/sign-in-checks.ts).
export function up(pgm: MigrationBuilder): void {
  pgm.sql('ALTER TABLE login_locks ADD COLUMN checking integer NOT NULL DEFAULT 0 CHECK (checking >= 0);');
}

export function down(pgm: MigrationBuilder): void {
  pgm.sql('ALTER TABLE login_locks DROP COLUMN checking;');
}
