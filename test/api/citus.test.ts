import { expect } from 'chai';
import pg from 'pg';
import { z } from 'zod';
import { citusSessionProblems } from '../../src/db/citus.js';
import { withClient } from '../../src/db/roles.js';
import { defineJob } from '../../src/jobs/definition.js';
import { installJobQueue } from '../../src/jobs/install.js';
import { createTestTenant, type TestTenant } from '../helpers/actors.js';
import { ownerQuery, runtimeRoleName } from '../helpers/catalog.js';
import { testDeps } from '../helpers/context.js';
import { skipBecause } from '../helpers/skip.js';

// The Citus path: start-up checks that run on either engine (a session can carry any citus.* value), and, on a
// real coordinator, what the workers hold. Run the suite with DATABASE_URL=<coordinator> to exercise the latter.

/** A session of `url` with these settings given at connection start, as a role or database default would be. */
async function sessionWith<T>(url: string, settings: Record<string, string>, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const options = Object.entries(settings).map(([name, value]) => `-c ${name}=${value}`).join(' ');
  const client = new pg.Client({ connectionString: url, options });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function runtimeUrl(): string {
  return (testDeps().db.app.client.config.connection as { connectionString: string }).connectionString;
}

function onNode(url: string, port: number): string {
  const parsed = new URL(url);
  parsed.port = String(port);
  return parsed.toString();
}

describe('the Citus path', () => {
  let tenant: TestTenant;

  before(async () => {
    tenant = await createTestTenant();
  });

  describe('start-up checks, read from a session of each role', () => {
    it("refuses a session whose SET LOCAL would not reach the workers, for either role", async () => {
      const problems = await sessionWith(testDeps().db.ownerUrl, { 'citus.propagate_set_commands': 'none' },
        (client) => citusSessionProblems((sql) => client.query(sql), 'owner'));
      expect(problems).to.have.length(1);
      expect(problems[0]).to.match(/the owner role "[^"]+" has citus.propagate_set_commands = 'none', not 'local'/);
      const runtime = await sessionWith(runtimeUrl(), { 'citus.propagate_set_commands': 'none' },
        (client) => citusSessionProblems((sql) => client.query(sql), 'runtime'));
      expect(runtime[0]).to.match(/the runtime role "[^"]+" has citus.propagate_set_commands = 'none'/);
    });

    it('refuses an owner that would create every schema distributed (shared and the ledgers included)', async () => {
      const problems = await sessionWith(testDeps().db.ownerUrl,
        { 'citus.propagate_set_commands': 'local', 'citus.enable_schema_based_sharding': 'on' },
        (client) => citusSessionProblems((sql) => client.query(sql), 'owner'));
      expect(problems).to.have.length(1);
      expect(problems[0]).to.match(/citus.enable_schema_based_sharding on for the whole session/);
    });

    it('accepts sessions that have what the app needs', async () => {
      for (const [url, role] of [[testDeps().db.ownerUrl, 'owner'], [runtimeUrl(), 'runtime']] as const) {
        const problems = await sessionWith(url, { 'citus.propagate_set_commands': 'local', 'citus.enable_schema_based_sharding': 'off' },
          (client) => citusSessionProblems((sql) => client.query(sql), role));
        expect(problems, role).to.deep.equal([]);
      }
    });

    it('on Citus, each role gets SET LOCAL propagation in the database it uses, with no setting of its own in the session', async function () {
      if (!testDeps().db.isCitus) skipBecause(this, 'plain PostgreSQL: there are no citus.* settings to check');
      expect(await withClient(testDeps().db.ownerUrl, (client) => citusSessionProblems((sql) => client.query(sql), 'owner')))
        .to.deep.equal([]);
      expect(await withClient(runtimeUrl(), (client) => citusSessionProblems((sql) => client.query(sql), 'runtime')))
        .to.deep.equal([]);
    });
  });

  it('closes schema public to the runtime role on every node (coordinator and workers)', async function () {
    const runtime = await runtimeRoleName();
    const { owned, nodes } = await ownerQuery(async (client) => {
      const { rows: [own] } = await client.query(
        "SELECT pg_has_role(current_user, nspowner, 'MEMBER') AS owned FROM pg_namespace WHERE nspname = 'public'");
      const check = `SELECT has_schema_privilege('${runtime}', 'public', 'USAGE') OR has_schema_privilege('${runtime}', 'public', 'CREATE')`;
      const local = (await client.query(`${check} AS open`)).rows[0].open ? 'open' : 'closed';
      const workers = testDeps().db.isCitus
        ? (await client.query<{ nodeport: number; result: string }>('SELECT nodeport, result FROM run_command_on_workers($1)', [check])).rows
          .map((row) => `${row.nodeport}: ${row.result === 't' ? 'open' : row.result === 'f' ? 'closed' : row.result}`)
        : [];
      return { owned: own?.owned, nodes: [`coordinator: ${local}`, ...workers] };
    });
    if (!owned) skipBecause(this, 'the owner does not own schema public here, so it cannot close it');
    expect(nodes.length).to.equal(testDeps().db.isCitus ? 3 : 1);
    for (const node of nodes) expect(node).to.match(/: closed$/);
  });

  it('on Citus, places the tenant schema on one worker as a distributed schema, where RLS hides its rows from a runtime session without settings', async function () {
    if (!testDeps().db.isCitus) skipBecause(this, 'plain PostgreSQL has no workers');
    const placement = await ownerQuery(async (client) => {
      const { rows: [schema] } = await client.query('SELECT schema_name::text AS name FROM citus_schemas WHERE schema_name = $1::regnamespace',
        [tenant.schema_name]);
      const { rows: shards } = await client.query<{ shard_name: string; nodeport: number; citus_table_type: string }>(`
        SELECT shard_name, nodeport, citus_table_type FROM citus_shards WHERE table_name = format('%I.users', $1::text)::regclass`,
      [tenant.schema_name]);
      const { rows: workers } = await client.query<{ nodeport: number }>('SELECT nodeport FROM pg_dist_node WHERE groupid > 0');
      return { schema: schema?.name, shards, workers: workers.map((row) => row.nodeport) };
    });
    expect(placement.schema).to.equal(tenant.schema_name);
    expect(placement.shards).to.have.length(1);
    const [shard] = placement.shards;
    expect(shard?.citus_table_type).to.equal('schema');
    expect(placement.workers).to.include(shard?.nodeport);

    // Straight to the worker, as the runtime role: the shard is guarded by the same forced policies.
    const counts = await withClient(onNode(runtimeUrl(), shard?.nodeport as number), async (client) => {
      const table = `"${tenant.schema_name}".${client.escapeIdentifier(shard?.shard_name.split('.').at(-1) as string)}`;
      const bare = (await client.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n;
      await client.query('BEGIN');
      await client.query(`SET LOCAL app.tenant_id = '${tenant.tenant_id}'`);
      const inContext = (await client.query(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n;
      await client.query('ROLLBACK');
      return { bare, inContext };
    });
    expect(counts).to.deep.equal({ bare: 0, inContext: 1 });
  });

  it("keeps the job queue on the coordinator: installing it again (as every boot does) works, and no worker holds any of pg-boss's objects", async function () {
    const probe = defineJob({ queue: 'citus.placement-probe', payload: z.object({}), run: async () => undefined });
    await installJobQueue(testDeps().db.ownerUrl, [probe], () => undefined);
    await installJobQueue(testDeps().db.ownerUrl, [{ ...probe, retryLimit: 1 }], () => undefined);
    if (!testDeps().db.isCitus) skipBecause(this, 'plain PostgreSQL has no workers');
    const count = `SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'jobs')
      + (SELECT count(*) FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'jobs')
      + (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'jobs')`;
    const placement = await ownerQuery(async (client) => ({
      coordinator: Number((await client.query(`${count} AS n`)).rows[0].n),
      workers: (await client.query<{ result: string }>('SELECT result FROM run_command_on_workers($1)', [count])).rows.map((row) => row.result),
      citusTables: Number((await client.query(
        "SELECT count(*) AS n FROM pg_dist_partition p JOIN pg_class c ON c.oid = p.logicalrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'jobs'",
      )).rows[0].n),
    }));
    expect(placement.coordinator).to.be.greaterThan(0);
    expect(placement).to.deep.include({ workers: ['0', '0'], citusTables: 0 });
  });
});
