import crypto from 'node:crypto';
import pg from 'pg';
import { persistedSecret } from '../config.js';
import { hasCitus, propagateSetLocalFor, runOnWorkers } from './citus.js';

/** Migrations grant to this NOLOGIN group; the runtime login role is a member and gets nothing else. */
export const RUNTIME_GROUP = 'agent_mitra_runtime';
const DATABASE_NAME = 'agent_mitra';
const OWNER_ROLE = 'agent_mitra_owner';
const APP_ROLE = 'agent_mitra_app';
const REVOKE_PUBLIC = 'REVOKE ALL ON SCHEMA public FROM PUBLIC';

export interface DatabaseUrls {
  /** Owns every object, runs migrations and onboarding: the privileged path. */
  readonly ownerUrl: string;
  /** The runtime role every request uses: owns nothing, NOBYPASSRLS. */
  readonly appUrl: string;
}

/** Embedded server: the superuser creates the owner, the runtime role and the database. */
export async function provisionFromSuperuser(superuserUrl: string, secretsDir: string): Promise<DatabaseUrls> {
  const ownerPassword = persistedSecret(secretsDir, 'pg-owner-password');
  const appPassword = persistedSecret(secretsDir, 'pg-app-password');
  await withClient(superuserUrl, async (client) => {
    await upsertLoginRole(client, OWNER_ROLE, ownerPassword, 'NOSUPERUSER NOBYPASSRLS');
    await ensureRuntimeRoles(client, APP_ROLE, appPassword);
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE_NAME]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE_NAME} OWNER ${OWNER_ROLE}`);
  });
  await withClient(withDatabase(superuserUrl, DATABASE_NAME), async (client) => {
    await client.query(`
      REVOKE ALL ON DATABASE ${DATABASE_NAME} FROM PUBLIC;
      GRANT CONNECT ON DATABASE ${DATABASE_NAME} TO ${RUNTIME_GROUP};
      REVOKE ALL ON SCHEMA public FROM PUBLIC;`);
  });
  const base = withDatabase(superuserUrl, DATABASE_NAME);
  return { ownerUrl: withCredentials(base, OWNER_ROLE, ownerPassword), appUrl: withCredentials(base, APP_ROLE, appPassword) };
}

/**
 * External server: DATABASE_URL is the owner. Without DATABASE_APP_URL the runtime role is `<owner>_app`,
 * its password derived from the owner's so every process agrees on it without storing a secret.
 */
export async function provisionFromOwner(ownerUrl: string, appUrl: string | undefined): Promise<DatabaseUrls> {
  const owner = new URL(ownerUrl);
  const resolvedAppUrl = appUrl ?? withCredentials(ownerUrl, `${decodeURIComponent(owner.username)}_app`,
    crypto.createHmac('sha256', decodeURIComponent(owner.password)).update('agent-mitra-runtime').digest('hex'));
  const app = new URL(resolvedAppUrl);
  await withClient(ownerUrl, async (client) => {
    await ensureRuntimeRoles(client, decodeURIComponent(app.username), appUrl ? undefined : decodeURIComponent(app.password));
    const database = databaseOf(ownerUrl);
    await client.query(`GRANT CONNECT ON DATABASE ${client.escapeIdentifier(database)} TO ${RUNTIME_GROUP}`);
    const citus = await hasCitus((sql) => client.query(sql));
    if (citus) {
      // Both roles open transactions that the workers must see with their app.* settings (RLS needs them).
      await propagateSetLocalFor(client, decodeURIComponent(app.username), database);
      await propagateSetLocalFor(client, decodeURIComponent(owner.username), database);
    }
    // Nothing of ours lives in public; close it to the runtime role too when the owner may (it owns the database),
    // on every node: the runtime role can log in to a worker as well.
    const { rows: [publicSchema] } = await client.query(
      "SELECT pg_has_role(current_user, nspowner, 'MEMBER') AS owned FROM pg_namespace WHERE nspname = 'public'");
    if (publicSchema?.owned) {
      await client.query(REVOKE_PUBLIC);
      if (citus) await runOnWorkers(client, REVOKE_PUBLIC);
    }
  });
  return { ownerUrl, appUrl: resolvedAppUrl };
}

async function ensureRuntimeRoles(client: pg.Client, appRole: string, appPassword: string | undefined): Promise<void> {
  const group = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [RUNTIME_GROUP]);
  if (group.rowCount === 0) await client.query(`CREATE ROLE ${RUNTIME_GROUP} NOLOGIN NOBYPASSRLS`);
  if (appPassword !== undefined) {
    await upsertLoginRole(client, appRole, appPassword, 'NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE INHERIT');
  }
  await client.query(`GRANT ${RUNTIME_GROUP} TO ${client.escapeIdentifier(appRole)}`);
}

/**
 * Creates the role, or brings an existing one's password up to date. Attributes are set only at creation: a
 * non-superuser owner may not restate BYPASSRLS at all, and the start-up check verifies them anyway.
 */
async function upsertLoginRole(client: pg.Client, role: string, password: string, attributes: string): Promise<void> {
  const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
  const name = client.escapeIdentifier(role);
  const secret = client.escapeLiteral(password);
  await client.query(exists.rowCount ? `ALTER ROLE ${name} PASSWORD ${secret}` : `CREATE ROLE ${name} LOGIN ${attributes} PASSWORD ${secret}`);
}

export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: 'agent-mitra-admin' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

function withCredentials(url: string, user: string, password: string): string {
  const parsed = new URL(url);
  parsed.username = encodeURIComponent(user);
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
}

function databaseOf(url: string): string {
  return decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
}
