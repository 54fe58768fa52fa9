import type { MigrationBuilder } from 'node-pg-migrate';
import {
  auditTable, guardTenantTable, TENANT_ID_COLUMN, tenantMigrationContext, tenantWidePolicies,
} from '../../src/db/migration-kit.js';

// The tenant's audit trail: every insert, update and delete on its tables, with who (from the transaction's
// settings), when, and the old and new values. The trigger function belongs to the owner and runs as it
// (SECURITY DEFINER), so the runtime role can read the trail but never write, change or delete a row of it.
export async function up(pgm: MigrationBuilder): Promise<void> {
  const tenant = await tenantMigrationContext(pgm);
  pgm.sql(`
    CREATE TABLE audit_log (
      audit_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      ${TENANT_ID_COLUMN},
      table_name varchar(63) NOT NULL,
      record_id text NOT NULL,
      action varchar(6) NOT NULL CHECK (action IN ('insert', 'update', 'delete')),
      actor_user_id uuid,
      actor varchar(80) NOT NULL,
      old_values jsonb,
      new_values jsonb,
      changed_columns text[] NOT NULL DEFAULT '{}',
      occurred_at timestamptz NOT NULL DEFAULT now()
    );`);
  pgm.sql('CREATE INDEX audit_log_occurred ON audit_log (occurred_at DESC, audit_id DESC);');
  pgm.sql('CREATE INDEX audit_log_record ON audit_log (table_name, record_id, occurred_at DESC, audit_id DESC);');
  pgm.sql('CREATE INDEX audit_log_actor ON audit_log (actor_user_id, occurred_at DESC, audit_id DESC);');
  guardTenantTable(pgm, tenant, 'audit_log', ['SELECT']);
  // SELECT for provider admins (CASL decides who); INSERT only reached through the trigger, as the owner.
  tenantWidePolicies(pgm, 'audit_log', ['select', 'insert']);

  pgm.sql(`
    CREATE FUNCTION "${tenant.schema}".audit_row() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = "${tenant.schema}", pg_catalog AS $audit$
    DECLARE
      old_row jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
      new_row jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
      ignored text[] := TG_ARGV[2]::text[];
      redacted text[] := TG_ARGV[3]::text[];
      changed text[] := '{}';
    BEGIN
      IF TG_OP = 'UPDATE' THEN
        SELECT coalesce(array_agg(n.key ORDER BY n.key), '{}') INTO changed
          FROM jsonb_each(new_row) n WHERE n.value IS DISTINCT FROM old_row -> n.key;
        IF changed <@ ignored THEN RETURN NULL; END IF;
      END IF;
      INSERT INTO "${tenant.schema}".audit_log
        (table_name, record_id, action, actor_user_id, actor, old_values, new_values, changed_columns)
      VALUES (TG_ARGV[0], coalesce(new_row, old_row) ->> TG_ARGV[1], lower(TG_OP),
              nullif(current_setting('app.user_id', true), '')::uuid,
              coalesce(nullif(current_setting('app.actor', true), ''), 'unknown'),
              old_row - redacted, new_row - redacted, changed);
      RETURN NULL;
    END
    $audit$;`);
  pgm.sql(`REVOKE ALL ON FUNCTION "${tenant.schema}".audit_row() FROM PUBLIC;`);

  auditTable(pgm, tenant, 'users', { redact: ['password_hash'],
    ignore: ['login_attempts', 'locked_until', 'last_login_at', 'policyholder_agent_order'] });
  auditTable(pgm, tenant, 'roles');
  auditTable(pgm, tenant, 'permissions');
  auditTable(pgm, tenant, 'role_permissions', { key: 'assignment_id' });
  auditTable(pgm, tenant, 'user_roles', { key: 'assignment_id' });
  auditTable(pgm, tenant, 'agents', { ignore: ['pre_order', 'subtree_hi'] });
}

export function down(pgm: MigrationBuilder): void {
  for (const table of ['users', 'roles', 'permissions', 'role_permissions', 'user_roles', 'agents']) {
    pgm.sql(`DROP TRIGGER ${table}_audit ON ${table};`);
  }
  pgm.sql('DROP FUNCTION audit_row();');
  pgm.sql('DROP TABLE audit_log;');
}
