import type { MigrationBuilder } from 'node-pg-migrate';
import { guardTenantTable, TENANT_ID_COLUMN, tenantMigrationContext, tenantWidePolicies } from '../../src/db/migration-kit.js';

// A backtest of draft policy terms runs as a job (claims.backtest): this row is its request, its status and, once
// done, its report. Tenant-wide like policy_terms (only those who may edit terms start one); the draft is kept as
// sent so a retry decides with exactly the same document.
export async function up(pgm: MigrationBuilder): Promise<void> {
  const tenant = await tenantMigrationContext(pgm);
  pgm.sql(`
    CREATE TABLE terms_backtests (
      backtest_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      ${TENANT_ID_COLUMN},
      policy_terms_id varchar(50) NOT NULL,
      draft jsonb NOT NULL CHECK (jsonb_typeof(draft) = 'object'),
      claim_limit integer NOT NULL CHECK (claim_limit BETWEEN 1 AND 100000),
      status varchar(20) NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'completed', 'failed')),
      report jsonb,
      last_error text,
      attempts integer NOT NULL DEFAULT 0,
      requested_by uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      started_at timestamptz,
      finished_at timestamptz,
      CHECK ((status = 'completed') = (report IS NOT NULL))
    );`);
  pgm.sql('CREATE INDEX terms_backtests_terms ON terms_backtests (policy_terms_id, created_at);');
  guardTenantTable(pgm, tenant, 'terms_backtests', ['SELECT', 'INSERT', 'UPDATE']);
  tenantWidePolicies(pgm, 'terms_backtests', ['select', 'insert', 'update']);
}

export function down(pgm: MigrationBuilder): void {
  pgm.sql('DROP TABLE terms_backtests;');
}
