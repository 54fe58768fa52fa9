import type { Tx } from '../db/scope.js';
import type { BatchCounts, StagedRange } from './writer.js';

// Customers go in set-based, straight from the staged lines (import_rows) inside the database: one UPDATE for the
// customer ids already in the agent's book (empty cells keep the stored value; an unchanged record is left alone and
// counted as skipped), one INSERT for the new ones, one UPDATE of import_rows for the lines refused (a customer id of
// another agent's book). No line travels back through Node.
// Each staged line's values become a typed policyholders record with jsonb_populate_record (its keys are the
// column names): the casts happen there, not inside COALESCE, where Citus refuses non-immutable ones (text to date).

const COLUMNS = ['salutation', 'first_name', 'last_name', 'date_of_birth', 'gender', 'email', 'phone_number', 'address',
  'marital_status', 'occupation', 'annual_income', 'preferred_language', 'marketing_consent'] as const;

const STAGED = `
  FROM import_rows r CROSS JOIN LATERAL jsonb_populate_record(NULL::policyholders, r.values) v
 WHERE r.import_id = :importId AND r.line_number > :after AND r.line_number <= :through AND r.errors IS NULL`;

const MERGED = COLUMNS.map((column) => `coalesce(v.${column}, p.${column})`);

const UPDATE_SQL = `
  UPDATE policyholders p SET ${COLUMNS.map((column, index) => `${column} = ${MERGED[index]}`).join(', ')}, updated_at = now()
  ${STAGED}
   AND p.customer_id = r.values->>'customer_id' AND p.agent_id = :agentId AND p.status = 'active'
   AND (${COLUMNS.map((column) => `p.${column}`).join(', ')}) IS DISTINCT FROM (${MERGED.join(', ')})`;

const DEFAULTS: Partial<Record<(typeof COLUMNS)[number], string>> = { preferred_language: "'en'", marketing_consent: 'false' };

// A customer id already in the tenant (updated above, or in another book) is left to ON CONFLICT: a probe of the
// unique index per line, whatever the planner thinks of the tables. ON CONFLICT also makes Citus run this INSERT ... SELECT through intermediate results rather than a COPY, which
// row-level security refuses (the policyholder_id default is volatile, so Citus cannot push the statement down).
const INSERT_SQL = `
  INSERT INTO policyholders (agent_id, agent_order, customer_id, ${COLUMNS.join(', ')})
  SELECT :agentId, :agentOrder, v.customer_id, ${COLUMNS.map((column) => (DEFAULTS[column] ? `coalesce(v.${column}, ${DEFAULTS[column]})` : `v.${column}`)).join(', ')}
  ${STAGED}
  ON CONFLICT (customer_id) DO NOTHING
  RETURNING 1`;

// After the two writes, every line of the batch whose customer id is not in the agent's book was refused: the id
// belongs to another agent's book (never taken over).
const REJECT_SQL = `
  UPDATE import_rows r SET errors = :errors::jsonb, outcome = 'rejected'
   WHERE r.import_id = :importId AND r.line_number > :after AND r.line_number <= :through AND r.errors IS NULL
     AND NOT EXISTS (SELECT 1 FROM policyholders p WHERE p.customer_id = r.values->>'customer_id' AND p.agent_id = :agentId)`;

const OTHER_BOOK = JSON.stringify([{ column: 'customer_id', message: "belongs to a customer in another agent's book" }]);

export async function writeCustomers(tx: Tx, book: { agentId: string; agentOrder: string | number }, range: StagedRange): Promise<BatchCounts> {
  const params = { ...range, agentId: book.agentId, agentOrder: book.agentOrder };
  // The staged lines and a young book have no statistics yet (autovacuum has not analysed them, and the runtime role
  // may not): the planner then takes both sides for a row or two and nests loops that scan the whole book per
  // line. Hash joins cost one pass over each side, whatever the estimates.
  await tx.raw('SET LOCAL enable_nestloop = off');
  const updated = (await tx.raw(UPDATE_SQL, params)).rowCount ?? 0;
  // Counted from RETURNING: without it, Citus answers such an INSERT with the number of lines selected, conflicts included.
  const created = (await tx.raw(INSERT_SQL, params)).rows.length;
  const rejected = (await tx.raw(REJECT_SQL, { ...params, errors: OTHER_BOOK })).rowCount ?? 0;
  return { created, updated, rejected, skipped: range.lines - created - updated - rejected };
}
