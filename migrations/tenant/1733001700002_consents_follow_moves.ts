import type { MigrationBuilder } from 'node-pg-migrate';
import { bookPolicies } from '../../src/db/migration-kit.js';

// A policyholder's consent decisions are in its agent's book and move with it (src/policyholders, the move).
// The decisions stay unchangeable in content: the runtime role may change only whose book a row is in.
export function up(pgm: MigrationBuilder): void {
  pgm.sql('GRANT UPDATE (agent_id, agent_order) ON policyholder_consents TO agent_mitra_runtime;');
  bookPolicies(pgm, 'policyholder_consents', ['update']);
}

export function down(pgm: MigrationBuilder): void {
  pgm.sql('DROP POLICY policyholder_consents_update ON policyholder_consents;');
  pgm.sql('REVOKE UPDATE (agent_id, agent_order) ON policyholder_consents FROM agent_mitra_runtime;');
}
