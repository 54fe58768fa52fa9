import type { MigrationBuilder } from 'node-pg-migrate';
import { bookPolicies } from '../../src/db/migration-kit.js';

// A policyholder moved to another agent takes its whole book along, its status history included. The history stays
// append-only in content: the runtime role may change only the two columns that say whose book a line is in, under
// the same range policy as every other book write.
export function up(pgm: MigrationBuilder): void {
  pgm.sql('GRANT UPDATE (agent_id, agent_order) ON policy_status_history TO agent_mitra_runtime;');
  bookPolicies(pgm, 'policy_status_history', ['update']);
}

export function down(pgm: MigrationBuilder): void {
  pgm.sql('DROP POLICY policy_status_history_update ON policy_status_history;');
  pgm.sql('REVOKE UPDATE (agent_id, agent_order) ON policy_status_history FROM agent_mitra_runtime;');
}
