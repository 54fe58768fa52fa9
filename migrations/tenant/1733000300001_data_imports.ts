import type { MigrationBuilder } from 'node-pg-migrate';
import {
  BOOK_AGENT_FOREIGN_KEY, BOOK_COLUMNS, BOOK_RANGE_MATCHES, guardTenantTable, TENANT_ID_COLUMN, tenantMigrationContext,
  tenantPolicies,
} from '../../src/db/migration-kit.js';

// Bulk imports (the design's data_imports / import_jobs, moved out of `shared` into the tenant's schema). An import
// belongs to the book it writes into (agent_id, agent_order): whoever sees that book sees the import, nobody else,
// and a policyholder user sees none. import_rows holds the file as staged: one row per data line with its raw
// cells, the validated values and the reasons it was refused; the job writes from here, not from the file.
const NOT_A_POLICYHOLDER_USER = "current_setting('app.policyholder_id', true) = ''";

export async function up(pgm: MigrationBuilder): Promise<void> {
  const tenant = await tenantMigrationContext(pgm);
  pgm.sql(`
    CREATE TABLE data_imports (
      import_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      ${TENANT_ID_COLUMN},
      ${BOOK_COLUMNS},
      kind varchar(20) NOT NULL CHECK (kind IN ('customers', 'policies')),
      file_name varchar(255) NOT NULL,
      file_format varchar(10) NOT NULL CHECK (file_format IN ('csv', 'xlsx')),
      file_id uuid REFERENCES stored_files (file_id),
      dry_run boolean NOT NULL DEFAULT false,
      status varchar(20) NOT NULL CHECK (status IN ('validated', 'queued', 'running', 'completed', 'failed')),
      total_rows integer NOT NULL DEFAULT 0,
      valid_rows integer NOT NULL DEFAULT 0,
      invalid_rows integer NOT NULL DEFAULT 0,
      processed_rows integer NOT NULL DEFAULT 0,
      created_rows integer NOT NULL DEFAULT 0,
      updated_rows integer NOT NULL DEFAULT 0,
      skipped_rows integer NOT NULL DEFAULT 0,
      -- The job's resume point: every staged line up to here is written (committed with the batch that wrote it).
      processed_through_line integer NOT NULL DEFAULT 0,
      last_error text,
      created_by uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz,
      finished_at timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now(),
      ${BOOK_AGENT_FOREIGN_KEY},
      CONSTRAINT data_imports_book_key UNIQUE (import_id, agent_order)
    );`);
  pgm.sql('CREATE INDEX data_imports_agent_order_created ON data_imports (agent_order, created_at DESC);');
  guardTenantTable(pgm, tenant, 'data_imports', ['SELECT', 'INSERT', 'UPDATE']);
  tenantPolicies(pgm, 'data_imports', Object.fromEntries((['select', 'insert', 'update'] as const)
    .map((command) => [command, `${BOOK_RANGE_MATCHES} AND ${NOT_A_POLICYHOLDER_USER}`])));

  pgm.sql(`
    CREATE TABLE import_rows (
      import_id uuid NOT NULL,
      line_number integer NOT NULL CHECK (line_number > 0),
      ${TENANT_ID_COLUMN},
      agent_order bigint NOT NULL,
      raw jsonb NOT NULL,
      values jsonb,
      errors jsonb,
      outcome varchar(20) CHECK (outcome IN ('created', 'updated', 'skipped', 'rejected')),
      PRIMARY KEY (import_id, line_number),
      FOREIGN KEY (import_id, agent_order) REFERENCES data_imports (import_id, agent_order) ON UPDATE CASCADE
    );`);
  pgm.sql('CREATE INDEX import_rows_rejected ON import_rows (import_id, line_number) WHERE errors IS NOT NULL;');
  guardTenantTable(pgm, tenant, 'import_rows', ['SELECT', 'INSERT', 'UPDATE']);
  tenantPolicies(pgm, 'import_rows', Object.fromEntries((['select', 'insert', 'update'] as const)
    .map((command) => [command, `${BOOK_RANGE_MATCHES} AND ${NOT_A_POLICYHOLDER_USER}`])));
}

export function down(pgm: MigrationBuilder): void {
  pgm.sql('DROP TABLE import_rows;');
  pgm.sql('DROP TABLE data_imports;');
}
