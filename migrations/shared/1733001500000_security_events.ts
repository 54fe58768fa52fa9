import type { MigrationBuilder } from 'node-pg-migrate';

// The security event log (ASVS V7): sign-ins, lockouts, refresh-token reuse, password and role changes, tenant
// suspensions, revoked sessions, every 403. One table in shared for every tenant (tenant_id; null for the
// platform), so a super admin reads across tenants with one index. Append-only by grants: the runtime role may
// only INSERT, and only rows of the tenant its transaction is set to; it cannot read, change or delete one, so a
// compromised request cannot cover its tracks. The platform role reads (GET /security-events, for tenant
// administrators too, filtered by their tenant) and writes the events of platform-scope requests. Citus leaves
// shared on the coordinator; the policies compare the row's own columns with settings, one per role and command.
export function up(pgm: MigrationBuilder): void {
  pgm.sql(`
    CREATE TABLE security_events (
      event_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      occurred_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      kind text NOT NULL CHECK (kind ~ '^[a-z_]+\\.[a-z_]+$'),
      outcome text NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
      tenant_id uuid,
      actor_user_id uuid,
      actor_role text,
      client_address text,
      request_id text,
      target_type text,
      target_id text,
      details jsonb NOT NULL DEFAULT '{}'::jsonb
    );`);
  pgm.sql('CREATE INDEX security_events_tenant_time ON security_events (tenant_id, occurred_at DESC, event_id DESC);');
  pgm.sql('CREATE INDEX security_events_time ON security_events (occurred_at DESC, event_id DESC);');
  pgm.sql('ALTER TABLE security_events ENABLE ROW LEVEL SECURITY;');
  pgm.sql('ALTER TABLE security_events FORCE ROW LEVEL SECURITY;');
  pgm.sql('GRANT INSERT ON security_events TO agent_mitra_runtime;');
  pgm.sql('GRANT SELECT, INSERT ON security_events TO agent_mitra_platform;');
  pgm.sql(`
    CREATE POLICY security_events_tenant_insert ON security_events AS PERMISSIVE FOR INSERT TO agent_mitra_runtime
      WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);`);
  pgm.sql(`
    CREATE POLICY security_events_platform ON security_events AS PERMISSIVE FOR ALL TO agent_mitra_platform
      USING (current_setting('app.scope', true) = 'platform') WITH CHECK (current_setting('app.scope', true) = 'platform');`);
}

export function down(pgm: MigrationBuilder): void {
  pgm.sql('DROP TABLE security_events;');
}
