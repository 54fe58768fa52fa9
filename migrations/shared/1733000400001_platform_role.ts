import type { MigrationBuilder } from 'node-pg-migrate';

// The platform tables leave the runtime role's reach. Until now they answered to it whenever it had set
// app.scope = 'platform', so a tenant request able to run one SET LOCAL (an injection, a bug) could read super
// admins' password hashes and the whole registry. Now only agent_mitra_platform (a role of its own, with a pool of
// its own: src/db/roles.ts) holds them; the RLS policies on app.scope stay as a second fence. tenant_config's
// "or any tenant when app.platform_user_id is set" arm goes the same way: one policy per group instead.
const PLATFORM_TABLES = 'tenants, platform_users, platform_sessions, pgmigrations';

export function up(pgm: MigrationBuilder): void {
  pgm.sql(`REVOKE ALL ON ${PLATFORM_TABLES} FROM agent_mitra_runtime;`);
  pgm.sql('REVOKE INSERT, UPDATE, DELETE ON insurance_providers FROM agent_mitra_runtime;');
  pgm.sql('GRANT USAGE ON SCHEMA shared TO agent_mitra_platform;');
  pgm.sql('GRANT SELECT, UPDATE ON tenants, platform_users TO agent_mitra_platform;');
  pgm.sql('GRANT SELECT, INSERT, UPDATE ON platform_sessions TO agent_mitra_platform;');
  pgm.sql('GRANT SELECT ON pgmigrations, countries, languages, insurance_categories TO agent_mitra_platform;');
  pgm.sql('GRANT SELECT, INSERT, UPDATE ON insurance_providers TO agent_mitra_platform;');
  pgm.sql('GRANT SELECT, INSERT, UPDATE, DELETE ON tenant_config, login_locks TO agent_mitra_platform;');
  pgm.sql('DROP POLICY tenant_config_access ON tenant_config;');
  pgm.sql(`
    CREATE POLICY tenant_config_tenant ON tenant_config AS PERMISSIVE FOR ALL TO agent_mitra_runtime
      USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
      WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);`);
  pgm.sql(`
    CREATE POLICY tenant_config_platform ON tenant_config AS PERMISSIVE FOR ALL TO agent_mitra_platform
      USING (true) WITH CHECK (true);`);
}

export function down(pgm: MigrationBuilder): void {
  pgm.sql('DROP POLICY tenant_config_platform ON tenant_config;');
  pgm.sql('DROP POLICY tenant_config_tenant ON tenant_config;');
  pgm.sql(`
    CREATE POLICY tenant_config_access ON tenant_config AS PERMISSIVE FOR ALL TO PUBLIC
      USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid
             OR nullif(current_setting('app.platform_user_id', true), '') IS NOT NULL)
      WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid
             OR nullif(current_setting('app.platform_user_id', true), '') IS NOT NULL);`);
  pgm.sql('REVOKE ALL ON ALL TABLES IN SCHEMA shared FROM agent_mitra_platform;');
  pgm.sql('REVOKE USAGE ON SCHEMA shared FROM agent_mitra_platform;');
  pgm.sql('GRANT SELECT, INSERT, UPDATE ON insurance_providers TO agent_mitra_runtime;');
  pgm.sql('GRANT SELECT, UPDATE ON tenants, platform_users TO agent_mitra_runtime;');
  pgm.sql('GRANT SELECT, INSERT, UPDATE ON platform_sessions TO agent_mitra_runtime;');
  pgm.sql('GRANT SELECT ON pgmigrations TO agent_mitra_runtime;');
}
