import type { MigrationBuilder } from 'node-pg-migrate';
import { assertSchemaName, assertUuid } from './sql-literals.js';

// Building blocks for tenant migrations. Each tenant table gets the same guard rails: a tenant_id defaulted from
// the scope and pinned to this schema's tenant, RLS enabled and forced, and grants to the runtime group only.
// One statement per pgm.sql call: Citus takes single statements best.

export const CURRENT_TENANT = "nullif(current_setting('app.tenant_id', true), '')::uuid";
export const TENANT_MATCHES = `tenant_id = ${CURRENT_TENANT}`;

export type Privilege = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE';

/** The tenant_id column every tenant table starts with. */
export const TENANT_ID_COLUMN = `tenant_id uuid NOT NULL DEFAULT ${CURRENT_TENANT}`;

/** The tenant a migration runs for: the migrator sets app.tenant_id and puts the schema first on search_path. */
export interface TenantMigrationContext {
  readonly tenantId: string;
  readonly schema: string;
  /** The schema is a distributed schema on a Citus coordinator: its tables are single-shard tables on a worker. */
  readonly citus: boolean;
}

export async function tenantMigrationContext(pgm: MigrationBuilder): Promise<TenantMigrationContext> {
  const [row] = await pgm.db.select(`SELECT current_setting('app.tenant_id') AS tenant_id, current_schema() AS schema,
    EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') AS citus`);
  return { tenantId: assertUuid(row.tenant_id), schema: assertSchemaName(row.schema), citus: row.citus === true };
}

/** Lets the runtime group into the tenant's schema. */
export function grantSchemaUsage(pgm: MigrationBuilder, context: TenantMigrationContext): void {
  pgm.sql(`GRANT USAGE ON SCHEMA "${context.schema}" TO agent_mitra_runtime;`);
}

/**
 * Pins tenant_id to the schema's tenant with a CHECK holding the literal id, turns on forced RLS and grants the
 * runtime group exactly `privileges`. Plain top-level statements, like the CREATE TABLE before them: Citus
 * propagates those to the worker that holds the schema.
 */
export function guardTenantTable(pgm: MigrationBuilder, context: TenantMigrationContext, table: string,
  privileges: Privilege[]): void {
  pgm.sql(`ALTER TABLE ${table} ADD CONSTRAINT ${table}_tenant_pin CHECK (tenant_id = '${context.tenantId}'::uuid);`);
  pgm.sql(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;`);
  pgm.sql(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY;`);
  pgm.sql(`GRANT ${privileges.join(', ')} ON ${table} TO agent_mitra_runtime;`);
}

export interface PolicySet {
  readonly select?: string;
  readonly insert?: string;
  readonly update?: string;
  readonly delete?: string;
}

/**
 * Exactly one PERMISSIVE policy per command. Conditions may compare only the row's own columns with
 * current_setting values: no subqueries, no table-reading functions (Citus rejects or rewrites them).
 */
export function tenantPolicies(pgm: MigrationBuilder, table: string, policies: PolicySet): void {
  for (const [command, condition] of Object.entries(policies) as [keyof PolicySet, string][]) {
    const clause = command === 'insert' ? `WITH CHECK (${condition})`
      : command === 'update' ? `USING (${condition}) WITH CHECK (${condition})`
      : `USING (${condition})`;
    pgm.sql(`CREATE POLICY ${table}_${command} ON ${table} AS PERMISSIVE FOR ${command.toUpperCase()} TO PUBLIC ${clause};`);
  }
}

/** Policies for a table every actor of the tenant may reach; finer rules live in the CASL abilities. */
export function tenantWidePolicies(pgm: MigrationBuilder, table: string, commands: (keyof PolicySet)[]): void {
  tenantPolicies(pgm, table, Object.fromEntries(commands.map((command) => [command, TENANT_MATCHES])));
}

