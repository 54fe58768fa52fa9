import type { MigrationBuilder } from 'node-pg-migrate';
import {
  auditTable, guardTenantTable, TENANT_ID_COLUMN, tenantMigrationContext, tenantWidePolicies,
} from '../../src/db/migration-kit.js';

// WebAuthn (ASVS V2.3.2): a user's security keys and passkeys, and the challenges handed out for them. A credential
// keeps its id (base64url, as the browser names it), its COSE public key and the signature counter the last
// assertion carried (a counter that goes back means a cloned authenticator). A challenge is single use: taking it
// deletes it, and a new one of the same purpose replaces the user's earlier one. Credentials are audited (adding or
// removing a factor); their counters and last use are not.
export async function up(pgm: MigrationBuilder): Promise<void> {
  const tenant = await tenantMigrationContext(pgm);
  pgm.sql(`
    CREATE TABLE webauthn_credentials (
      credential_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      ${TENANT_ID_COLUMN},
      user_id uuid NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
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
  pgm.sql('CREATE INDEX webauthn_credentials_user ON webauthn_credentials (user_id);');
  pgm.sql(`
    CREATE TABLE webauthn_challenges (
      challenge text PRIMARY KEY,
      ${TENANT_ID_COLUMN},
      user_id uuid NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
      purpose varchar(16) NOT NULL CHECK (purpose IN ('register', 'authenticate')),
      expires_at timestamptz NOT NULL
    );`);
  pgm.sql('CREATE INDEX webauthn_challenges_user ON webauthn_challenges (user_id, purpose);');
  guardTenantTable(pgm, tenant, 'webauthn_credentials', ['SELECT', 'INSERT', 'UPDATE', 'DELETE']);
  guardTenantTable(pgm, tenant, 'webauthn_challenges', ['SELECT', 'INSERT', 'DELETE']);
  tenantWidePolicies(pgm, 'webauthn_credentials', ['select', 'insert', 'update', 'delete']);
  tenantWidePolicies(pgm, 'webauthn_challenges', ['select', 'insert', 'delete']);
  auditTable(pgm, tenant, 'webauthn_credentials', { key: 'credential_id', ignore: ['sign_count', 'last_used_at'] });
}

export function down(pgm: MigrationBuilder): void {
  pgm.sql('DROP TABLE webauthn_challenges, webauthn_credentials;');
}
