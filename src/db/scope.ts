import type { Knex } from 'knex';
import type { Database } from './database.js';
import type { ScopedTransactionConfig } from './knex.js';
import { assertSchemaName, assertUuid, uuidArrayLiteral } from './sql-literals.js';

/** The request's transaction. Repositories take it as their first argument; there is no other way to the DB. */
export type Tx = Knex.Transaction;

export interface TenantRef {
  readonly tenant_id: string;
  readonly tenant_code: string;
  readonly schema_name: string;
}

/** Every app.* setting a policy may read. Each scope sets all of them, empty when not applicable. */
interface ScopeValues {
  /** 'tenant' or 'platform': the shared platform tables (registry, super admins) answer only to 'platform'. */
  'app.scope': 'tenant' | 'platform';
  'app.tenant_id': string;
  'app.user_id': string;
  'app.agent_ids': string;
  'app.platform_user_id': string;
}

/**
 * A tenant's transaction: search_path is the tenant's schema (from the registry record) then shared, never
 * public; app.tenant_id and app.user_id are set with SET LOCAL so nothing outlives the transaction.
 * Commits when `work` resolves, rolls back when it throws.
 */
export function inTenantScope<T>(db: Database, tenant: TenantRef, userId: string | null, work: (tx: Tx) => Promise<T>): Promise<T> {
  return inScope(db, db.app, [assertSchemaName(tenant.schema_name), 'shared'], tenantValues(tenant, userId), work);
}

/**
 * The platform's transaction (registry, providers, super admins): the shared schema only, on the platform role's
 * pool, the one role granted the platform tables.
 */
export function inPlatformScope<T>(db: Database, platformUserId: string | null, work: (tx: Tx) => Promise<T>): Promise<T> {
  return inScope(db, db.platform, ['shared'], {
    'app.scope': 'platform',
    'app.tenant_id': '',
    'app.user_id': '',
    'app.agent_ids': '',
    'app.platform_user_id': platformUserId ? assertUuid(platformUserId) : '',
  }, work);
}

/** Narrows the agent book to these agents for the rest of the transaction (looked up once, by the actor loader). */
export async function setVisibleAgents(tx: Tx, agentIds: readonly string[]): Promise<void> {
  await tx.raw(`SET LOCAL app.agent_ids = '${uuidArrayLiteral(agentIds)}'`);
}

function settingStatements(searchPath: string[], values: ScopeValues): string[] {
  return [
    `SET LOCAL search_path = ${searchPath.map((schema) => `"${schema}"`).join(', ')}`,
    ...Object.entries(values).map(([name, value]) => `SET LOCAL ${name} = '${value}'`),
  ];
}

function tenantValues(tenant: TenantRef, userId: string | null): ScopeValues {
  return {
    'app.scope': 'tenant',
    'app.tenant_id': assertUuid(tenant.tenant_id),
    'app.user_id': userId ? assertUuid(userId) : '',
    'app.agent_ids': '',
    'app.platform_user_id': '',
  };
}

/** Points an already open (privileged) transaction at a tenant, as inTenantScope does for requests. */
export async function enterTenant(tx: Tx, tenant: TenantRef): Promise<void> {
  for (const statement of settingStatements([assertSchemaName(tenant.schema_name), 'shared'], tenantValues(tenant, null))) {
    await tx.raw(statement);
  }
}

function inScope<T>(db: Database, pool: Knex, searchPath: string[], values: ScopeValues, work: (tx: Tx) => Promise<T>): Promise<T> {
  const statements = settingStatements(searchPath, values);
  if (!db.isCitus) {
    const config: ScopedTransactionConfig = { preamble: `${statements.join('; ')};` };
    return pool.transaction(work, config);
  }
  // Citus mangles multi-statement strings and carries only SET LOCAL (one statement at a time) to the workers.
  return pool.transaction(async (tx) => {
    for (const statement of statements) await tx.raw(statement);
    return work(tx);
  });
}
