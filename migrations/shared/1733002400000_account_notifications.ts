import type { MigrationBuilder } from 'node-pg-migrate';

// The super admins' side of migrations/tenant/1733002400000_account_notifications.ts: their inbox and the
// single-use counter of their sign-in challenges. Only the platform role reaches them, in the platform scope. No
// foreign key to platform_users: a notice written apart from a request that holds the account's row locked (a
// replayed code in a request that then fails) must not wait for that request's key-share lock.
const PLATFORM_SCOPE = "current_setting('app.scope', true) = 'platform'";

export function up(pgm: MigrationBuilder): void {
  pgm.sql('ALTER TABLE platform_users ADD COLUMN mfa_challenge_seq bigint NOT NULL DEFAULT 0;');
  pgm.sql(`
    CREATE TABLE platform_notifications (
      notification_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL,
      topic text NOT NULL CHECK (topic ~ '^[a-z_]+\\.[a-z_]+$'),
      channel text NOT NULL DEFAULT 'inbox',
      subject text NOT NULL,
      body text NOT NULL,
      details jsonb NOT NULL DEFAULT '{}'::jsonb,
      occurred_at timestamptz NOT NULL DEFAULT clock_timestamp()
    );`);
  pgm.sql('CREATE INDEX platform_notifications_user_time ON platform_notifications (user_id, occurred_at DESC, notification_id DESC);');
  pgm.sql('ALTER TABLE platform_notifications ENABLE ROW LEVEL SECURITY;');
  pgm.sql('ALTER TABLE platform_notifications FORCE ROW LEVEL SECURITY;');
  pgm.sql('GRANT SELECT, INSERT ON platform_notifications TO agent_mitra_platform;');
  pgm.sql(`
    CREATE POLICY platform_notifications_platform ON platform_notifications AS PERMISSIVE FOR ALL TO agent_mitra_platform
      USING (${PLATFORM_SCOPE}) WITH CHECK (${PLATFORM_SCOPE});`);
}

export function down(pgm: MigrationBuilder): void {
  pgm.sql('DROP TABLE platform_notifications;');
  pgm.sql('ALTER TABLE platform_users DROP COLUMN mfa_challenge_seq;');
}
