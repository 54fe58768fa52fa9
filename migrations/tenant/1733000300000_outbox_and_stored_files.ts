import type { MigrationBuilder } from 'node-pg-migrate';
import { guardTenantTable, TENANT_ID_COLUMN, tenantMigrationContext, tenantWidePolicies } from '../../src/db/migration-kit.js';

// outbox: work that must follow a commit (a notification, a recomputation), written in the same transaction as
// the change and moved to the job queue afterwards, so a crash between commit and send loses nothing.
// stored_files: every uploaded file's size, the tenant's storage use that storage_limit_gb caps.
export async function up(pgm: MigrationBuilder): Promise<void> {
  const tenant = await tenantMigrationContext(pgm);
  pgm.sql(`
    CREATE TABLE outbox (
      outbox_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      ${TENANT_ID_COLUMN},
      queue varchar(100) NOT NULL CHECK (queue ~ '^[a-z][a-z0-9_.-]{0,99}$'),
      payload jsonb NOT NULL DEFAULT '{}',
      singleton_key varchar(200),
      created_by uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      -- Set when the row can never become a job (no handler for its queue, a payload its schema refuses).
      failed_at timestamptz,
      last_error text
    );`);
  pgm.sql(`CREATE INDEX outbox_waiting ON outbox (created_at, outbox_id) WHERE failed_at IS NULL;`);
  // SELECT ... FOR UPDATE SKIP LOCKED (the relay) needs UPDATE as well.
  guardTenantTable(pgm, tenant, 'outbox', ['SELECT', 'INSERT', 'UPDATE', 'DELETE']);
  tenantWidePolicies(pgm, 'outbox', ['select', 'insert', 'update', 'delete']);

  pgm.sql(`
    CREATE TABLE stored_files (
      file_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      ${TENANT_ID_COLUMN},
      purpose varchar(50) NOT NULL CHECK (purpose ~ '^[a-z][a-z0-9_]{0,49}$'),
      file_name varchar(255) NOT NULL,
      content_type varchar(100) NOT NULL,
      byte_size bigint NOT NULL CHECK (byte_size >= 0),
      created_by uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      deleted_at timestamptz
    );`);
  pgm.sql(`CREATE INDEX stored_files_created_at ON stored_files (created_at, file_id);`);
  guardTenantTable(pgm, tenant, 'stored_files', ['SELECT', 'INSERT', 'UPDATE']);
  tenantWidePolicies(pgm, 'stored_files', ['select', 'insert', 'update']);
}

export function down(pgm: MigrationBuilder): void {
  pgm.sql('DROP TABLE stored_files;');
  pgm.sql('DROP TABLE outbox;');
}
