import crypto from 'node:crypto';
import pg from 'pg';
import { persistedSecret } from '../config.js';
import { hasCitus, isDistributedSchema, propagateSetLocalFor, runOnWorkers } from './citus.js';
import { passwordFromFile, readPasswordFile, seedPasswordFile, withoutPassword, type PasswordSource } from './credentials.js';

/** Migrations grant to this NOLOGIN group; the runtime login role is a member and gets nothing else. */
export const RUNTIME_GROUP = 'agent_mitra_runtime';
/**
 * The platform tables (tenant registry, super admins and their sessions) are granted to this NOLOGIN group only,
 * whose login role serves super admins' requests, the registry lookups and readiness from a pool of its own. The
 * runtime role has no privilege on them at all, so no SET LOCAL (nor SQL injection) reaches them from a tenant's
 * request.
 */
export const PLATFORM_GROUP = 'agent_mitra_platform';
const DATABASE_NAME = 'agent_mitra';
const OWNER_ROLE = 'agent_mitra_owner';
const APP_ROLE = 'agent_mitra_app';
const REVOKE_PUBLIC = 'REVOKE ALL ON SCHEMA public FROM PUBLIC';
const PLATFORM_ROLE = 'agent_mitra_platform_app';

export interface DatabaseUrls {
  /** Owns every object, runs migrations and onboarding: the privileged path. */
  readonly ownerUrl: string;
  /** The runtime role every tenant request uses: owns nothing, NOBYPASSRLS, no platform table. */
  readonly appUrl: string;
  /** The platform role: super admins' requests, the tenant registry, readiness. Owns nothing, NOBYPASSRLS. */
  readonly platformUrl: string;
  /** Set when the role's password lives in a file: read at each new connection (the URL then carries none). */
  readonly appPassword?: PasswordSource | undefined;
  readonly platformPassword?: PasswordSource | undefined;
}

/** DATABASE_APP_PASSWORD_FILE and DATABASE_PLATFORM_PASSWORD_FILE. */
export interface PasswordFiles {
  readonly app?: string | undefined;
  readonly platform?: string | undefined;
}