// The agent book. Each book row carries its agent's pre-order number (agent_order); the scope sets the range of
// numbers the caller may see (app.agent_lo..app.agent_hi) and, for a policyholder user, its own record
// (app.policyholder_id, with the range narrowed to that record's book number).
const AGENT_LO = "nullif(current_setting('app.agent_lo', true), '')::bigint";
const AGENT_HI = "nullif(current_setting('app.agent_hi', true), '')::bigint";
const POLICYHOLDER_LO = "nullif(current_setting('app.policyholder_lo', true), '')::uuid";
const POLICYHOLDER_HI = "nullif(current_setting('app.policyholder_hi', true), '')::uuid";
export const BOOK_RANGE_MATCHES = `${TENANT_MATCHES} AND agent_order BETWEEN ${AGENT_LO} AND ${AGENT_HI}`;

/** The columns and foreign key every book table starts with (besides TENANT_ID_COLUMN). */
export const BOOK_COLUMNS = 'agent_id uuid NOT NULL, agent_order bigint NOT NULL';
export const BOOK_AGENT_FOREIGN_KEY =
  'FOREIGN KEY (agent_id, agent_order) REFERENCES agents (agent_id, pre_order) ON UPDATE CASCADE';

/**
 * One PERMISSIVE policy per command on a book table, the same for every command: the caller's agent range, and,
 * when the caller is a policyholder user (its range is then its own record's book number), only its own rows
 * (`policyholderColumn`: the key on `policyholders`). The range stays a plain conjunct, so it is an index
 * condition for every caller; an `OR policyholder_id = ...` beside it made managers' pages filter row by row.
 * The own-rows test is a range too (app.policyholder_lo..hi: the user's own id twice, else the whole uuid range):
 * the planner estimates it from the column's statistics, where `setting = ''` (no column) counted as 0.5% of rows
 * and made every filtered list of a manager sort its whole range.
 * Only =, AND, BETWEEN and casts of current_setting: Citus-safe.
 */
export function bookPolicies(pgm: MigrationBuilder, table: string, commands: (keyof PolicySet)[],
  policyholderColumn = 'policyholder_id'): void {
  const ownRowsOnly = `${policyholderColumn} BETWEEN ${POLICYHOLDER_LO} AND ${POLICYHOLDER_HI}`;
  tenantPolicies(pgm, table, Object.fromEntries(commands.map((command) => [command, `${BOOK_RANGE_MATCHES} AND ${ownRowsOnly}`])));
}

/** The two indexes a book table's newest-first pages need: one for agents' ranges, one for tenant-wide roles. */
export function bookIndexes(pgm: MigrationBuilder, table: string, key: string): void {
  pgm.sql(`CREATE INDEX ${table}_agent_order_created ON ${table} (agent_order, created_at DESC, ${key} DESC);`);
  pgm.sql(`CREATE INDEX ${table}_tenant_created ON ${table} (tenant_id, created_at DESC, ${key} DESC, agent_order);`);
}

export interface AuditOptions {
  /** The key column recorded as record_id; by default the singular of the table name plus _id. */
  readonly key?: string;
  /** Updates that change only these columns are not recorded (renumbering, counters, updated_at). */
  readonly ignore?: readonly string[];
  /** Left out of the recorded values (secrets); a change to them still shows in changed_columns. */
  readonly redact?: readonly string[];
}

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

function textArrayLiteral(values: readonly string[]): string {
  for (const value of values) if (!IDENTIFIER.test(value)) throw new Error(`not a column name: ${value}`);
  return `'{${values.join(',')}}'`;
}

function defaultAuditKey(table: string): string {
  return `${table.endsWith('ies') ? `${table.slice(0, -3)}y` : table.replace(/s$/, '')}_id`;
}

/**
 * Records every insert, update and delete on `table` in the tenant's own audit_log, with the acting user and
 * actor from the transaction's settings. The trigger gets the logical table name as an argument (on Citus
 * TG_TABLE_NAME is the shard's) and writes only inside its own schema.
 * Citus refuses any trigger on a distributed table unless `citus.enable_unsafe_triggers` is on (for that one
 * statement here). This one is safe: it fires on the worker holding the shard and writes only to audit_log, a
 * co-located table of the same distributed schema, i.e. a shard on the same node, which Citus runs locally.
 */
