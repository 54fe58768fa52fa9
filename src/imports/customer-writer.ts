import type { Tx } from '../db/scope.js';
import { assertUuid } from '../db/sql-literals.js';
import type { ImportBatch } from './repository.js';
import type { BatchCounts } from './writer.js';

// Customers go in set-based, straight from the staged lines (import_rows) inside the database: one INSERT for the
// new customer ids, then (only when some line was not created) one UPDATE for the customer ids already in the agent's
// book (empty cells keep the stored value; an unchanged record is left alone and counted as skipped) and one UPDATE of
// import_rows for the lines refused (a customer id of another agent's book). No line travels back through Node.
// Each staged line's values become typed columns with jsonb_to_record and the column list below (four times cheaper
// than jsonb_populate_record over the whole policyholders row type): the casts happen there, not inside COALESCE,
// where Citus refuses non-immutable ones (text to date).

const COLUMN_TYPES = {
  salutation: 'text', first_name: 'text', last_name: 'text', date_of_birth: 'date', gender: 'text', email: 'text',
  phone_number: 'text', address: 'jsonb', marital_status: 'text', occupation: 'text', annual_income: 'numeric',
  preferred_language: 'text', marketing_consent: 'boolean',
} as const;
const COLUMNS = Object.keys(COLUMN_TYPES) as (keyof typeof COLUMN_TYPES)[];

const STAGED = `
  FROM import_rows r CROSS JOIN LATERAL jsonb_to_record(r.values)
       AS v(customer_id text, ${COLUMNS.map((column) => `${column} ${COLUMN_TYPES[column]}`).join(', ')})
 WHERE r.import_id = :importId AND r.line_number > :after AND r.line_number <= :through AND r.errors IS NULL`;

const MERGED = COLUMNS.map((column) => `coalesce(v.${column}, p.${column})`);

const UPDATE_SQL = `
  UPDATE policyholders p SET ${COLUMNS.map((column, index) => `${column} = ${MERGED[index]}`).join(', ')}, updated_at = now()
  ${STAGED}
   AND p.customer_id = r.values->>'customer_id' AND p.agent_id = :agentId AND p.status = 'active'
   AND (${COLUMNS.map((column) => `p.${column}`).join(', ')}) IS DISTINCT FROM (${MERGED.join(', ')})`;

const DEFAULTS: Partial<Record<(typeof COLUMNS)[number], string>> = { preferred_language: "'en'", marketing_consent: 'false' };

// A customer id already in the tenant (in this book: the UPDATE below; or in another book) is left to ON CONFLICT: a
// probe of the unique index per line, whatever the planner thinks of the tables. ON CONFLICT also makes Citus run this
// INSERT ... SELECT through intermediate results rather than a COPY, which row-level security refuses (the policyholder_id default is volatile, so Citus cannot push the statement down).
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

// A marketing_consent cell is the customer's marketing decision as the file states it: recorded in the consent ledger
// (channel 'import', against the latest marketing notice) as the API records the field's changes, so the ledger and
// the derived policyholders.marketing_consent agree. Only a decision that differs from the one in force is recorded:
// running the same file again adds none. A line per customer, probed by its unique customer id (nested loops).
const DECISION = "CASE WHEN v.marketing_consent THEN 'given' ELSE 'withdrawn' END";
const CONSENTS_SQL = `
  INSERT INTO policyholder_consents (policyholder_id, agent_id, agent_order, purpose, status, channel, notice_id)
  SELECT p.policyholder_id, p.agent_id, p.agent_order, 'marketing', ${DECISION}, 'import', notice.notice_id
    FROM import_rows r CROSS JOIN LATERAL jsonb_to_record(r.values) AS v(customer_id text, marketing_consent boolean)
    JOIN policyholders p ON p.customer_id = v.customer_id
    LEFT JOIN LATERAL (SELECT n.notice_id FROM consent_notices n WHERE n.purpose = 'marketing' ORDER BY n.version DESC LIMIT 1) notice ON true
    LEFT JOIN LATERAL (SELECT c.status FROM policyholder_consents c WHERE c.policyholder_id = p.policyholder_id AND c.purpose = 'marketing'
                        ORDER BY c.recorded_at DESC, c.consent_id DESC LIMIT 1) latest ON true
   WHERE r.import_id = :importId AND r.line_number > :after AND r.line_number <= :through AND r.errors IS NULL
     AND v.marketing_consent IS NOT NULL AND p.agent_id = :agentId AND p.status = 'active'
     AND latest.status IS DISTINCT FROM ${DECISION}
  ON CONFLICT (consent_id) DO NOTHING`;

export async function writeCustomers(tx: Tx, book: { agentId: string; agentOrder: string | number }, range: ImportBatch): Promise<BatchCounts> {
  const params = { ...range, agentId: book.agentId, agentOrder: book.agentOrder };
  // The staged lines and a young book have no statistics yet (autovacuum has not analysed them, and the runtime role
  // may not): the planner then takes both sides for a row or two and nests loops that scan the whole book per
  // line. Hash joins cost one pass over each side, whatever the estimates.
  await tx.raw('SET LOCAL enable_nestloop = off');
  // The batch, for the insert audit entries (migration 1733002700001): a customer created from a staged line is
  // recorded as that line of this import, not as a copy of its row. SET LOCAL (Citus propagates it, not
  // set_config), so the values are written into the statement: a uuid and integers, checked.
  if (!Number.isSafeInteger(range.after) || !Number.isSafeInteger(range.through)) throw new Error(`not a batch: ${JSON.stringify(range)}`);
  await tx.raw(`SET LOCAL app.import_id = '${assertUuid(range.importId)}'; SET LOCAL app.import_after = '${range.after}'; `
    + `SET LOCAL app.import_through = '${range.through}'`);
  // Counted from RETURNING: without it, Citus answers such an INSERT with the number of lines selected, conflicts included.
  const created = (await tx.raw(INSERT_SQL, params)).rows.length;
  // Every line created (a new book, the first run of a file): nothing to update, nothing refused, and the two
  // statements below, each a pass over the whole book, are skipped. Otherwise the customers just created are
  // matched too, and left alone (nothing differs).
  const counts = created === range.lines ? { created, updated: 0, rejected: 0, skipped: 0 } : await updateOrReject(tx, params, range, created);
  // ON CONFLICT, as above, keeps Citus from a COPY under row-level security (the consent's id and time are volatile defaults).
  await tx.raw('SET LOCAL enable_nestloop = on');
  await tx.raw(CONSENTS_SQL, params);
  return counts;
}

async function updateOrReject(tx: Tx, params: Record<string, unknown>, range: ImportBatch, created: number): Promise<BatchCounts> {
  const updated = (await tx.raw(UPDATE_SQL, params)).rowCount ?? 0;
  const rejected = (await tx.raw(REJECT_SQL, { ...params, errors: OTHER_BOOK })).rowCount ?? 0;
  return { created, updated, rejected, skipped: range.lines - created - updated - rejected };
}
