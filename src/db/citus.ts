import type pg from 'pg';

// What the app needs from a Citus coordinator, and the few statements that must reach its workers explicitly.
// Plain PostgreSQL has none of this; every function here is called only once the citus extension is seen.

/** Runs one statement and returns its rows: a pg.Client's query or a Knex's raw both fit. */
type Query = (sql: string) => Promise<{ rows: Record<string, unknown>[] }>;

export async function hasCitus(query: Query): Promise<boolean> {
  return (await query("SELECT 1 FROM pg_extension WHERE extname = 'citus'")).rows.length > 0;
}

/**
 * Why a session of this role cannot run the app on Citus, read from the session itself (role, role-in-database,
 * database and server settings all applied): SET LOCAL must reach the workers, and the owner must not create
 * distributed schemas by default (then `shared` and the migration ledgers would be distributed too).
 */
export async function citusSessionProblems(query: Query, role: 'runtime' | 'platform' | 'owner'): Promise<string[]> {
  const { rows: [row] } = await query(`SELECT current_user AS role,
    current_setting('citus.propagate_set_commands', true) AS propagate,
    current_setting('citus.enable_schema_based_sharding', true) AS sharding`);
  const problems: string[] = [];
  const name = String(row?.role);
  if (row?.propagate !== 'local') {
    problems.push(`the ${role} role "${name}" has citus.propagate_set_commands = '${String(row?.propagate ?? '')}', `
      + "not 'local': its SET LOCAL app.* settings would not reach the workers and RLS would refuse its rows");
  }
  if (role === 'owner' && row?.sharding === 'on') {
    problems.push(`the owner role "${name}" has citus.enable_schema_based_sharding on for the whole session: `
      + 'every schema it creates (shared, the migration ledgers) would become a distributed schema; '
      + 'onboarding switches it on for each tenant schema itself');
  }
  return problems;
}

export function assertCitusSession(problems: string[]): void {
  if (problems.length) throw new Error(`Refusing to start on Citus: ${problems.join('; ')}.`);
}

/**
 * Gives the role the setting in this database (the most specific level, so a database-wide default cannot
 * override it). The owner may set its own; a CREATEROLE owner may set the runtime role's.
 */
export async function propagateSetLocalFor(client: pg.Client, role: string, database: string): Promise<void> {
  await client.query(`ALTER ROLE ${client.escapeIdentifier(role)} IN DATABASE ${client.escapeIdentifier(database)}
    SET citus.propagate_set_commands = 'local'`);
}

/**
 * Whether Citus tracks the schema as a distributed object (it does for `public` once a table there was distributed):
 * then the coordinator propagates the schema's GRANT and REVOKE itself, and the workers refuse them run directly.
 */
export async function isDistributedSchema(client: pg.Client, schema: string): Promise<boolean> {
  const { rowCount } = await client.query(`SELECT 1 FROM pg_catalog.pg_dist_object
    WHERE classid = 'pg_catalog.pg_namespace'::regclass AND objid = $1::regnamespace`, [schema]);
  return (rowCount ?? 0) > 0;
}

/**
 * Citus does not propagate privileges on a schema it does not track (`public`, by default): the workers keep
 * PostgreSQL's default until told. Runs the statement on every worker as the current role and fails if any node refused it.
 */
export async function runOnWorkers(client: pg.Client, statement: string): Promise<void> {
  const { rows } = await client.query<{ nodename: string; nodeport: number; success: boolean; result: string }>(
    'SELECT nodename, nodeport, success, result FROM run_command_on_workers($1)', [statement]);
  const failed = rows.filter((row) => !row.success);
  if (failed.length) {
    throw new Error(`Citus workers refused "${statement}": ${failed.map((row) => `${row.nodename}:${row.nodeport} ${row.result}`).join('; ')}`);
  }
}
