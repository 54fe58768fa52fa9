import type { MigrationBuilder } from 'node-pg-migrate';

// The shared schema: tenant registry and config, insurance providers, reference data and platform (super admin)
// accounts. Nothing here references a tenant schema. Money and limits are integers or NUMERIC, never floats.
export function up(pgm: MigrationBuilder): void {
  pgm.sql(`GRANT USAGE ON SCHEMA shared TO agent_mitra_runtime;`);
  pgm.sql(`
    CREATE TABLE tenants (
      tenant_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_code varchar(20) NOT NULL UNIQUE CHECK (tenant_code ~ '^[A-Z][A-Z0-9_]{1,19}$'),
      tenant_name varchar(255) NOT NULL,
      tenant_type varchar(50) NOT NULL
        CHECK (tenant_type IN ('insurance_provider', 'independent_agent', 'agent_network')),
      schema_name varchar(63) NOT NULL UNIQUE CHECK (schema_name = lower(tenant_code) || '_schema'),
      parent_tenant_id uuid REFERENCES tenants (tenant_id),
      status varchar(20) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'inactive')),
      subscription_plan varchar(50),
      trial_end_date timestamptz,
      max_users integer NOT NULL DEFAULT 1000 CHECK (max_users > 0),
      storage_limit_gb integer NOT NULL DEFAULT 10 CHECK (storage_limit_gb > 0),
      api_rate_limit integer NOT NULL DEFAULT 1000 CHECK (api_rate_limit > 0),
      schema_version varchar(255),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );`);
  pgm.sql(`GRANT SELECT, UPDATE ON tenants TO agent_mitra_runtime;`);
  pgm.sql(`
    CREATE TABLE tenant_config (
      config_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL REFERENCES tenants (tenant_id) ON DELETE CASCADE,
      config_key varchar(100) NOT NULL CHECK (config_key ~ '^[a-z][a-z0-9_.-]{0,99}$'),
      config_value jsonb NOT NULL,
      config_type varchar(20) NOT NULL DEFAULT 'json' CHECK (config_type IN ('string', 'number', 'boolean', 'json')),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (tenant_id, config_key)
    );`);
  pgm.sql(`
    -- A provider admin reaches only its tenant's keys; the platform scope (super admins) reaches all.
    ALTER TABLE tenant_config ENABLE ROW LEVEL SECURITY;`);
  pgm.sql(`ALTER TABLE tenant_config FORCE ROW LEVEL SECURITY;`);
  pgm.sql(`
    CREATE POLICY tenant_config_access ON tenant_config AS PERMISSIVE FOR ALL TO PUBLIC
      USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid
             OR nullif(current_setting('app.platform_user_id', true), '') IS NOT NULL)
      WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid
             OR nullif(current_setting('app.platform_user_id', true), '') IS NOT NULL);`);
  pgm.sql(`GRANT SELECT, INSERT, UPDATE, DELETE ON tenant_config TO agent_mitra_runtime;`);
  pgm.sql(`
    CREATE TABLE insurance_providers (
      provider_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      provider_code varchar(20) NOT NULL UNIQUE CHECK (provider_code ~ '^[A-Z][A-Z0-9_]{1,19}$'),
      provider_name varchar(255) NOT NULL,
      provider_type varchar(50) NOT NULL
        CHECK (provider_type IN ('life_insurance', 'health_insurance', 'general_insurance', 'composite')),
      description text,
      api_endpoint varchar(500),
      webhook_url varchar(500),
      license_number varchar(100),
      regulatory_authority varchar(100) DEFAULT 'IRDAI',
      established_year integer CHECK (established_year BETWEEN 1800 AND 2100),
      headquarters jsonb,
      supported_languages text[] NOT NULL DEFAULT ARRAY['en'],
      service_regions text[] NOT NULL DEFAULT '{}',
      status varchar(20) NOT NULL DEFAULT 'active'
        CHECK (status IN ('active', 'inactive', 'suspended', 'under_maintenance')),
      integration_status varchar(20) NOT NULL DEFAULT 'pending' CHECK (integration_status IN ('pending', 'testing', 'active')),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );`);
  pgm.sql(`GRANT SELECT, INSERT, UPDATE ON insurance_providers TO agent_mitra_runtime;`);
  pgm.sql(`
    CREATE TABLE countries (
      country_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      country_code char(3) NOT NULL UNIQUE,
      country_name varchar(100) NOT NULL,
      currency_code char(3),
      phone_code varchar(5),
      timezone varchar(50)
    );`);
  pgm.sql(`
    CREATE TABLE languages (
      language_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      language_code varchar(10) NOT NULL UNIQUE,
      language_name varchar(100) NOT NULL,
      native_name varchar(100),
      rtl boolean NOT NULL DEFAULT false
    );`);
  pgm.sql(`
    CREATE TABLE insurance_categories (
      category_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      category_code varchar(20) NOT NULL UNIQUE,
      category_name varchar(100) NOT NULL,
      category_type varchar(20) NOT NULL CHECK (category_type IN ('life', 'health', 'general', 'motor')),
      description text
    );`);
  pgm.sql(`GRANT SELECT ON countries, languages, insurance_categories TO agent_mitra_runtime;`);
  pgm.sql(`
    INSERT INTO countries (country_code, country_name, currency_code, phone_code, timezone)
      VALUES ('IND', 'India', 'INR', '+91', 'Asia/Kolkata');`);
  pgm.sql(`
    INSERT INTO languages (language_code, language_name, native_name) VALUES
      ('en', 'English', 'English'), ('hi', 'Hindi', 'हिन्दी'), ('mr', 'Marathi', 'मराठी'),
      ('ta', 'Tamil', 'தமிழ்'), ('te', 'Telugu', 'తెలుగు'), ('bn', 'Bengali', 'বাংলা'),
      ('gu', 'Gujarati', 'ગુજરાતી'), ('kn', 'Kannada', 'ಕನ್ನಡ');`);
  pgm.sql(`
    INSERT INTO insurance_categories (category_code, category_name, category_type) VALUES
      ('TERM', 'Term life', 'life'), ('ENDOWMENT', 'Endowment', 'life'), ('ULIP', 'Unit linked', 'life'),
      ('HEALTH', 'Health', 'health'), ('OPD', 'Outpatient (OPD)', 'health'), ('MOTOR', 'Motor', 'motor'),
      ('HOME', 'Home', 'general');`);
  pgm.sql(`
    CREATE TABLE platform_users (
      user_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      email varchar(255) NOT NULL UNIQUE CHECK (email = lower(email)),
      password_hash varchar(255) NOT NULL,
      first_name varchar(100),
      last_name varchar(100),
      role varchar(30) NOT NULL DEFAULT 'super_admin' CHECK (role = 'super_admin'),
      status varchar(20) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'deactivated')),
      login_attempts integer NOT NULL DEFAULT 0,
      locked_until timestamptz,
      last_login_at timestamptz,
      password_changed_at timestamptz NOT NULL DEFAULT now(),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );`);
  pgm.sql(`GRANT SELECT, UPDATE ON platform_users TO agent_mitra_runtime;`);
  pgm.sql(`
    CREATE TABLE platform_sessions (
      session_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES platform_users (user_id),
      refresh_token_hash char(64) NOT NULL,
      ip_address inet,
      user_agent text,
      expires_at timestamptz NOT NULL,
      last_activity_at timestamptz NOT NULL DEFAULT now(),
      revoked_at timestamptz,
      revoked_reason varchar(50),
      created_at timestamptz NOT NULL DEFAULT now()
    );`);
  pgm.sql(`CREATE INDEX platform_sessions_user ON platform_sessions (user_id);`);
  pgm.sql(`GRANT SELECT, INSERT, UPDATE ON platform_sessions TO agent_mitra_runtime;`);
  pgm.sql(`GRANT SELECT ON pgmigrations TO agent_mitra_runtime;`);
  pgm.sql(`
    -- On Citus the small, read-mostly reference data is replicated to every node; the registry stays on the coordinator.
    DO $citus$ BEGIN
      IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus') THEN
        PERFORM create_reference_table(t) FROM unnest(ARRAY[
          'shared.insurance_providers', 'shared.countries', 'shared.languages', 'shared.insurance_categories']) AS t;
      END IF;
    END $citus$;`);
}

export function down(pgm: MigrationBuilder): void {
  pgm.sql(`DROP TABLE platform_sessions, platform_users, insurance_categories, languages, countries,
           insurance_providers, tenant_config, tenants;`);
}
