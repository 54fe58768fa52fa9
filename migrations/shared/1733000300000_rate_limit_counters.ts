import type { MigrationBuilder } from 'node-pg-migrate';

// Request counters every app process shares (tenant API quota, sign-in throttle): one row per key and window.
// UNLOGGED: a counter is worth one WAL-free write per request, and losing the current minute in a crash is fine.
// The policy lets only work outside any scope reach it (the rate-limit store's own statements), so a tenant's or
// the platform's transaction cannot read or reset another tenant's counters through its search_path.
const OUTSIDE_ANY_SCOPE = "coalesce(current_setting('app.scope', true), '') = ''";

export function up(pgm: MigrationBuilder): void {
  pgm.sql(`
    CREATE UNLOGGED TABLE rate_limit_counters (
      key varchar(200) PRIMARY KEY,
      hits integer NOT NULL CHECK (hits >= 0),
      reset_at timestamptz NOT NULL
    );`);
  pgm.sql(`CREATE INDEX rate_limit_counters_reset_at ON rate_limit_counters (reset_at);`);
  pgm.sql(`ALTER TABLE rate_limit_counters ENABLE ROW LEVEL SECURITY;`);
  pgm.sql(`
    CREATE POLICY rate_limit_counters_outside_scopes ON rate_limit_counters AS PERMISSIVE FOR ALL TO PUBLIC
      USING (${OUTSIDE_ANY_SCOPE}) WITH CHECK (${OUTSIDE_ANY_SCOPE});`);
  pgm.sql(`GRANT SELECT, INSERT, UPDATE, DELETE ON rate_limit_counters TO agent_mitra_runtime;`);
}

export function down(pgm: MigrationBuilder): void {
  pgm.sql('DROP TABLE rate_limit_counters;');
}
