import type { Tx } from '../db/scope.js';
import type { BatchOutcome } from './writer.js';

// Customers go in set-based: one UPDATE for the customer ids already in the agent's book (empty cells keep the
// stored value; an unchanged record is left alone and counted as skipped), one INSERT for the new ones.

const COLUMNS: [column: string, expression: string][] = [
  ['salutation', "v->>'salutation'"],
  ['first_name', "v->>'first_name'"],
  ['last_name', "v->>'last_name'"],
  ['date_of_birth', "(v->>'date_of_birth')::date"],
  ['gender', "v->>'gender'"],
  ['email', "v->>'email'"],
  ['phone_number', "v->>'phone_number'"],
  ['address', "nullif(v->'address', 'null'::jsonb)"],
  ['marital_status', "v->>'marital_status'"],
  ['occupation', "v->>'occupation'"],
  ['annual_income', "(v->>'annual_income')::numeric"],
  ['preferred_language', "v->>'preferred_language'"],
  ['marketing_consent', "(v->>'marketing_consent')::boolean"],
];

// The batch comes in as arrays (already read with the lines); customer_id = ANY(:ids) keeps the match an index scan.
const BATCH = 'SELECT line_number, v FROM unnest(:lines::int[], :values::jsonb[]) AS t(line_number, v)';
const MERGED = COLUMNS.map(([column, expression]) => `coalesce(${expression.replaceAll('v->', 'b.v->')}, p.${column})`);

const UPDATE_SQL = `
  WITH batch AS (${BATCH})
  UPDATE policyholders p SET ${COLUMNS.map(([column], index) => `${column} = ${MERGED[index]}`).join(', ')}, updated_at = now()
    FROM batch b
   WHERE p.customer_id = ANY(:ids::text[]) AND p.customer_id = b.v->>'customer_id' AND p.agent_id = :agentId AND p.status = 'active'
     AND (${COLUMNS.map(([column]) => `p.${column}`).join(', ')}) IS DISTINCT FROM (${MERGED.join(', ')})
  RETURNING b.line_number`;

const INSERT_SQL = `
  WITH batch AS (${BATCH})
  INSERT INTO policyholders (agent_id, agent_order, customer_id, ${COLUMNS.map(([column]) => column).join(', ')})
  SELECT :agentId, :agentOrder, v->>'customer_id', ${COLUMNS.map(([column, expression]) =>
    (column === 'preferred_language' ? `coalesce(${expression}, 'en')` : column === 'marketing_consent' ? `coalesce(${expression}, false)` : expression)).join(', ')}
    FROM batch b
   WHERE NOT EXISTS (SELECT 1 FROM policyholders p WHERE p.customer_id = ANY(:ids::text[]) AND p.customer_id = b.v->>'customer_id')
  ON CONFLICT (customer_id) DO NOTHING
  RETURNING customer_id`;

export async function writeCustomers(tx: Tx, book: { agentId: string; agentOrder: string | number },
  lines: readonly { line_number: number; values: Record<string, unknown> }[]): Promise<BatchOutcome> {
  const params = {
    agentId: book.agentId, agentOrder: book.agentOrder, lines: lines.map((line) => line.line_number),
    values: lines.map((line) => JSON.stringify(line.values)), ids: lines.map((line) => String(line.values.customer_id)),
  };
  const updated = new Set<number>((await tx.raw(UPDATE_SQL, params)).rows.map((row: { line_number: number }) => row.line_number));
  const inserted = new Set<string>((await tx.raw(INSERT_SQL, params)).rows.map((row: { customer_id: string }) => row.customer_id));
  const others = lines.filter((line) => !updated.has(line.line_number) && !inserted.has(String(line.values.customer_id)));
  const owners = new Map<string, string>((await tx('policyholders').select('customer_id', 'agent_id')
    .whereIn('customer_id', others.map((line) => String(line.values.customer_id))))
    .map((row: { customer_id: string; agent_id: string }) => [row.customer_id, row.agent_id]));
  const outcome: BatchOutcome = { created: [], updated: [...updated], skipped: [], rejected: [] };
  for (const line of lines) {
    if (updated.has(line.line_number)) continue;
    const customerId = String(line.values.customer_id);
    if (inserted.has(customerId)) outcome.created.push(line.line_number);
    else if (owners.get(customerId) === book.agentId) outcome.skipped.push(line.line_number);
    else outcome.rejected.push({ line: line.line_number, errors: [{ column: 'customer_id', message: "belongs to a customer in another agent's book" }] });
  }
  return outcome;
}
