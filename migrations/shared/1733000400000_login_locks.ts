import type { MigrationBuilder } from 'node-pg-migrate';

// Failed sign-ins are counted per identity a login names (tenant code, kind and value of the identifier, hashed),
// whether or not an account answers to it: an unknown e-mail then locks after five failures exactly as a real one
// does, so the answers cannot tell them apart. Holds only digests and counters.
export function up(pgm: MigrationBuilder): void {
  pgm.sql(`
    CREATE TABLE login_locks (
      identity_hash char(64) PRIMARY KEY,
      failures integer NOT NULL DEFAULT 0 CHECK (failures >= 0),
      locked_until timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now()
    );`);
  pgm.sql('CREATE INDEX login_locks_updated_at ON login_locks (updated_at);');
  pgm.sql('GRANT SELECT, INSERT, UPDATE, DELETE ON login_locks TO agent_mitra_runtime;');
}

export function down(pgm: MigrationBuilder): void {
  pgm.sql('DROP TABLE login_locks;');
}
