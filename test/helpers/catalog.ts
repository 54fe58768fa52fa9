import type pg from 'pg';
import { TENANT_LEDGERS } from '../../src/db/migrator.js';
import { withClient } from '../../src/db/roles.js';
import { enterTenantSql } from '../../src/db/scope.js';
import { testDeps } from './context.js';

// Catalog audits behind the RLS tests. Each returns human-readable findings ("<schema>.<table>: <problem>"), empty
// when the rules hold, so a failing assertion names every violation at once. They read only the catalog, so they
// also run inside an owner transaction that has just created a deliberately broken object.

export interface TenantSchema {
  readonly tenant_id: string;
  readonly tenant_code: string;
  readonly schema_name: string;
}

const COMMANDS: Record<string, string> = { r: 'SELECT', a: 'INSERT', w: 'UPDATE', d: 'DELETE' };
/** The only functions a policy may call: the row is compared with the scope's settings, nothing is looked up. */
const ALLOWED_FUNCTIONS = new Set(['current_setting', 'nullif']);
/** Words pg_get_expr prints before a parenthesis that are syntax, not calls. */
const SQL_WORDS = new Set(['and', 'or', 'not', 'any', 'all', 'some', 'in', 'array', 'row', 'between', 'is', 'select', 'from',
  'where', 'on', 'using', 'when', 'then', 'else']);

export function ownerQuery<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  return withClient(testDeps().db.ownerUrl, work);
}

/**
 * The owner inside one tenant's transaction, set as the app sets it (SET LOCAL, which Citus carries to its workers;
 * a session-wide set_config would stay on the coordinator): forced RLS binds the owner too. Commits if `work` resolves.
 */
export function ownerInTenant<T>(tenant: TenantSchema, work: (client: pg.Client) => Promise<T>): Promise<T> {
  return ownerQuery(async (client) => {
    await client.query('BEGIN');
    try {
      await client.query(enterTenantSql(tenant));
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
  });
}

export async function registeredTenantSchemas(): Promise<TenantSchema[]> {
  return ownerQuery(async (client) => (await client.query<TenantSchema>(
    'SELECT tenant_id, tenant_code, schema_name FROM shared.tenants ORDER BY tenant_code')).rows);
}

export async function runtimeRoleName(): Promise<string> {
  return (await testDeps().db.app.raw('SELECT current_user AS name')).rows[0].name;
}

/** Tables (plain and partitioned) of a schema, by name. */
export async function tablesOf(client: pg.Client, schema: string): Promise<string[]> {
  const { rows } = await client.query<{ relname: string }>(`
    SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') ORDER BY c.relname`, [schema]);
  return rows.map((row) => row.relname);
}

/** Function names called in a policy expression as printed by pg_get_expr (string literals and typmods ignored). */
export function calledFunctions(expression: string): string[] {
  const code = expression.replace(/'(?:[^']|'')*'/g, "''").replace(/"(?:[^"]|"")*"/g, 'x');
  const calls = [...code.matchAll(/([A-Za-z_][\w$]*(?:\.[A-Za-z_][\w$]*)?)\s*\((?!\s*\d+\s*(?:,\s*\d+\s*)?\))/g)]
    .map((match) => (match[1] as string).toLowerCase().replace(/^pg_catalog\./, ''));
  return [...new Set(calls.filter((name) => !SQL_WORDS.has(name)))].sort();
}

export function hasSubSelect(expression: string): boolean {
  return /\bselect\b/i.test(expression.replace(/'(?:[^']|'')*'/g, "''"));
}

/** IS NULL / IS NOT NULL outside string literals: Citus fails on such a policy of a distributed table. */
export function hasNullTest(expression: string): boolean {
  return /\bis\s+(?:not\s+)?null\b/i.test(expression.replace(/'(?:[^']|'')*'/g, "''"));
}

/**
 * Policies of `schema` whose shape Citus cannot run on a distributed or reference table (sub-selects, IS [NOT] NULL),
 * leaving out the tables that stay on the coordinator.
 */
