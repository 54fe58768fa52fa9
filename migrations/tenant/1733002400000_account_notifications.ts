import type { MigrationBuilder } from 'node-pg-migrate';
import {
  guardTenantTable, TENANT_ID_COLUMN, tenantMigrationContext, tenantWidePolicies,
} from '../../src/db/migration-kit.js';

// Issue 11, second part. `notifications` is each tenant user's inbox: what the local notifier
// (src/notifications/) delivered after an account change (password, MFA, lockout, a replayed code, refresh-token
// reuse). Rows arrive through the outbox (written with the change, delivered after its commit), so the inbox holds
// only what committed. Append-only for the runtime role. `mfa_challenge_seq` makes an mfa_token single-use: a
// sign-in's challenge carries the number the account had when it was issued, and issuing tokens moves it on.
export async function up(pgm: MigrationBuilder): Promise<void> {
  const tenant = await tenantMigrationContext(pgm);
  pgm.sql('ALTER TABLE users ADD COLUMN mfa_challenge_seq bigint NOT NULL DEFAULT 0;');
  pgm.sql(`
    CREATE TABLE notifications (
      notification_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      ${TENANT_ID_COLUMN},
      user_id uuid NOT NULL REFERENCES users (user_id),
      topic text NOT NULL CHECK (topic ~ '^[a-z_]+\\.[a-z_]+$'),
      channel text NOT NULL DEFAULT 'inbox',
      subject text NOT NULL,
      body text NOT NULL,
      details jsonb NOT NULL DEFAULT '{}'::jsonb,
      occurred_at timestamptz NOT NULL DEFAULT clock_timestamp()
    );`);
  pgm.sql('CREATE INDEX notifications_user_time ON notifications (user_id, occurred_at DESC, notification_id DESC);');
  guardTenantTable(pgm, tenant, 'notifications', ['SELECT', 'INSERT']);
  tenantWidePolicies(pgm, 'notifications', ['select', 'insert']);
}

export function down(pgm: MigrationBuilder): void {
  pgm.sql('DROP TABLE notifications;');
  pgm.sql('ALTER TABLE users DROP COLUMN mfa_challenge_seq;');
}
