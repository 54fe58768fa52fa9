import type { MigrationBuilder } from 'node-pg-migrate';
import {
  BOOK_RANGE_MATCHES, guardTenantTable, TENANT_ID_COLUMN, tenantMigrationContext, tenantPolicies,
} from '../../src/db/migration-kit.js';

// An import's run, cut into batches once (when the run starts): each batch is a range of staged lines, written in
// one transaction by whichever runner claims it (FOR UPDATE SKIP LOCKED), and marked written in that transaction.
// Two runners of one import (two writers of one job, a retry beside a slow first attempt, the CLI beside a worker)
// write different batches at once and never the same one; a run cut short resumes with the batches not yet written.
// data_imports.processed_through_line is where the plan started (the resume point of runs planned before this).
const NOT_A_POLICYHOLDER_USER = "current_setting('app.policyholder_id', true) = ''";

export async function up(pgm: MigrationBuilder): Promise<void> {
  const tenant = await tenantMigrationContext(pgm);
  pgm.sql(`
    CREATE TABLE import_batches (
      import_id uuid NOT NULL,
      batch_number integer NOT NULL CHECK (batch_number > 0),
      ${TENANT_ID_COLUMN},
      agent_order bigint NOT NULL,
      after_line integer NOT NULL CHECK (after_line >= 0),
      through_line integer NOT NULL CHECK (through_line > after_line),
      lines integer NOT NULL CHECK (lines > 0),
      written_at timestamptz,
      PRIMARY KEY (import_id, batch_number),
      FOREIGN KEY (import_id, agent_order) REFERENCES data_imports (import_id, agent_order) ON UPDATE CASCADE
    );`);
  guardTenantTable(pgm, tenant, 'import_batches', ['SELECT', 'INSERT', 'UPDATE']);
  tenantPolicies(pgm, 'import_batches', Object.fromEntries((['select', 'insert', 'update'] as const)
    .map((command) => [command, `${BOOK_RANGE_MATCHES} AND ${NOT_A_POLICYHOLDER_USER}`])));
}

export function down(pgm: MigrationBuilder): void {
  pgm.sql('DROP TABLE import_batches;');
}