export async function citusUnsafePolicies(client: pg.Client, schema: string, coordinatorOnly: readonly string[]): Promise<string[]> {
  const { rows } = await client.query<{ relname: string; polname: string; qual: string | null; with_check: string | null }>(`
    SELECT c.relname, p.polname, pg_get_expr(p.polqual, p.polrelid) AS qual, pg_get_expr(p.polwithcheck, p.polrelid) AS with_check
      FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND NOT (c.relname = ANY($2::text[])) ORDER BY 1, 2`, [schema, coordinatorOnly]);
  const findings: string[] = [];
  for (const row of rows) {
    const expressions = [row.qual, row.with_check].filter((text): text is string => text !== null);
    const where = `${schema}.${row.relname}: policy ${row.polname}`;
    if (expressions.some(hasSubSelect)) findings.push(`${where} has a sub-select`);
    if (expressions.some(hasNullTest)) findings.push(`${where} tests IS [NOT] NULL, which Citus cannot run`);
  }
  return findings;
}

/** The extensions whose own schemas (citus, citus_internal, columnar, ...) the runtime may reach by the engine's grant. */
const ENGINE_EXTENSIONS = ['citus', 'citus_columnar'];

/**
 * Schemas the role may use that no audit covers: anything but the catalogs, shared, the given (audited) schemas
 * and the schemas that are members of the engine's own extensions (by pg_depend, not by name).
 */
export async function unauditedSchemasReachableBy(client: pg.Client, role: string, audited: string[]): Promise<string[]> {
  const { rows } = await client.query<{ nspname: string }>(`
    SELECT n.nspname FROM pg_namespace n
     WHERE has_schema_privilege($1::name, n.oid, 'USAGE')
       AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'shared', 'jobs') AND NOT (n.nspname = ANY($2::text[]))
       AND NOT EXISTS (SELECT 1 FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
                        WHERE d.classid = 'pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e'
                          AND d.refclassid = 'pg_extension'::regclass AND e.extname = ANY($3::text[]))
     ORDER BY 1`, [role, audited, ENGINE_EXTENSIONS]);
  return rows.map((row) => row.nspname);
}

/** The engine's own schemas the role may use (empty on plain PostgreSQL). */
export async function engineSchemasReachableBy(client: pg.Client, role: string): Promise<string[]> {
  const { rows } = await client.query<{ nspname: string }>(`
    SELECT DISTINCT n.nspname FROM pg_namespace n
      JOIN pg_depend d ON d.classid = 'pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e'
      JOIN pg_extension e ON e.oid = d.refobjid AND d.refclassid = 'pg_extension'::regclass
     WHERE e.extname = ANY($2::text[]) AND has_schema_privilege($1::name, n.oid, 'USAGE') ORDER BY 1`,
  [role, ENGINE_EXTENSIONS]);
  return rows.map((row) => row.nspname);
}

interface PolicyRow {
  polname: string;
  polcmd: string;
  polpermissive: boolean;
  qual: string | null;
  with_check: string | null;
  dependencies: string[];
}

/** Every rule a tenant schema's relations must follow, checked against the catalog. */
export async function auditTenantSchema(client: pg.Client, schema: string, tenantId: string): Promise<string[]> {
  const findings: string[] = [];
  const { rows: relations } = await client.query<{ oid: number; relname: string; relkind: string; relrowsecurity: boolean;
    relforcerowsecurity: boolean; reloptions: string[] | null }>(`
    SELECT c.oid, c.relname, c.relkind, c.relrowsecurity, c.relforcerowsecurity, c.reloptions
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f') ORDER BY c.relname`, [schema]);
  for (const rel of relations) {
    const name = `${schema}.${rel.relname}`;
    if (rel.relkind === 'v') {
      if (!(rel.reloptions ?? []).includes('security_invoker=true')) findings.push(`${name}: is a view without security_invoker`);
      continue;
    }
    if (rel.relkind === 'm' || rel.relkind === 'f') {
      findings.push(`${name}: is a ${rel.relkind === 'm' ? 'materialized view' : 'foreign table'}, which RLS cannot guard`);
      continue;
    }
    if (!rel.relrowsecurity) findings.push(`${name}: row level security is not enabled`);
    if (!rel.relforcerowsecurity) findings.push(`${name}: row level security is not forced`);
    findings.push(...await auditTenantColumn(client, rel.oid, name, tenantId));
    findings.push(...auditPolicies(name, await policiesOf(client, rel.oid)));
  }
  return findings;
}

