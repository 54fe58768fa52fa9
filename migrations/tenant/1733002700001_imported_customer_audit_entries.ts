import type { MigrationBuilder } from 'node-pg-migrate';
import { tenantMigrationContext } from '../../src/db/migration-kit.js';

// The insert entry of a customer created by an import names its source instead of copying the row: new_values is
// {"import_id": …, "line_number": …}, the staged line it was written from (import_rows; the import's data_imports
// row has the file, the uploader and the book). Who (the actor), which record (record_id) and when (occurred_at)
// are as in every entry. The values themselves are not lost to the trail: policyholders are never deleted, and
// every later update's entry holds the whole old row, so the values as created are the current row or the old
// values of its first update. The whole row was half the cost of an import's INSERT (to_jsonb of every row and a
// wide audit row); a customer created any other way, or an inserted row that matches no staged line of the
// import named, keeps the full entry.
// The writer names its batch with SET LOCAL app.import_id / app.import_after / app.import_through; the trigger
// matches each new row to a valid staged line of that batch by customer id and book, as the caller may see them.
// PostgreSQL only, like the statement triggers it replaces (migration 1733001000000): on Citus the row trigger
// stays and an imported customer's entry holds its row.

const INSERT_ARGS = "'policyholders', 'policyholder_id', '{updated_at,agent_order}', "
  + "'{pan_sealed,pan_index,aadhaar_sealed,aadhaar_index,bank_account_sealed,pre_existing_conditions_sealed,pre_existing_conditions}'";

export async function up(pgm: MigrationBuilder): Promise<void> {
  const tenant = await tenantMigrationContext(pgm);
  if (tenant.citus) return;
  const schema = `"${tenant.schema}"`;
  pgm.sql(`
    CREATE FUNCTION ${schema}.audit_policyholders_insert() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = ${schema}, pg_catalog AS $audit$
    DECLARE
      redacted text[] := TG_ARGV[3]::text[];
      actor_id uuid := nullif(current_setting('app.user_id', true), '')::uuid;
      actor_name text := coalesce(nullif(current_setting('app.actor', true), ''), 'unknown');
      batch_import uuid := nullif(current_setting('app.import_id', true), '')::uuid;
      batch_after integer := coalesce(nullif(current_setting('app.import_after', true), ''), '0')::integer;
      batch_through integer := coalesce(nullif(current_setting('app.import_through', true), ''), '0')::integer;
    BEGIN
      INSERT INTO ${schema}.audit_log (table_name, record_id, action, actor_user_id, actor, old_values, new_values, changed_columns)
      SELECT TG_ARGV[0], n.policyholder_id::text, 'insert', actor_id, actor_name, NULL,
             CASE WHEN s.line_number IS NULL THEN to_jsonb(n) - redacted
                  ELSE jsonb_build_object('import_id', batch_import, 'line_number', s.line_number) END, '{}'
        FROM new_rows n
        LEFT JOIN (SELECT r.line_number, r.agent_order, r.values ->> 'customer_id' AS customer_id
                     FROM ${schema}.import_rows r
                    WHERE r.import_id = batch_import AND r.line_number > batch_after AND r.line_number <= batch_through
                      AND r.errors IS NULL) s
          ON s.customer_id = n.customer_id AND s.agent_order = n.agent_order;
      RETURN NULL;
    END
    $audit$;`);
  pgm.sql(`REVOKE ALL ON FUNCTION ${schema}.audit_policyholders_insert() FROM PUBLIC;`);
  pgm.sql('DROP TRIGGER policyholders_audit_insert ON policyholders;');
  pgm.sql(`CREATE TRIGGER policyholders_audit_insert AFTER INSERT ON policyholders REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION ${schema}.audit_policyholders_insert(${INSERT_ARGS});`);
}

export async function down(pgm: MigrationBuilder): Promise<void> {
  const tenant = await tenantMigrationContext(pgm);
  if (tenant.citus) return;
  pgm.sql('DROP TRIGGER policyholders_audit_insert ON policyholders;');
  pgm.sql(`CREATE TRIGGER policyholders_audit_insert AFTER INSERT ON policyholders REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION "${tenant.schema}".audit_statement(${INSERT_ARGS});`);
  pgm.sql('DROP FUNCTION audit_policyholders_insert();');
}
