import type { MigrationBuilder } from 'node-pg-migrate';
import { tenantPolicies, TENANT_MATCHES } from '../../src/db/migration-kit.js';

// The retention purge (src/data-protection/retention.ts) deletes sessions that ended (revoked or expired) longer
// ago than the tenant keeps them. Deleting a session can only end a login, never widen one.
export function up(pgm: MigrationBuilder): void {
  pgm.sql('GRANT DELETE ON user_sessions TO agent_mitra_runtime;');
  tenantPolicies(pgm, 'user_sessions', { delete: TENANT_MATCHES });
}

export function down(pgm: MigrationBuilder): void {
  pgm.sql('DROP POLICY user_sessions_delete ON user_sessions;');
  pgm.sql('REVOKE DELETE ON user_sessions FROM agent_mitra_runtime;');
}
