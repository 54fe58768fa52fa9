import type { MigrationBuilder } from 'node-pg-migrate';
import { bookPolicies } from '../../src/db/migration-kit.js';

// The book at scale (a manager over 2,000 agents, 39,200 rows in range):
// - The own-rows arm of the book policies becomes `policyholder_id BETWEEN app.policyholder_lo AND ..._hi`. The
//   planner estimated the former `current_setting('app.policyholder_id') = ''` at 0.5% of rows (no column to read
//   statistics from), so a manager's overdue list or search looked tiny and was sorted whole (0.7 s) instead of
//   walking the newest-first index to 51 rows.
// - The dashboard's three aggregates read covering indexes whose keys hold the policy's columns (agent_order,
//   tenant_id, policyholder_id): index-only scans, the policy checked as scan keys, no heap.
const BOOK_TABLES = ['policyholders', 'policies', 'policy_status_history', 'premium_payments', 'dependents', 'claims',
  'claim_documents', 'manual_reviews'];
const COMMANDS = ['select', 'insert', 'update'] as const;

export function up(pgm: MigrationBuilder): void {
  for (const table of BOOK_TABLES) {
    for (const command of COMMANDS) pgm.sql(`DROP POLICY ${table}_${command} ON ${table};`);
    bookPolicies(pgm, table, [...COMMANDS]);
  }
  pgm.sql('CREATE INDEX policyholders_book_figures ON policyholders (agent_order, tenant_id, policyholder_id) INCLUDE (status);');
  pgm.sql(`CREATE INDEX policies_book_figures ON policies (agent_order, tenant_id, policyholder_id)
    INCLUDE (status, next_payment_date, premium_amount, start_date, premium_frequency, installments_total, installments_paid);`);
  pgm.sql('DROP INDEX premium_payments_collected;');
  pgm.sql(`CREATE INDEX premium_payments_collected ON premium_payments (agent_order, tenant_id, policyholder_id, payment_date)
    INCLUDE (amount) WHERE status = 'completed';`);
}

export function down(pgm: MigrationBuilder): void {
  pgm.sql('DROP INDEX premium_payments_collected;');
  pgm.sql("CREATE INDEX premium_payments_collected ON premium_payments (agent_order, payment_date) INCLUDE (amount) WHERE status = 'completed';");
  pgm.sql('DROP INDEX policies_book_figures;');
  pgm.sql('DROP INDEX policyholders_book_figures;');
  // The policies keep the range shape: the scope sets both app.policyholder_lo/hi and app.policyholder_id.
}
