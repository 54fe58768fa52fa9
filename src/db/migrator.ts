import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import type pg from 'pg';
import { rememberRelations } from './pg-errors.js';
import { reconcileSystemRoles } from '../roles/system-roles.js';
import { inTransactionOn } from './privileged.js';
import { withClient } from './roles.js';
import { enterTenant, type TenantRef, type Tx } from './scope.js';
import { assertSchemaName, assertUuid } from './sql-literals.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SHARED_DIR = path.join(root, 'migrations/shared');
const TENANT_DIR = path.join(root, 'migrations/tenant');
const LEDGER = 'pgmigrations';
export const TENANT_LEDGERS = 'tenant_migrations';

type Log = (line: string) => void;

export async function migrateShared(ownerUrl: string, log: Log): Promise<string[]> {
  return withClient(ownerUrl, async (client) => {
    const applied = await runner({
      dbClient: client,
      dir: SHARED_DIR,
      schema: 'shared',
      createSchema: true,
      migrationsTable: LEDGER,
      direction: 'up',
      count: Infinity,
      singleTransaction: true,
      advisoryLockMode: 'wait',
      log: () => undefined,
    });
    if (applied.length) log(`shared: applied ${applied.map((m) => m.name).join(', ')}`);
    await rememberTablesOf(client, 'shared');
    return applied.map((m) => m.name);
  });
}

/**
 * Applies the tenant migrations to one schema inside the caller's open transaction (onboarding, or one tenant
 * of `migrateAllTenants`). node-pg-migrate's own BEGIN/COMMIT become a savepoint, so the caller keeps
 * all-or-nothing control; `app.tenant_id` lets the migrations pin each table's tenant_id.
 */
export async function migrateTenantSchema(client: pg.Client, tenant: TenantRef): Promise<string[]> {
  assertSchemaName(tenant.schema_name);
  assertUuid(tenant.tenant_id);
  await client.query(`SET LOCAL app.tenant_id = '${tenant.tenant_id}'`);
  const applied = await runner({
    dbClient: savepointInsteadOfTransaction(client),
    dir: TENANT_DIR,
    schema: tenant.schema_name,
    // Ledgers live outside the tenant schemas, so a tenant schema holds only RLS-guarded tenant tables.
    migrationsSchema: TENANT_LEDGERS,
    createMigrationsSchema: true,
    migrationsTable: tenant.schema_name,
    direction: 'up',
    count: Infinity,
    singleTransaction: true,
    noLock: true,
    log: () => undefined,
  });
  if (applied.length || !tenantTablesRemembered) {
    await rememberTablesOf(client, tenant.schema_name);
    tenantTablesRemembered = true;
  }
  return applied.map((m) => m.name);
}

let tenantTablesRemembered = false;

/** Error translation reads constraint names with these (Citus workers report a constraint without its table). */
async function rememberTablesOf(client: pg.Client, schema: string): Promise<void> {
  const { rows } = await client.query<{ relname: string }>(
    "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind IN ('r', 'p')",
    [schema]);
  rememberRelations(rows.map((row) => row.relname));
}

/** Keeps the registry's schema_version at the newest tenant migration, so readiness needs no ledger reads. */
export async function recordSchemaVersion(client: pg.Client, tenantId: string): Promise<void> {
  const latest = (await listMigrationFiles('tenant')).at(-1) ?? null;
  await client.query('UPDATE shared.tenants SET schema_version = $2 WHERE tenant_id = $1', [tenantId, latest]);
}

export interface MigrateAllResult {
  readonly migrated: { tenant_code: string; applied: string[] }[];
  readonly failed: { tenant_code: string; error: string }[];
}

/** Every registered tenant, one schema per transaction; a failing tenant is reported and the rest still run. */
export async function migrateAllTenants(ownerUrl: string, log: Log): Promise<MigrateAllResult> {
  return withClient(ownerUrl, async (client) => {
    const { rows } = await client.query<TenantRef>(
      'SELECT tenant_id, tenant_code, schema_name FROM shared.tenants ORDER BY tenant_code');
    const result: MigrateAllResult = { migrated: [], failed: [] };
    for (const [index, tenant] of rows.entries()) {
      const progress = `[${index + 1}/${rows.length}] ${tenant.tenant_code} (${tenant.schema_name})`;
      try {
        const applied = await inTransactionOn(client, async (tx) => {
          const names = await migrateTenantSchema(client, tenant);
          await recordSchemaVersion(client, tenant.tenant_id);
          await reconcileTenant(tx, tenant);
          return names;
        });
        result.migrated.push({ tenant_code: tenant.tenant_code, applied });
        log(`${progress}: ${applied.length ? `applied ${applied.join(', ')}` : 'up to date'}`);
      } catch (error) {
        result.failed.push({ tenant_code: tenant.tenant_code, error: String(error) });
        log(`${progress}: FAILED ${String(error)}`);
      }
    }
    return result;
  });
}

/**
 * What follows the code rather than the migrations, brought in line after every migrate: the system roles (their
 * scope and permissions, for every existing tenant; custom roles are left alone). Idempotent.
 */
export async function reconcileTenant(tx: Tx, tenant: TenantRef): Promise<void> {
  await enterTenant(tx, tenant, 'migrate');
  await reconcileSystemRoles(tx);
}

/** The migration names on disk, in order: /readyz compares them with what the database has applied. */
export async function listMigrationFiles(kind: 'shared' | 'tenant'): Promise<string[]> {
  const fs = await import('node:fs/promises');
  const files = await fs.readdir(kind === 'shared' ? SHARED_DIR : TENANT_DIR);
  // .ts from the sources (tsx), .js from the production build (dist/migrations).
  return files.filter((file) => /^\d+_.*\.[jt]s$/.test(file) && !file.endsWith('.d.ts')).map((file) => file.replace(/\.[jt]s$/, '')).sort();
}

function savepointInsteadOfTransaction(client: pg.Client): pg.Client {
  const translate: Record<string, string> = {
    BEGIN: 'SAVEPOINT tenant_migration',
    COMMIT: 'RELEASE SAVEPOINT tenant_migration',
    ROLLBACK: 'ROLLBACK TO SAVEPOINT tenant_migration',
  };
  return {
    query: ((text: unknown, values?: unknown) => {
      const statement = typeof text === 'string' ? text.trim().replace(/;$/, '').toUpperCase() : '';
      const mapped = translate[statement];
      return client.query((mapped ?? text) as string, values as unknown[]);
    }) as pg.Client['query'],
  } as pg.Client;
}