/** Embedded server: the superuser creates the owner, the runtime role and the database. */
export async function provisionFromSuperuser(superuserUrl: string, secretsDir: string): Promise<DatabaseUrls> {
  const ownerPassword = persistedSecret(secretsDir, 'pg-owner-password');
  const appPassword = persistedSecret(secretsDir, 'pg-app-password');
  const platformPassword = persistedSecret(secretsDir, 'pg-platform-password');
  const ours = (name: string, password: string) => ({ name, password, resetPassword: true });
  await withClient(superuserUrl, async (client) => {
    await upsertLoginRole(client, OWNER_ROLE, ownerPassword, 'NOSUPERUSER NOBYPASSRLS');
    await ensureGroupMember(client, RUNTIME_GROUP, ours(APP_ROLE, appPassword));
    await ensureGroupMember(client, PLATFORM_GROUP, ours(PLATFORM_ROLE, platformPassword));
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE_NAME]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE_NAME} OWNER ${OWNER_ROLE}`);
  });
  await withClient(withDatabase(superuserUrl, DATABASE_NAME), async (client) => {
    await client.query(`
      REVOKE ALL ON DATABASE ${DATABASE_NAME} FROM PUBLIC;
      GRANT CONNECT ON DATABASE ${DATABASE_NAME} TO ${RUNTIME_GROUP}, ${PLATFORM_GROUP};
      REVOKE ALL ON SCHEMA public FROM PUBLIC;`);
  });
  const base = withDatabase(superuserUrl, DATABASE_NAME);
  return {
    ownerUrl: withCredentials(base, OWNER_ROLE, ownerPassword),
    appUrl: withCredentials(base, APP_ROLE, appPassword),
    platformUrl: withCredentials(base, PLATFORM_ROLE, platformPassword),
  };
}

/** `<owner><suffix>` with a password derived from the owner's, so every process agrees on it without storing a secret. */
function derivedRoleUrl(ownerUrl: string, suffix: string, purpose: string): string {
  const owner = new URL(ownerUrl);
  return withCredentials(ownerUrl, `${decodeURIComponent(owner.username)}${suffix}`,
    crypto.createHmac('sha256', decodeURIComponent(owner.password)).update(purpose).digest('hex'));
}

/** The runtime and platform login roles' URLs: DATABASE_APP_URL / DATABASE_PLATFORM_URL, or derived from the owner's. */
export function loginRoleUrls(ownerUrl: string, appUrl: string | undefined, platformUrl: string | undefined): { app: string; platform: string } {
  return { app: appUrl ?? derivedRoleUrl(ownerUrl, '_app', 'agent-mitra-runtime'),
    platform: platformUrl ?? derivedRoleUrl(ownerUrl, '_platform', 'agent-mitra-platform') };
}

interface LoginRole {
  readonly name: string;
  /** The password to give the role, undefined when the role is not ours to create (its URL was configured). */
  readonly password: string | undefined;
  /** False once a password file holds a rotated password: boot never resets it. */
  readonly resetPassword: boolean;
  readonly url: string;
  readonly source: PasswordSource | undefined;
}

/**
 * Without a file, today's behaviour: the URL's password, reset at each boot when the role is ours. With a file that
 * exists, the file is the truth (a rotation or the secret manager wrote it): boot creates the role with it if
 * missing and never resets it. A missing file is seeded with the URL's password (the same in every process), so
 * switching the files on changes nothing until the first rotation.
 */
function loginRole(url: string, configured: boolean, file: string | undefined, variable: string): LoginRole {
  const name = decodeURIComponent(new URL(url).username);
  const urlPassword = decodeURIComponent(new URL(url).password) || undefined;
  if (!file) return { name, password: configured ? undefined : urlPassword, resetPassword: true, url, source: undefined };
  let password = readPasswordFile(file);
  let resetPassword = false;
  if (password === undefined) {
    if (urlPassword === undefined) throw new Error(`${variable} names ${file}, which does not exist, and there is no password to seed it with.`);
    password = seedPasswordFile(file, urlPassword);
    resetPassword = password === urlPassword;
  }
  return { name, password: configured ? undefined : password, resetPassword, url: withoutPassword(url), source: passwordFromFile(file) };
}

/**
 * External server: DATABASE_URL is the owner. Without DATABASE_APP_URL the runtime role is `<owner>_app`, without
 * DATABASE_PLATFORM_URL the platform role is `<owner>_platform`, their passwords derived from the owner's, or read
 * from their password files when those are configured.
 */
export async function provisionFromOwner(ownerUrl: string, appUrl: string | undefined,
  platformUrl?: string | undefined, files: PasswordFiles = {}): Promise<DatabaseUrls> {
  const urls = loginRoleUrls(ownerUrl, appUrl, platformUrl);
  const app = loginRole(urls.app, appUrl !== undefined, files.app, 'DATABASE_APP_PASSWORD_FILE');
  const platform = loginRole(urls.platform, platformUrl !== undefined, files.platform, 'DATABASE_PLATFORM_PASSWORD_FILE');
  const owner = new URL(ownerUrl);
  await withClient(ownerUrl, async (client) => {
    await ensureGroupMember(client, RUNTIME_GROUP, app);
    await ensureGroupMember(client, PLATFORM_GROUP, platform);
    const database = databaseOf(ownerUrl);
    await client.query(`GRANT CONNECT ON DATABASE ${client.escapeIdentifier(database)} TO ${RUNTIME_GROUP}, ${PLATFORM_GROUP}`);
    const citus = await hasCitus((sql) => client.query(sql));
    if (citus) {
      // Every role opens transactions that the workers must see with their app.* settings (RLS needs them).
      for (const role of [app.name, platform.name, decodeURIComponent(owner.username)]) {
        await propagateSetLocalFor(client, role, database);
      }
    }
    // Nothing of ours lives in public; close it to the runtime role too when the owner may (it owns the database),
    // on every node: the runtime role can log in to a worker as well.
    const { rows: [publicSchema] } = await client.query(
      "SELECT pg_has_role(current_user, nspowner, 'MEMBER') AS owned FROM pg_namespace WHERE nspname = 'public'");
    if (publicSchema?.owned) {
      await client.query(REVOKE_PUBLIC);
      if (citus && !(await isDistributedSchema(client, 'public'))) await runOnWorkers(client, REVOKE_PUBLIC);
    }
  });
  return { ownerUrl, appUrl: app.url, platformUrl: platform.url, appPassword: app.source, platformPassword: platform.source };
}

/** The NOLOGIN group, and a login role (created when its password is ours to set) that is a member of it. */
async function ensureGroupMember(client: pg.Client, group: string,
  role: Pick<LoginRole, 'name' | 'password' | 'resetPassword'>): Promise<void> {
  const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [group]);
  if (exists.rowCount === 0) await client.query(`CREATE ROLE ${group} NOLOGIN NOBYPASSRLS`);
  if (role.password !== undefined) {
    await upsertLoginRole(client, role.name, role.password, 'NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE INHERIT',
      role.resetPassword);
  }
  await client.query(`GRANT ${group} TO ${client.escapeIdentifier(role.name)}`);
}

/**
 * Creates the role, or brings an existing one's password up to date. Attributes are set only at creation: a
 * non-superuser owner may not restate BYPASSRLS at all, and the start-up check verifies them anyway.
 */
async function upsertLoginRole(client: pg.Client, role: string, password: string, attributes: string,
  resetPassword = true): Promise<void> {
  const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
  const name = client.escapeIdentifier(role);
  const secret = client.escapeLiteral(password);
  if (exists.rowCount && !resetPassword) return;
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
