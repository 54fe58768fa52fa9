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
}

export async function tenantMigrationContext(pgm: MigrationBuilder): Promise<TenantMigrationContext> {
  const [row] = await pgm.db.select("SELECT current_setting('app.tenant_id') AS tenant_id, current_schema() AS schema");
  return { tenantId: assertUuid(row.tenant_id), schema: assertSchemaName(row.schema) };
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
