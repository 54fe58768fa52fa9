import type { MigrationBuilder } from 'node-pg-migrate';
import { auditTable, tenantMigrationContext } from '../../src/db/migration-kit.js';

// The audit trail of claims keeps what changes (decision, amounts, status, review) but no longer copies the
// engine's trail, result and the request into every entry: they are written once, never changed, and stay on the
// claim row. Each copy was tens of kilobytes per submission, written twice.
// Citus refuses any trigger statement on a distributed table, DROP included, unless unsafe triggers are on for it.
function dropAuditTrigger(pgm: MigrationBuilder, citus: boolean): void {
  if (citus) pgm.sql('SET LOCAL citus.enable_unsafe_triggers = on;');
  pgm.sql('DROP TRIGGER claims_audit ON claims;');
  if (citus) pgm.sql('SET LOCAL citus.enable_unsafe_triggers TO DEFAULT;');
}

export async function up(pgm: MigrationBuilder): Promise<void> {
  const tenant = await tenantMigrationContext(pgm);
  dropAuditTrigger(pgm, tenant.citus);
  auditTable(pgm, tenant, 'claims', { key: 'claim_id', ignore: ['agent_order'], redact: ['trail', 'result', 'request'] });
}

export async function down(pgm: MigrationBuilder): Promise<void> {
  const tenant = await tenantMigrationContext(pgm);
  dropAuditTrigger(pgm, tenant.citus);
  auditTable(pgm, tenant, 'claims', { key: 'claim_id', ignore: ['agent_order'] });
}
