import type { MigrationBuilder } from 'node-pg-migrate';
import {
  auditTable, auditTableByStatement, dropAuditTriggersByStatement, tenantMigrationContext,
} from '../../src/db/migration-kit.js';

// The audit trail of policyholders, one statement at a time: a bulk import writes 10,000 customers in one INSERT,
// and the row trigger (a PL/pgSQL call, a jsonb of the row and a single-row INSERT into audit_log, per customer) was
// the largest cost of the import. These statement triggers record the same entries (one per row changed: who, old
// and new values, changed columns; updates that change only ignored columns left out) with one INSERT ... SELECT
// from the statement's transition tables.
// Not on Citus: there the trigger runs on the worker, where the INSERT into audit_log is planned as a distributed
// INSERT ... SELECT that cannot see the transition tables; the row trigger stays.

export async function up(pgm: MigrationBuilder): Promise<void> {
  const tenant = await tenantMigrationContext(pgm);
  if (tenant.citus) return;
  const schema = `"${tenant.schema}"`;
  pgm.sql(`
    CREATE FUNCTION ${schema}.audit_statement() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = ${schema}, pg_catalog AS $audit$
    DECLARE
      key_column text := TG_ARGV[1];
      ignored text[] := TG_ARGV[2]::text[];
      redacted text[] := TG_ARGV[3]::text[];
      actor_id uuid := nullif(current_setting('app.user_id', true), '')::uuid;
      actor_name text := coalesce(nullif(current_setting('app.actor', true), ''), 'unknown');
    BEGIN
      IF TG_OP = 'INSERT' THEN
        INSERT INTO ${schema}.audit_log (table_name, record_id, action, actor_user_id, actor, old_values, new_values, changed_columns)
        SELECT TG_ARGV[0], n.doc ->> key_column, 'insert', actor_id, actor_name, NULL, n.doc - redacted, '{}'
          FROM (SELECT to_jsonb(t) AS doc FROM new_rows t) n;
      ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO ${schema}.audit_log (table_name, record_id, action, actor_user_id, actor, old_values, new_values, changed_columns)
        SELECT TG_ARGV[0], o.doc ->> key_column, 'delete', actor_id, actor_name, o.doc - redacted, NULL, '{}'
          FROM (SELECT to_jsonb(t) AS doc FROM old_rows t) o;
      ELSE
        INSERT INTO ${schema}.audit_log (table_name, record_id, action, actor_user_id, actor, old_values, new_values, changed_columns)
        SELECT TG_ARGV[0], n.doc ->> key_column, 'update', actor_id, actor_name, o.doc - redacted, n.doc - redacted, c.changed
          FROM (SELECT to_jsonb(t) AS doc FROM new_rows t) n
          JOIN (SELECT to_jsonb(t) AS doc FROM old_rows t) o ON o.doc -> key_column = n.doc -> key_column
          CROSS JOIN LATERAL (SELECT coalesce(array_agg(e.key ORDER BY e.key), '{}') AS changed
                                FROM jsonb_each(n.doc) e WHERE e.value IS DISTINCT FROM o.doc -> e.key) c
         WHERE NOT c.changed <@ ignored;
      END IF;
      RETURN NULL;
    END
    $audit$;`);
  pgm.sql(`REVOKE ALL ON FUNCTION ${schema}.audit_statement() FROM PUBLIC;`);
  pgm.sql('DROP TRIGGER policyholders_audit ON policyholders;');
  auditTableByStatement(pgm, tenant, 'policyholders', { ignore: ['agent_order'] });
}

export async function down(pgm: MigrationBuilder): Promise<void> {
  const tenant = await tenantMigrationContext(pgm);
  if (tenant.citus) return;
  dropAuditTriggersByStatement(pgm, 'policyholders');
  auditTable(pgm, tenant, 'policyholders', { ignore: ['agent_order'] });
  pgm.sql('DROP FUNCTION audit_statement();');
}
