import { expect } from 'chai';
import type { Knex } from 'knex';
import { TENANT_LEDGERS } from '../../src/db/migrator.js';
import { withWorkerFieldsRecovered } from '../../src/db/pg-errors.js';
import { createTestTenant, createTestUser, type TestTenant } from '../helpers/actors.js';
import {
  auditRuntimeRole, auditTenantSchema, calledFunctions, citusUnsafePolicies, engineSchemasReachableBy, hasNullTest, ownerQuery,
  registeredTenantSchemas, runtimeRoleName, tablesOf, type TenantSchema, unauditedSchemasReachableBy,
} from '../helpers/catalog.js';
import { testDeps } from '../helpers/context.js';
import { skipBecause } from '../helpers/skip.js';

// The database itself must confine the runtime role, whatever the application code does: these tests read the
// catalog and then query as the runtime role with no context and with the wrong tenant's context.

/** Tables onboarding fills (the agent row comes from the agent user created below). */
const CORE_TABLES = ['agents', 'permissions', 'role_permissions', 'roles', 'user_roles', 'user_sessions', 'users'];
const CURRENT_TENANT = "nullif(current_setting('app.tenant_id', true), '')::uuid";

interface PgError { code: string; constraint?: string; message: string }

/** Runs `work` as the runtime role in one transaction that is always rolled back; returns its result or its error. */
async function asRuntimeRolledBack<T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<{ result?: T; error?: PgError }> {
  const sentinel = new Error('roll back');
  let result: T | undefined;
  try {
    await testDeps().db.app.transaction(async (trx) => {
      result = await work(trx);
      throw sentinel;
    });
  } catch (error) {
    return error === sentinel ? { result } : { error: error as PgError };
  }
  throw new Error('the transaction committed');
}

async function countAll(trx: Knex.Transaction, tables: { schema: string; table: string }[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const { schema, table } of tables) {
    const { rows } = await trx.raw(`SELECT count(*)::int AS n FROM "${schema}"."${table}"`);
    counts[`${schema}.${table}`] = rows[0].n;
  }
  return counts;
}

/** These walk every tenant the suite has created so far (hundreds late in a run): more than the default 30 s under load. */
const EVERY_TENANT_MS = 180_000;