async function auditTenantColumn(client: pg.Client, relid: number, name: string, tenantId: string): Promise<string[]> {
  const findings: string[] = [];
  const { rows: [column] } = await client.query<{ type: string; attnotnull: boolean; column_default: string | null }>(`
    SELECT format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull, pg_get_expr(d.adbin, d.adrelid) AS column_default
      FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE a.attrelid = $1 AND a.attname = 'tenant_id' AND NOT a.attisdropped`, [relid]);
  if (!column || column.type !== 'uuid' || !column.attnotnull) findings.push(`${name}: has no tenant_id uuid NOT NULL column`);
  else if (!column.column_default?.includes("current_setting('app.tenant_id'")) findings.push(`${name}: tenant_id does not default to app.tenant_id`);
  const { rows: checks } = await client.query<{ definition: string }>(
    "SELECT pg_get_constraintdef(oid) AS definition FROM pg_constraint WHERE conrelid = $1 AND contype = 'c'", [relid]);
  const pin = `CHECK ((tenant_id = '${tenantId}'::uuid))`;
  if (!checks.some((check) => check.definition === pin)) findings.push(`${name}: has no CHECK pinning tenant_id to ${tenantId}`);
  return findings;
}

async function policiesOf(client: pg.Client, relid: number): Promise<PolicyRow[]> {
  // pg_depend holds what a policy's expressions reference beyond built-ins: user functions and other relations.
  const { rows } = await client.query<PolicyRow>(`
    SELECT p.polname, p.polcmd, p.polpermissive,
           pg_get_expr(p.polqual, p.polrelid) AS qual, pg_get_expr(p.polwithcheck, p.polrelid) AS with_check,
           coalesce((SELECT array_agg(DISTINCT CASE WHEN d.refclassid = 'pg_proc'::regclass
                                                    THEN 'function ' || d.refobjid::regprocedure::text
                                                    ELSE 'relation ' || d.refobjid::regclass::text END)
                       FROM pg_depend d
                      WHERE d.classid = 'pg_policy'::regclass AND d.objid = p.oid
                        AND (d.refclassid = 'pg_proc'::regclass
                             OR (d.refclassid = 'pg_class'::regclass AND d.refobjid <> p.polrelid))), '{}') AS dependencies
      FROM pg_policy p WHERE p.polrelid = $1 ORDER BY p.polname`, [relid]);
  return rows;
}

function auditPolicies(name: string, policies: PolicyRow[]): string[] {
  if (!policies.length) return [`${name}: has no policy`];
  const findings: string[] = [];
  for (const [code, command] of Object.entries(COMMANDS)) {
    const applying = policies.filter((policy) => policy.polcmd === code || policy.polcmd === '*');
    if (applying.length > 1) findings.push(`${name}: ${command} has ${applying.length} policies (${applying.map((p) => p.polname).join(', ')})`);
  }
  for (const policy of policies) {
    const where = `${name}: policy ${policy.polname}`;
    if (!policy.polpermissive) findings.push(`${where} is RESTRICTIVE`);
    const expressions = [policy.qual, policy.with_check].filter((text): text is string => text !== null);
    if (expressions.some(hasSubSelect)) findings.push(`${where} has a sub-select`);
    if (expressions.some(hasNullTest)) findings.push(`${where} tests IS [NOT] NULL, which Citus cannot run`);
    const calls = [...new Set(expressions.flatMap(calledFunctions))].filter((fn) => !ALLOWED_FUNCTIONS.has(fn));
    for (const fn of calls) findings.push(`${where} calls ${fn}()`);
    for (const dependency of policy.dependencies) findings.push(`${where} depends on ${dependency}`);
  }
  return findings;
}

