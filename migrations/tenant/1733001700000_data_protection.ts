import type { MigrationBuilder } from 'node-pg-migrate';
import {
  BOOK_AGENT_FOREIGN_KEY, BOOK_COLUMNS, bookPolicies, guardTenantTable, TENANT_ID_COLUMN, TENANT_MATCHES, tenantMigrationContext,
  tenantPolicies, tenantWidePolicies,
} from '../../src/db/migration-kit.js';

// Personal data under the DPDP Act (src/data-protection): the read audit, consent notices and consents, rights
// requests (export, erasure) and retention periods. The read audit is insert-only for the runtime role; the two
// things only the owner may do to an audit trail (strip an erased person's values, purge expired rows) are
// SECURITY DEFINER functions with their own guards.
const CURRENT_USER = "nullif(current_setting('app.user_id', true), '')::uuid";
const CURRENT_ACTOR = "coalesce(nullif(current_setting('app.actor', true), ''), 'unknown')";

export async function up(pgm: MigrationBuilder): Promise<void> {
  const tenant = await tenantMigrationContext(pgm);
  pgm.sql(`
    CREATE TABLE personal_data_reads (
      read_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      ${TENANT_ID_COLUMN},
      request_id uuid NOT NULL,
      occurred_at timestamptz NOT NULL DEFAULT now(),
      actor_user_id uuid DEFAULT ${CURRENT_USER},
      actor varchar(80) NOT NULL DEFAULT ${CURRENT_ACTOR},
      purpose varchar(40) NOT NULL,
      endpoint varchar(120) NOT NULL,
      subject varchar(63) NOT NULL,
      record_id uuid NOT NULL,
      policyholder_id uuid,
      fields text[] NOT NULL
    );`);
  pgm.sql('CREATE INDEX personal_data_reads_occurred ON personal_data_reads (occurred_at DESC, read_id DESC);');
  pgm.sql('CREATE INDEX personal_data_reads_policyholder ON personal_data_reads (policyholder_id, occurred_at DESC);');
  pgm.sql('CREATE INDEX personal_data_reads_actor ON personal_data_reads (actor_user_id, occurred_at DESC);');
  pgm.sql('CREATE INDEX personal_data_reads_record ON personal_data_reads (record_id);');
  guardTenantTable(pgm, tenant, 'personal_data_reads', ['SELECT', 'INSERT']);
  tenantWidePolicies(pgm, 'personal_data_reads', ['select', 'insert']);

  pgm.sql(`
    CREATE TABLE consent_notices (
      notice_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      ${TENANT_ID_COLUMN},
      purpose varchar(40) NOT NULL,
      version integer NOT NULL CHECK (version > 0),
      title varchar(200) NOT NULL,
      body text NOT NULL,
      language varchar(10) NOT NULL DEFAULT 'en',
      created_by uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      CONSTRAINT consent_notices_version_key UNIQUE (purpose, version)
    );`);
  guardTenantTable(pgm, tenant, 'consent_notices', ['SELECT', 'INSERT']);
  tenantWidePolicies(pgm, 'consent_notices', ['select', 'insert']);

  // One row per decision (given or withdrawn), never changed: the latest per purpose is the consent in force.
  pgm.sql(`
    CREATE TABLE policyholder_consents (
      consent_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      ${TENANT_ID_COLUMN},
      ${BOOK_COLUMNS},
      policyholder_id uuid NOT NULL REFERENCES policyholders (policyholder_id),
      purpose varchar(40) NOT NULL,
      status varchar(10) NOT NULL CHECK (status IN ('given', 'withdrawn')),
      notice_id uuid REFERENCES consent_notices (notice_id),
      channel varchar(20) NOT NULL CHECK (channel IN ('app', 'web', 'agent', 'paper', 'email', 'sms', 'call_centre', 'import')),
      recorded_by uuid DEFAULT ${CURRENT_USER},
      recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      ${BOOK_AGENT_FOREIGN_KEY}
    );`);
  pgm.sql('CREATE INDEX policyholder_consents_latest ON policyholder_consents (policyholder_id, purpose, recorded_at DESC);');
  pgm.sql('CREATE INDEX policyholder_consents_agent_order ON policyholder_consents (agent_order);');
  guardTenantTable(pgm, tenant, 'policyholder_consents', ['SELECT', 'INSERT']);
  bookPolicies(pgm, 'policyholder_consents', ['select', 'insert']);

  pgm.sql(`
    CREATE TABLE data_rights_requests (
      request_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      ${TENANT_ID_COLUMN},
      kind varchar(10) NOT NULL CHECK (kind IN ('export', 'erasure')),
      policyholder_id uuid NOT NULL REFERENCES policyholders (policyholder_id),
      status varchar(20) NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'completed', 'failed', 'downloaded')),
      reason text,
      result jsonb,
      summary jsonb,
      requested_by uuid DEFAULT ${CURRENT_USER},
      created_at timestamptz NOT NULL DEFAULT now(),
      completed_at timestamptz,
      downloaded_at timestamptz,
      downloaded_by uuid,
      updated_at timestamptz NOT NULL DEFAULT now()
    );`);
  pgm.sql('CREATE INDEX data_rights_requests_created ON data_rights_requests (created_at DESC, request_id DESC);');
  pgm.sql('CREATE INDEX data_rights_requests_policyholder ON data_rights_requests (policyholder_id);');
  guardTenantTable(pgm, tenant, 'data_rights_requests', ['SELECT', 'INSERT', 'UPDATE']);
  tenantWidePolicies(pgm, 'data_rights_requests', ['select', 'insert', 'update']);

  pgm.sql(`
    CREATE TABLE retention_periods (
      data_class varchar(40) PRIMARY KEY,
      ${TENANT_ID_COLUMN},
      days integer NOT NULL CHECK (days BETWEEN 1 AND 36500),
      updated_by uuid DEFAULT ${CURRENT_USER},
      updated_at timestamptz NOT NULL DEFAULT now()
    );`);
  guardTenantTable(pgm, tenant, 'retention_periods', ['SELECT', 'INSERT', 'UPDATE']);
  tenantWidePolicies(pgm, 'retention_periods', ['select', 'insert', 'update']);

  pgm.sql('ALTER TABLE policyholders ADD COLUMN erased_at timestamptz;');

  // The owner is under forced RLS too: these policies let the definer functions below change audit rows. The runtime
  // role holds no UPDATE or DELETE grant on either trail, so they give it nothing.
  tenantPolicies(pgm, 'audit_log', { update: TENANT_MATCHES, delete: TENANT_MATCHES });
  tenantPolicies(pgm, 'personal_data_reads', { delete: TENANT_MATCHES });

  // Strips an erased person's personal values out of the audit trail (their rows stay: who changed what, when).
  // Refused unless the policyholder is erased already, so the runtime cannot use it to blank arbitrary history.
  pgm.sql(`
    CREATE FUNCTION "${tenant.schema}".erase_audit_values(p_policyholder uuid, p_table text, p_record_ids text[], p_keys text[])
    RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = "${tenant.schema}", pg_catalog AS $erase$
    DECLARE
      changed integer;
    BEGIN
      IF NOT EXISTS (SELECT 1 FROM "${tenant.schema}".policyholders WHERE policyholder_id = p_policyholder AND erased_at IS NOT NULL) THEN
        RAISE EXCEPTION 'policyholder % is not erased', p_policyholder USING ERRCODE = '42501';
      END IF;
      UPDATE "${tenant.schema}".audit_log SET old_values = old_values - p_keys, new_values = new_values - p_keys
       WHERE table_name = p_table AND record_id = ANY(p_record_ids);
      GET DIAGNOSTICS changed = ROW_COUNT;
      RETURN changed;
    END
    $erase$;`);
  pgm.sql(`REVOKE ALL ON FUNCTION "${tenant.schema}".erase_audit_values(uuid, text, text[], text[]) FROM PUBLIC;`);
  pgm.sql(`GRANT EXECUTE ON FUNCTION "${tenant.schema}".erase_audit_values(uuid, text, text[], text[]) TO agent_mitra_runtime;`);

  // Deletes trail rows older than the cut-off; never anything younger than 90 days, whatever the caller passes.
  for (const [name, table, column] of [['purge_audit_log', 'audit_log', 'occurred_at'],
    ['purge_personal_data_reads', 'personal_data_reads', 'occurred_at']] as const) {
    pgm.sql(`
      CREATE FUNCTION "${tenant.schema}".${name}(p_before timestamptz)
      RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = "${tenant.schema}", pg_catalog AS $purge$
      DECLARE
        removed integer;
      BEGIN
        IF p_before > now() - interval '90 days' THEN
          RAISE EXCEPTION 'trail rows younger than 90 days are kept' USING ERRCODE = '42501';
        END IF;
        DELETE FROM "${tenant.schema}".${table} WHERE ${column} < p_before;
        GET DIAGNOSTICS removed = ROW_COUNT;
        RETURN removed;
      END
      $purge$;`);
    pgm.sql(`REVOKE ALL ON FUNCTION "${tenant.schema}".${name}(timestamptz) FROM PUBLIC;`);
    pgm.sql(`GRANT EXECUTE ON FUNCTION "${tenant.schema}".${name}(timestamptz) TO agent_mitra_runtime;`);
  }
}

export function down(pgm: MigrationBuilder): void {
  for (const name of ['purge_personal_data_reads(timestamptz)', 'purge_audit_log(timestamptz)', 'erase_audit_values(uuid, text, text[], text[])']) {
    pgm.sql(`DROP FUNCTION ${name};`);
  }
  pgm.sql('DROP POLICY audit_log_update ON audit_log;');
  pgm.sql('DROP POLICY audit_log_delete ON audit_log;');
  pgm.sql('ALTER TABLE policyholders DROP COLUMN erased_at;');
  for (const table of ['retention_periods', 'data_rights_requests', 'policyholder_consents', 'consent_notices', 'personal_data_reads']) {
    pgm.sql(`DROP TABLE ${table};`);
  }
}