describe('row-level security, as the catalog and the runtime role see it', () => {
  let a: TestTenant;
  let b: TestTenant;
  let schemas: TenantSchema[];
  let runtime: string;
  let owner: string;

  before(async () => {
    [a, b] = [await createTestTenant(), await createTestTenant()];
    for (const tenant of [a, b]) await createTestUser(tenant, 'junior_agent', { agent: true });
    schemas = await registeredTenantSchemas();
    runtime = await runtimeRoleName();
    owner = await ownerQuery(async (client) => (await client.query('SELECT current_user AS name')).rows[0].name);
  });

  it('registers both new tenants with a schema holding the identity tables, and the runtime can reach no unregistered schema', async () => {
    expect(schemas.map((s) => s.tenant_code)).to.include.members([a.tenant_code, b.tenant_code]);
    await ownerQuery(async (client) => {
      for (const tenant of [a, b]) expect(await tablesOf(client, tenant.schema_name)).to.include.members(CORE_TABLES);
      const unaudited = await unauditedSchemasReachableBy(client, runtime, schemas.map((s) => s.schema_name));
      expect(unaudited, 'schemas the runtime may use but no audit covers').to.deep.equal([]);
    });
  });

  it("knows the engine's own schemas by extension membership, not by name, and still flags a look-alike", async () => {
    const lookAlike = `citus_internal_${a.tenant_code.toLowerCase()}`;
    const { engine, flagged } = await ownerQuery(async (client) => {
      await client.query('BEGIN');
      try {
        await client.query(`CREATE SCHEMA "${lookAlike}"`);
        await client.query(`GRANT USAGE ON SCHEMA "${lookAlike}" TO agent_mitra_runtime`);
        return {
          engine: await engineSchemasReachableBy(client, runtime),
          flagged: await unauditedSchemasReachableBy(client, runtime, schemas.map((s) => s.schema_name)),
        };
      } finally {
        await client.query('ROLLBACK');
      }
    });
    expect(flagged).to.deep.equal([lookAlike]);
    // Citus grants USAGE on citus_internal to everyone; plain PostgreSQL has no engine schemas at all.
    if (testDeps().db.isCitus) expect(engine).to.include('citus_internal');
    else expect(engine).to.deep.equal([]);
  });

  it('finds every table of every tenant schema forced under RLS, pinned to its tenant, with one plain permissive policy per command', async function everySchema() {
    this.timeout(EVERY_TENANT_MS);
    const findings = await ownerQuery(async (client) => {
      const all: string[] = [];
      for (const s of schemas) all.push(...await auditTenantSchema(client, s.schema_name, s.tenant_id));
      return all;
    });
    expect(findings).to.deep.equal([]);
  });

  it('keeps the policies of every shared table Citus may distribute to shapes Citus can run', async () => {
    // The registry and platform tables stay on the coordinator (plain PostgreSQL there); everything else in shared
    // may become a reference table. A new coordinator-only table belongs in this list, by decision.
    const coordinatorOnly = ['tenants', 'tenant_config', 'platform_users', 'platform_sessions', 'pgmigrations'];
    const { findings, distributed } = await ownerQuery(async (client) => ({
      findings: await citusUnsafePolicies(client, 'shared', coordinatorOnly),
      distributed: testDeps().db.isCitus ? (await client.query<{ name: string }>(`
        SELECT c.relname AS name FROM pg_dist_partition d JOIN pg_class c ON c.oid = d.logicalrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'shared' ORDER BY 1`)).rows.map((row) => row.name) : [],
    }));
    expect(findings).to.deep.equal([]);
    expect(distributed.filter((table) => coordinatorOnly.includes(table)), 'distributed, though listed as coordinator-only').to.deep.equal([]);
    if (testDeps().db.isCitus) expect(distributed).to.include('insurance_providers');
  });

  it('reads IS [NOT] NULL in policy expressions, but not inside string literals', () => {
    expect(hasNullTest("(nullif(current_setting('app.x'::text, true), ''::text) IS NOT NULL)")).to.equal(true);
    expect(hasNullTest('(flag IS NULL)')).to.equal(true);
    expect(hasNullTest("((flag)::text = 'is not null'::text)")).to.equal(false);
    expect(hasNullTest("(tenant_id = ANY ('{a,b}'::uuid[]))")).to.equal(false);
  });

  it('reads policy expressions: only current_setting and nullif are called, typmods and literals are not calls', () => {
    expect(calledFunctions("(tenant_id = (NULLIF(current_setting('app.tenant_id'::text, true), ''::text))::uuid)"))
      .to.deep.equal(['current_setting', 'nullif']);
    expect(calledFunctions("((code)::character varying(20) = 'lower(x)'::text) AND (agent_id = ANY (ARRAY[a, b]))")).to.deep.equal([]);
    expect(calledFunctions('(tenant_id = shared.lookup(user_id)) OR pg_catalog.lower(x)')).to.deep.equal(['lower', 'shared.lookup']);
  });

  it('flags every broken object planted in a tenant-like schema, and nothing else, until they are rolled back', async () => {
    // A scratch schema of plain tables: a tenant schema on Citus is distributed, and Citus itself refuses some of
    // these shapes there (sub-selects in policies); the audit must catch them before any engine is asked.
    const scratch = `rogue_${a.tenant_code.toLowerCase()}`;
    const s = `"${scratch}"`;
    const guarded = (table: string, pin: string) => [
      `CREATE TABLE ${s}.${table} (id int, flag text, tenant_id uuid NOT NULL DEFAULT ${CURRENT_TENANT} CHECK (tenant_id = '${pin}'::uuid))`,
      `ALTER TABLE ${s}.${table} ENABLE ROW LEVEL SECURITY`,
      `ALTER TABLE ${s}.${table} FORCE ROW LEVEL SECURITY`,
    ];
    const statements = [
      `CREATE SCHEMA ${s}`,
      ...guarded('rogue_unforced', a.tenant_id),
      `ALTER TABLE ${s}.rogue_unforced NO FORCE ROW LEVEL SECURITY`,
      `CREATE POLICY rogue_unforced_select ON ${s}.rogue_unforced FOR SELECT USING (tenant_id = ${CURRENT_TENANT})`,
      `CREATE TABLE ${s}.rogue_bare (id int)`,
      ...guarded('rogue_wrong_pin', b.tenant_id),
      `CREATE POLICY rogue_wrong_pin_select ON ${s}.rogue_wrong_pin FOR SELECT USING (tenant_id = ${CURRENT_TENANT})`,
      ...guarded('rogue_doubled', a.tenant_id),
      `CREATE POLICY rogue_doubled_all ON ${s}.rogue_doubled FOR ALL USING (tenant_id = ${CURRENT_TENANT})`,
      `CREATE POLICY rogue_doubled_select ON ${s}.rogue_doubled FOR SELECT USING (tenant_id = ${CURRENT_TENANT})`,
      `CREATE POLICY rogue_doubled_narrow ON ${s}.rogue_doubled AS RESTRICTIVE FOR DELETE USING (id > 0)`,
      ...guarded('rogue_lookups', a.tenant_id),
      `CREATE FUNCTION ${s}.rogue_tenant() RETURNS uuid LANGUAGE sql STABLE AS 'SELECT tenant_id FROM shared.tenants LIMIT 1'`,
      `CREATE POLICY rogue_lookups_select ON ${s}.rogue_lookups FOR SELECT
        USING (tenant_id IN (SELECT t.tenant_id FROM shared.tenants t WHERE t.status = 'active'))`,
      `CREATE POLICY rogue_lookups_insert ON ${s}.rogue_lookups FOR INSERT WITH CHECK (tenant_id = ${s}.rogue_tenant())`,
      `CREATE POLICY rogue_lookups_update ON ${s}.rogue_lookups FOR UPDATE
        USING (tenant_id = ${CURRENT_TENANT} AND pg_has_role(current_user, 'agent_mitra_owner', 'MEMBER'))`,
      ...guarded('rogue_null_tests', a.tenant_id),
      // Citus cannot run a NullTest in a policy on a distributed table ("unrecognized node type").
      `CREATE POLICY rogue_null_tests_select ON ${s}.rogue_null_tests FOR SELECT
        USING (tenant_id = ${CURRENT_TENANT} OR nullif(current_setting('app.platform_user_id', true), '') IS NOT NULL)`,
      `CREATE POLICY rogue_null_tests_delete ON ${s}.rogue_null_tests FOR DELETE USING (tenant_id = ${CURRENT_TENANT} AND flag IS NULL)`,
      `CREATE POLICY rogue_null_tests_update ON ${s}.rogue_null_tests FOR UPDATE
        USING (tenant_id = ${CURRENT_TENANT} AND flag = 'is not null')`,
      `CREATE VIEW ${s}.rogue_view AS SELECT id FROM ${s}.rogue_bare`,
    ];
    const planted = await ownerQuery(async (client) => {
      await client.query('BEGIN');
      try {
        // One statement per query: Citus forwards a DDL statement's whole query string to the workers.
        for (const statement of statements) await client.query(statement);
        return await auditTenantSchema(client, scratch, a.tenant_id);
      } finally {
        await client.query('ROLLBACK');
      }
    });
    const at = (table: string) => `${scratch}.${table}`;
    expect(planted).to.have.members([
      `${at('rogue_bare')}: row level security is not enabled`,
      `${at('rogue_bare')}: row level security is not forced`,
      `${at('rogue_bare')}: has no tenant_id uuid NOT NULL column`,
      `${at('rogue_bare')}: has no CHECK pinning tenant_id to ${a.tenant_id}`,
      `${at('rogue_bare')}: has no policy`,
      `${at('rogue_doubled')}: SELECT has 2 policies (rogue_doubled_all, rogue_doubled_select)`,
      `${at('rogue_doubled')}: DELETE has 2 policies (rogue_doubled_all, rogue_doubled_narrow)`,
      `${at('rogue_doubled')}: policy rogue_doubled_narrow is RESTRICTIVE`,
      `${at('rogue_lookups')}: policy rogue_lookups_insert calls ${scratch}.rogue_tenant()`,
      `${at('rogue_lookups')}: policy rogue_lookups_insert depends on function ${scratch}.rogue_tenant()`,
      `${at('rogue_lookups')}: policy rogue_lookups_select has a sub-select`,
      `${at('rogue_lookups')}: policy rogue_lookups_select depends on relation shared.tenants`,
      `${at('rogue_lookups')}: policy rogue_lookups_update calls pg_has_role()`,
      `${at('rogue_null_tests')}: policy rogue_null_tests_delete tests IS [NOT] NULL, which Citus cannot run`,
      `${at('rogue_null_tests')}: policy rogue_null_tests_select tests IS [NOT] NULL, which Citus cannot run`,
      `${at('rogue_unforced')}: row level security is not forced`,
      `${at('rogue_view')}: is a view without security_invoker`,
      `${at('rogue_wrong_pin')}: has no CHECK pinning tenant_id to ${a.tenant_id}`,
    ]);
    expect(await ownerQuery((client) => auditTenantSchema(client, a.schema_name, a.tenant_id))).to.deep.equal([]);
    expect(await ownerQuery((client) => client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [scratch])))
      .to.have.property('rowCount', 0);
  });

  it('confines the runtime role: no superuser, no BYPASSRLS, owns nothing, not the owner, no way into the migration ledgers', async () => {
    expect(runtime).to.not.equal(owner);
    const findings = await ownerQuery((client) => auditRuntimeRole(client, runtime, owner, schemas.map((s) => s.schema_name)));
    expect(findings).to.deep.equal([]);
  });

  it('flags grants that would let the runtime role into the ledgers or create tables in a tenant schema', async () => {
    const findings = await ownerQuery(async (client) => {
      await client.query('BEGIN');
      try {
        for (const grant of [
          `GRANT USAGE ON SCHEMA ${TENANT_LEDGERS} TO agent_mitra_runtime`,
          `GRANT SELECT ON ${TENANT_LEDGERS}."${a.schema_name}" TO agent_mitra_runtime`,
          `GRANT CREATE ON SCHEMA "${a.schema_name}" TO agent_mitra_runtime`,
        ]) await client.query(grant);
        return await auditRuntimeRole(client, runtime, owner, [a.schema_name]);
      } finally {
        await client.query('ROLLBACK');
      }
    });
    expect(findings).to.have.members([
      `${runtime} has USAGE on ${TENANT_LEDGERS}`,
      `${runtime} has a privilege on ${TENANT_LEDGERS}.${a.schema_name}`,
      `${runtime} has CREATE on schema ${a.schema_name}`,
    ]);
  });

  it('V4.1.5 with no context set, the runtime role counts zero rows in every tenant table, though the rows are there', async function everyTable() {
    this.timeout(EVERY_TENANT_MS);
    const targets = await ownerQuery(async (client) => {
      const all: { schema: string; table: string }[] = [];
      for (const s of schemas) for (const table of await tablesOf(client, s.schema_name)) all.push({ schema: s.schema_name, table });
      return all;
    });
    const { result, error } = await asRuntimeRolledBack(async (trx) => {
      const { rows } = await trx.raw("SELECT current_setting('app.tenant_id', true) AS t");
      expect(rows[0].t ?? '', 'a fresh runtime transaction carries no tenant').to.equal('');
      const selectable = [];
      for (const target of targets) {
        const { rows: [grant] } = await trx.raw("SELECT has_table_privilege(format('%I.%I', ?::text, ?::text), 'SELECT') AS ok",
          [target.schema, target.table]);
        if (grant.ok) selectable.push(target);
      }
      return countAll(trx, selectable);
    });
    expect(error).to.equal(undefined);
    for (const s of [a, b]) for (const table of CORE_TABLES) expect(result).to.have.property(`${s.schema_name}.${table}`);
    expect(result).to.deep.equal(Object.fromEntries(Object.keys(result ?? {}).map((key) => [key, 0])));
  });

  it('FORCE binds even a non-superuser owner: without context it sees nothing, in the tenant\'s context the rows are there', async function () {
    const superuser = await ownerQuery(async (client) =>
      (await client.query('SELECT rolsuper FROM pg_roles WHERE rolname = current_user')).rows[0].rolsuper);
    if (superuser) skipBecause(this, 'the owner (DATABASE_URL) is a superuser, and superusers bypass row-level security');
    const ownerCounts = await ownerQuery(async (client) => {
      const counts: Record<string, number> = {};
      for (const s of [a, b]) {
        await client.query('BEGIN');
        counts[`${s.schema_name} without context`] = (await client.query(`SELECT count(*)::int AS n FROM "${s.schema_name}".users`)).rows[0].n;
        await client.query(`SET LOCAL app.tenant_id = '${s.tenant_id}'`);
        for (const table of CORE_TABLES) {
          counts[`${s.schema_name}.${table}`] = (await client.query(`SELECT count(*)::int AS n FROM "${s.schema_name}"."${table}"`)).rows[0].n;
        }
        await client.query('ROLLBACK');
      }
      return counts;
    });
    for (const s of [a, b]) {
      expect(ownerCounts[`${s.schema_name} without context`]).to.equal(0);
      expect(ownerCounts[`${s.schema_name}.users`]).to.equal(2);
      expect(ownerCounts[`${s.schema_name}.agents`]).to.equal(1);
      for (const table of CORE_TABLES) expect(ownerCounts[`${s.schema_name}.${table}`], `${s.schema_name}.${table}`).to.be.greaterThan(0);
    }
  });

  it("with tenant A in context, the runtime role sees none of B's rows and cannot write into B's tables", async () => {
    const setA = (trx: Knex.Transaction) => trx.raw(`SET LOCAL app.tenant_id = '${a.tenant_id}'`);
    const reads = await asRuntimeRolledBack(async (trx) => {
      await setA(trx);
      const own = (await trx.raw(`SELECT count(*)::int AS n FROM "${a.schema_name}".users`)).rows[0].n;
      const theirs = await countAll(trx, CORE_TABLES.map((table) => ({ schema: b.schema_name, table })));
      const updated = await trx.raw(`UPDATE "${b.schema_name}".users SET first_name = 'Intruder'`);
      const deleted = await trx.raw(`DELETE FROM "${b.schema_name}".roles`);
      return { own, theirs, updated: updated.rowCount, deleted: deleted.rowCount };
    });
    expect(reads.error).to.equal(undefined);
    expect(reads.result).to.deep.equal({
      own: 2,
      theirs: Object.fromEntries(CORE_TABLES.map((table) => [`${b.schema_name}.${table}`, 0])),
      updated: 0,
      deleted: 0,
    });

    const email = `intruder@${b.tenant_code.toLowerCase()}.test`;
    // tenant_id defaults to A's id: the policy lets it through, B's pin refuses it.
    const defaulted = await asRuntimeRolledBack(async (trx) => {
      await setA(trx);
      await trx.raw(`INSERT INTO "${b.schema_name}".users (email, password_hash) VALUES (?, 'x')`, [email]);
    });
    expect(defaulted.error?.code, defaulted.error?.message).to.equal('23514');
    // A Citus worker's error names the constraint only in its message: the translation recovers it.
    expect(withWorkerFieldsRecovered(defaulted.error as PgError).constraint).to.equal('users_tenant_pin');
    // Claiming B's id outright: the policy refuses it.
    const claimed = await asRuntimeRolledBack(async (trx) => {
      await setA(trx);
      await trx.raw(`INSERT INTO "${b.schema_name}".users (tenant_id, email, password_hash) VALUES (?, ?, 'x')`, [b.tenant_id, email]);
    });
    expect(claimed.error?.code, claimed.error?.message).to.equal('42501');
    expect(claimed.error?.message).to.match(/row-level security policy for table "users(_\d+)?"/);
  });
});
