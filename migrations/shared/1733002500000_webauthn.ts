import type { MigrationBuilder } from 'node-pg-migrate';

// The super admins' side of migrations/tenant/1733002500000_webauthn.ts: their security keys and passkeys, and the
// single-use challenges handed out for them. Like platform_users, only the platform role holds them (migration
// 1733000400001), and their RLS policies on app.scope stay a second fence.
const PLATFORM_SCOPE = "nullif(current_setting('app.scope', true), '') = 'platform'";

export function up(pgm: MigrationBuilder): void {
  pgm.sql(`
    CREATE TABLE platform_webauthn_credentials (
      credential_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES platform_users (user_id) ON DELETE CASCADE,
      webauthn_id text NOT NULL UNIQUE,
      public_key bytea NOT NULL,
      sign_count bigint NOT NULL DEFAULT 0 CHECK (sign_count >= 0),
      transports text[] NOT NULL DEFAULT '{}',
      name varchar(64) NOT NULL,
      aaguid uuid,
      device_type varchar(16),
      backed_up boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL DEFAULT now(),
      last_used_at timestamptz
    );`);
  pgm.sql('CREATE INDEX platform_webauthn_credentials_user ON platform_webauthn_credentials (user_id);');
  pgm.sql(`
    CREATE TABLE platform_webauthn_challenges (
      challenge text PRIMARY KEY,
      user_id uuid NOT NULL REFERENCES platform_users (user_id) ON DELETE CASCADE,
      purpose varchar(16) NOT NULL CHECK (purpose IN ('register', 'authenticate')),
      expires_at timestamptz NOT NULL
    );`);
  pgm.sql('CREATE INDEX platform_webauthn_challenges_user ON platform_webauthn_challenges (user_id, purpose);');
  pgm.sql('GRANT SELECT, INSERT, UPDATE, DELETE ON platform_webauthn_credentials TO agent_mitra_platform;');
  pgm.sql('GRANT SELECT, INSERT, DELETE ON platform_webauthn_challenges TO agent_mitra_platform;');
  for (const table of ['platform_webauthn_credentials', 'platform_webauthn_challenges']) {
    pgm.sql(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY;`);
    pgm.sql(`CREATE POLICY ${table}_platform_only ON ${table} AS PERMISSIVE FOR ALL TO PUBLIC
      USING (${PLATFORM_SCOPE}) WITH CHECK (${PLATFORM_SCOPE});`);
  }
}

export function down(pgm: MigrationBuilder): void {
  pgm.sql('DROP TABLE platform_webauthn_challenges, platform_webauthn_credentials;');
}
