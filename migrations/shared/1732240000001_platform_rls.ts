import type { MigrationBuilder } from 'node-pg-migrate';

// A tenant's search_path includes shared, so grants alone would let code running for a tenant read super admin
// credentials or rewrite the registry. These tables answer only in the platform scope (app.scope = 'platform').
// Not FORCEd: their owner is the privileged path (onboarding, bootstrap, migrations) by definition.
const PLATFORM_SCOPE = "nullif(current_setting('app.scope', true), '') = 'platform'";

export function up(pgm: MigrationBuilder): void {
  pgm.sql(`ALTER TABLE platform_users ENABLE ROW LEVEL SECURITY;`);
  pgm.sql(`
    CREATE POLICY platform_users_platform_only ON platform_users AS PERMISSIVE FOR ALL TO PUBLIC
      USING (${PLATFORM_SCOPE}) WITH CHECK (${PLATFORM_SCOPE});`);
  pgm.sql(`ALTER TABLE platform_sessions ENABLE ROW LEVEL SECURITY;`);
  pgm.sql(`
    CREATE POLICY platform_sessions_platform_only ON platform_sessions AS PERMISSIVE FOR ALL TO PUBLIC
      USING (${PLATFORM_SCOPE}) WITH CHECK (${PLATFORM_SCOPE});`);
  pgm.sql(`ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;`);
  pgm.sql(`
    CREATE POLICY tenants_platform_only ON tenants AS PERMISSIVE FOR ALL TO PUBLIC
      USING (${PLATFORM_SCOPE}) WITH CHECK (${PLATFORM_SCOPE});`);
  pgm.sql(`
    -- Providers are reference data every signed-in caller reads; only the platform writes them.
    ALTER TABLE insurance_providers ENABLE ROW LEVEL SECURITY;`);
  pgm.sql(`CREATE POLICY insurance_providers_select ON insurance_providers AS PERMISSIVE FOR SELECT TO PUBLIC USING (true);`);
  pgm.sql(`
    CREATE POLICY insurance_providers_insert ON insurance_providers AS PERMISSIVE FOR INSERT TO PUBLIC
      WITH CHECK (${PLATFORM_SCOPE});`);
  pgm.sql(`
    CREATE POLICY insurance_providers_update ON insurance_providers AS PERMISSIVE FOR UPDATE TO PUBLIC
      USING (${PLATFORM_SCOPE}) WITH CHECK (${PLATFORM_SCOPE});`);
}

export function down(pgm: MigrationBuilder): void {
  pgm.sql(`DROP POLICY insurance_providers_update ON insurance_providers;`);
  pgm.sql(`DROP POLICY insurance_providers_insert ON insurance_providers;`);
  pgm.sql(`DROP POLICY insurance_providers_select ON insurance_providers;`);
  pgm.sql(`ALTER TABLE insurance_providers DISABLE ROW LEVEL SECURITY;`);
  pgm.sql(`DROP POLICY tenants_platform_only ON tenants;`);
  pgm.sql(`ALTER TABLE tenants DISABLE ROW LEVEL SECURITY;`);
  pgm.sql(`DROP POLICY platform_sessions_platform_only ON platform_sessions;`);
  pgm.sql(`ALTER TABLE platform_sessions DISABLE ROW LEVEL SECURITY;`);
  pgm.sql(`DROP POLICY platform_users_platform_only ON platform_users;`);
  pgm.sql(`ALTER TABLE platform_users DISABLE ROW LEVEL SECURITY;`);
}
