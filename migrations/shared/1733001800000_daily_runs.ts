import type { MigrationBuilder } from 'node-pg-migrate';

// Which day's tenant-wide runs (retention purge, lapse) have been started: the first process to insert the day's
// row runs them; every other process, and a restart the same day, finds the row and does nothing.
export function up(pgm: MigrationBuilder): void {
  pgm.sql(`
    CREATE TABLE daily_runs (
      run_date date PRIMARY KEY,
      started_at timestamptz NOT NULL DEFAULT now(),
      report jsonb
    );`);
  pgm.sql('GRANT SELECT, INSERT, UPDATE ON daily_runs TO agent_mitra_platform;');
}

export function down(pgm: MigrationBuilder): void {
  pgm.sql('DROP TABLE daily_runs;');
}