/** What could let the runtime role past RLS or into the migration machinery. */
export async function auditRuntimeRole(client: pg.Client, runtime: string, owner: string, tenantSchemas: string[]): Promise<string[]> {
  const findings: string[] = [];
  const { rows: [role] } = await client.query(`
    SELECT r.rolsuper, r.rolbypassrls, r.rolcreaterole,
           pg_has_role(r.oid, $2::name, 'MEMBER') AS owner_member,
           (SELECT array_agg(m.rolname::text ORDER BY m.rolname) FROM pg_roles m
             WHERE m.oid <> r.oid AND pg_has_role(r.oid, m.oid, 'MEMBER') AND (m.rolsuper OR m.rolbypassrls)) AS privileged_groups,
           (SELECT array_agg(c.oid::regclass::text ORDER BY c.oid::regclass::text) FROM pg_class c WHERE pg_has_role(r.oid, c.relowner, 'MEMBER')) AS relations,
           (SELECT array_agg(n.nspname::text ORDER BY n.nspname) FROM pg_namespace n WHERE pg_has_role(r.oid, n.nspowner, 'MEMBER')) AS schemas,
           (SELECT array_agg(p.oid::regprocedure::text ORDER BY p.oid::regprocedure::text) FROM pg_proc p WHERE pg_has_role(r.oid, p.proowner, 'MEMBER')) AS functions
      FROM pg_roles r WHERE r.rolname = $1`, [runtime, owner]);
  if (!role) return [`runtime role ${runtime} does not exist`];
  if (role.rolsuper) findings.push(`${runtime} is a superuser`);
  if (role.rolbypassrls) findings.push(`${runtime} has BYPASSRLS`);
  if (role.rolcreaterole) findings.push(`${runtime} has CREATEROLE`);
  if (role.owner_member) findings.push(`${runtime} is a member of the owner role ${owner}`);
  for (const group of role.privileged_groups ?? []) findings.push(`${runtime} is a member of the privileged role ${group}`);
  for (const relation of role.relations ?? []) findings.push(`${runtime} owns relation ${relation}`);
  for (const schema of role.schemas ?? []) findings.push(`${runtime} owns schema ${schema}`);
  for (const fn of role.functions ?? []) findings.push(`${runtime} owns function ${fn}`);

  const { rows: ledgers } = await client.query(`
    SELECT has_schema_privilege($1::name, n.oid, 'USAGE') AS usage, has_schema_privilege($1::name, n.oid, 'CREATE') AS create,
           (SELECT array_agg(c.relname::text ORDER BY c.relname) FROM pg_class c WHERE c.relnamespace = n.oid
             AND has_table_privilege($1::name, c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')) AS tables
      FROM pg_namespace n WHERE n.nspname = $2`, [runtime, TENANT_LEDGERS]);
  const ledger = ledgers[0];
  if (!ledger) findings.push(`schema ${TENANT_LEDGERS} does not exist`);
  else {
    if (ledger.usage) findings.push(`${runtime} has USAGE on ${TENANT_LEDGERS}`);
    if (ledger.create) findings.push(`${runtime} has CREATE on ${TENANT_LEDGERS}`);
    for (const table of ledger.tables ?? []) findings.push(`${runtime} has a privilege on ${TENANT_LEDGERS}.${table}`);
  }
  const { rows: creatable } = await client.query<{ nspname: string }>(`
    SELECT nspname FROM pg_namespace WHERE nspname = ANY($2::text[]) AND has_schema_privilege($1::name, oid, 'CREATE') ORDER BY 1`,
  [runtime, ['shared', 'public', 'jobs', ...tenantSchemas]]);
  for (const { nspname } of creatable) findings.push(`${runtime} has CREATE on schema ${nspname}`);
  return findings;
}