export function auditTable(pgm: MigrationBuilder, context: TenantMigrationContext, table: string, options: AuditOptions = {}): void {
  const key = options.key ?? defaultAuditKey(table);
  const ignore = textArrayLiteral(['updated_at', ...(options.ignore ?? [])]);
  const redact = textArrayLiteral(options.redact ?? []);
  if (!IDENTIFIER.test(table) || !IDENTIFIER.test(key)) throw new Error(`not a table or column name: ${table}.${key}`);
  if (context.citus) pgm.sql('SET LOCAL citus.enable_unsafe_triggers = on;');
  pgm.sql(`CREATE TRIGGER ${table}_audit AFTER INSERT OR UPDATE OR DELETE ON ${table} FOR EACH ROW `
    + `EXECUTE FUNCTION "${context.schema}".audit_row('${table}', '${key}', ${ignore}, ${redact});`);
  if (context.citus) pgm.sql('SET LOCAL citus.enable_unsafe_triggers TO DEFAULT;');
}

/**
 * The same audit entries as auditTable, written once per statement from its transition tables (audit_statement(),
 * migration 1733001000000): for tables written in bulk (imports). PostgreSQL only: on Citus a transition table is
 * not visible to the distributed INSERT into audit_log, and auditTable's row trigger stays.
 */
export function auditTableByStatement(pgm: MigrationBuilder, context: TenantMigrationContext, table: string,
  options: AuditOptions = {}): void {
  const key = options.key ?? defaultAuditKey(table);
  if (context.citus) throw new Error('statement audit triggers do not run on Citus');
  if (!IDENTIFIER.test(table) || !IDENTIFIER.test(key)) throw new Error(`not a table or column name: ${table}.${key}`);
  const ignore = textArrayLiteral(['updated_at', ...(options.ignore ?? [])]);
  const redact = textArrayLiteral(options.redact ?? []);
  const call = `EXECUTE FUNCTION "${context.schema}".audit_statement('${table}', '${key}', ${ignore}, ${redact})`;
  pgm.sql(`CREATE TRIGGER ${table}_audit_insert AFTER INSERT ON ${table} REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT ${call};`);
  pgm.sql(`CREATE TRIGGER ${table}_audit_update AFTER UPDATE ON ${table} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows `
    + `FOR EACH STATEMENT ${call};`);
  pgm.sql(`CREATE TRIGGER ${table}_audit_delete AFTER DELETE ON ${table} REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT ${call};`);
}

export function dropAuditTriggersByStatement(pgm: MigrationBuilder, table: string): void {
  for (const command of ['insert', 'update', 'delete']) pgm.sql(`DROP TRIGGER ${table}_audit_${command} ON ${table};`);
}

/**
 * The owner's function that retires a data key version (src/data-protection/encryption/): it destroys the wrapped
 * key unless the version is current, a newer one is younger than `p_min_age`, or a row of any of `sealedTables`
 * still uses it. Each migration that adds a sealed table replaces it with the longer list.
 */
export function retireDataKeyFunction(schema: string, sealedTables: readonly string[]): string {
  const inUse = sealedTables.map((table) => `EXISTS (SELECT 1 FROM "${schema}".${table} WHERE sealed_key_version = p_version)`);
  return `
    CREATE OR REPLACE FUNCTION "${schema}".retire_data_key(p_version integer, p_min_age interval)
    RETURNS text LANGUAGE plpgsql SECURITY DEFINER SET search_path = "${schema}", pg_catalog AS $retire$
    DECLARE
      newest integer;
      newest_at timestamptz;
      retired timestamptz;
    BEGIN
      SELECT key_version, created_at INTO newest, newest_at FROM "${schema}".data_keys
       WHERE purpose = 'seal' ORDER BY key_version DESC LIMIT 1;
      SELECT retired_at INTO retired FROM "${schema}".data_keys WHERE purpose = 'seal' AND key_version = p_version FOR UPDATE;
      IF NOT FOUND THEN RETURN 'not_found'; END IF;
      IF retired IS NOT NULL THEN RETURN 'retired'; END IF;
      IF p_version = newest THEN RETURN 'current'; END IF;
      IF newest_at > now() - p_min_age THEN RETURN 'too_recent'; END IF;
      IF ${inUse.join('\n         OR ')} THEN
        RETURN 'in_use';
      END IF;
      UPDATE "${schema}".data_keys SET wrapped_key = NULL, retired_at = now() WHERE purpose = 'seal' AND key_version = p_version;
      RETURN 'retired';
    END
    $retire$;`;
}
