import path from 'node:path';
import type { Knex } from 'knex';
import type { Config } from '../config.js';
import { startEmbeddedPostgres, type EmbeddedServer } from './embedded.js';
import { createKnex } from './knex.js';
import { assertCitusSession, citusSessionProblems, hasCitus } from './citus.js';
import type { PasswordSource } from './credentials.js';
import { PLATFORM_GROUP, provisionFromOwner, provisionFromSuperuser, withClient } from './roles.js';

export interface Database {
  /** The runtime role's pool (tenant requests). Only the scope functions open transactions on it. */
  readonly app: Knex;
  /** The platform role's pool (super admins, tenant registry, readiness): the only one reaching platform tables. */
  readonly platform: Knex;
  /** The owner role's connection string: the privileged path (migrations, onboarding). */
  readonly ownerUrl: string;
  /** The runtime role's connection string, for the job queue's own small pool. */
  readonly appUrl: string;
  /** The runtime role's password when it lives in a file (appUrl then carries none): read at each new connection. */
  readonly appPassword: PasswordSource | undefined;
  /** Citus takes each SET LOCAL as its own statement and never sees set_config. */
  readonly isCitus: boolean;
  close(): Promise<void>;
}

export type EmbeddedMode = 'persistent' | 'throwaway';

/** DATABASE_URL set: use that server. Unset: start an embedded PostgreSQL under the data dir. */
export async function openDatabase(config: Config, log: (line: string) => void, mode: EmbeddedMode = 'persistent'): Promise<Database> {
  let embedded: EmbeddedServer | undefined;
  let urls;
  if (config.databaseUrl) {
    urls = await provisionFromOwner(config.databaseUrl, config.databaseAppUrl, config.databasePlatformUrl,
      config.databasePasswordFiles);
  } else {
    const clusterDir = mode === 'persistent'
      ? path.join(config.dataDir, 'pg')
      : path.join(config.dataDir, `pg-test-${process.pid}`);
    embedded = await startEmbeddedPostgres({ clusterDir, secretsDir: config.dataDir, persistent: mode === 'persistent', log });
    urls = await provisionFromSuperuser(embedded.superuserUrl, config.dataDir);
  }
  const poolSettings = { statementTimeoutMs: config.dbStatementTimeoutMs,
    connectionLifetimeSeconds: config.dbConnectionLifetimeSeconds, acquireTimeoutMs: config.dbAcquireTimeoutMs,
    openingsPerConnection: config.dbOpeningsPerConnection };
  const app = createKnex(urls.appUrl, config.dbPoolMax,
    { ...poolSettings, password: urls.appPassword, log: (message) => log(`database pool: ${message}`) });
  const platform = createKnex(urls.platformUrl, config.dbPlatformPoolMax,
    { ...poolSettings, password: urls.platformPassword, log: (message) => log(`platform pool: ${message}`) });
  try {
    await assertRuntimeRoleIsConfined(app);
    await assertRuntimeRoleIsConfined(platform);
    const isCitus = await hasCitus((sql) => app.raw(sql));
    if (isCitus) await assertCitusSessions(app, platform, urls.ownerUrl);
    return {
      app,
      platform,
      ownerUrl: urls.ownerUrl,
      appUrl: urls.appUrl,
      appPassword: urls.appPassword,
      isCitus,
      async close() {
        await Promise.all([app.destroy(), platform.destroy()]);
        await embedded?.stop();
      },
    };
  } catch (error) {
    await Promise.all([app.destroy(), platform.destroy()]);
    await embedded?.stop();
    throw error;
  }
}

/** Refuse to run if the runtime role could see past RLS: superuser, BYPASSRLS, or owner (directly or via any membership, SET ROLE included) of anything. */
export async function assertRuntimeRoleIsConfined(app: Knex): Promise<void> {
  const { rows } = await app.raw(`
    SELECT r.rolname, r.rolsuper, r.rolbypassrls,
           (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
               AND pg_has_role(r.oid, c.relowner, 'MEMBER')) AS owned_relations,
           (SELECT count(*) FROM pg_namespace n
             WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'public') AND n.nspname NOT LIKE 'pg_%'
               AND pg_has_role(r.oid, n.nspowner, 'MEMBER')) AS owned_schemas
      FROM pg_roles r WHERE r.rolname = current_user`);
  const role = rows[0];
  const problems = [
    role.rolsuper && 'is a superuser',
    role.rolbypassrls && 'has BYPASSRLS',
    role.owned_relations > 0 && `owns ${role.owned_relations} relations`,
    role.owned_schemas > 0 && `owns ${role.owned_schemas} schemas`,
  ].filter(Boolean);
  if (problems.length) {
    throw new Error(`Refusing to start: the runtime role "${role.rolname}" ${problems.join(', ')}; RLS would not confine it.`);
  }
}

/** What each role really gets on Citus: a fresh session of each, in the database it uses. */
async function assertCitusSessions(app: Knex, platform: Knex, ownerUrl: string): Promise<void> {
  const runtime = await citusSessionProblems((sql) => app.raw(sql), 'runtime');
  const platformRole = await citusSessionProblems((sql) => platform.raw(sql), 'platform');
  const owner = await withClient(ownerUrl, (client) => citusSessionProblems((sql) => client.query(sql), 'owner'));
  assertCitusSession([...runtime, ...platformRole, ...owner]);
}

/**
 * After migrations: the runtime role holds no privilege at all on the platform tables, and is not a member of the
 * platform group, so it cannot reach them whatever it sets.
 */
export async function assertPlatformTablesOutOfReach(app: Knex): Promise<void> {
  const { rows } = await app.raw(`
    SELECT t AS relation FROM unnest(ARRAY['shared.tenants', 'shared.platform_users', 'shared.platform_sessions']) AS t
     WHERE to_regclass(t) IS NOT NULL
       AND (has_table_privilege(current_user, t, 'SELECT') OR has_table_privilege(current_user, t, 'INSERT')
            OR has_table_privilege(current_user, t, 'UPDATE') OR has_table_privilege(current_user, t, 'DELETE'))
    UNION ALL
    SELECT 'membership of ' || ? WHERE pg_has_role(current_user, ?, 'MEMBER')`, [PLATFORM_GROUP, PLATFORM_GROUP]);
  if (rows.length) {
    const reached = rows.map((row: { relation: string }) => row.relation).join(', ');
    throw new Error(`Refusing to start: the runtime role reaches platform tables (${reached}).`);
  }
}
