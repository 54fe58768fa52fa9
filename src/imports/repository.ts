import type { Tx } from '../db/scope.js';
import type { ImportKind, RowError } from '../../schemas/imports.js';
import type { CheckedLine } from './rows.js';

// data_imports and import_rows. Every query runs on the caller's (or the job's) tenant transaction, under RLS.

export interface ImportRecord {
  import_id: string;
  agent_id: string;
  agent_order: string | number;
  kind: ImportKind;
  file_name: string;
  file_format: 'csv' | 'xlsx';
  dry_run: boolean;
  status: 'validated' | 'queued' | 'running' | 'completed' | 'failed';
  total_rows: number;
  valid_rows: number;
  invalid_rows: number;
  processed_rows: number;
  created_rows: number;
  updated_rows: number;
  skipped_rows: number;
  processed_through_line: number;
  last_error: string | null;
  created_by: string | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

export type NewImport = Pick<ImportRecord, 'agent_id' | 'agent_order' | 'kind' | 'file_name' | 'file_format' | 'dry_run' | 'status'
  | 'total_rows' | 'valid_rows' | 'invalid_rows' | 'created_by'> & { file_id: string | null };

export async function insertImport(tx: Tx, values: NewImport): Promise<string> {
  const [row] = await tx('data_imports').insert(values).returning('import_id');
  return row.import_id as string;
}

// At most two bound parameters a line: 5,000 lines a statement stay well under PostgreSQL's 65,535 parameters.
const STAGE_CHUNK = 5000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Stages the checked lines, one multi-row INSERT ... VALUES per chunk. Not INSERT ... SELECT FROM unnest(arrays):
 * Citus runs that as a COPY into the shard, which PostgreSQL refuses on a table with row-level security.
 * Only the file's content is bound: the import id (a uuid of ours), the book number and the line number are written
 * into the statement (checked to be a uuid and integers), a missing value as NULL. Binding all six columns of
 * 100,000 lines cost more time in knex's placeholder rewriting than the database spent inserting them; the query
 * builder's insert(rows) was slower still.
 */
export async function insertImportRows(tx: Tx, importId: string, agentOrder: string | number, lines: readonly CheckedLine[]): Promise<void> {
  if (!UUID.test(importId)) throw new Error(`not an import id: ${importId}`);
  const book = BigInt(agentOrder).toString();
  for (let start = 0; start < lines.length; start += STAGE_CHUNK) {
    const chunk = lines.slice(start, start + STAGE_CHUNK);
    const bindings: string[] = [];
    // A valid line: its checked values. A refused one: its raw cells (what the file said) and the reasons.
    const rows = chunk.map((line) => {
      if (!Number.isSafeInteger(line.line)) throw new Error(`not a line number: ${line.line}`);
      if (line.errors) {
        bindings.push(JSON.stringify(line.raw), JSON.stringify(line.errors));
        return `('${importId}', ${book}, ${line.line}, ?::jsonb, NULL, ?::jsonb)`;
      }
      bindings.push(JSON.stringify(line.values));
      return `('${importId}', ${book}, ${line.line}, NULL, ?::jsonb, NULL)`;
    });
    await tx.raw(`INSERT INTO import_rows (import_id, agent_order, line_number, raw, values, errors) VALUES ${rows.join(', ')}`, bindings);
  }
}

export async function findImport(tx: Tx, importId: string, options: { forUpdate?: boolean } = {}): Promise<ImportRecord | undefined> {
  const query = tx('data_imports').first('*').where({ import_id: importId });
  return options.forUpdate ? query.forUpdate() : query;
}

export async function updateImport(tx: Tx, importId: string, values: Partial<ImportRecord>): Promise<void> {
  await tx('data_imports').update({ ...values, updated_at: tx.fn.now() }).where({ import_id: importId });
}

/** Adds a batch's outcome to the import's counters and marks the batch written, in the batch's own transaction. */
export async function recordBatch(tx: Tx, batch: ImportBatch, counts: { created: number; updated: number; skipped: number; rejected: number }): Promise<void> {
  await tx.raw('UPDATE import_batches SET written_at = now() WHERE import_id = :importId AND batch_number = :batchNumber',
    { importId: batch.importId, batchNumber: batch.batchNumber });
  // Last in the batch's transaction: two writers of one import queue on this row only for the moment between it
  // and their commits.
  await tx.raw(`
    UPDATE data_imports SET processed_rows = processed_rows + :lines,
      created_rows = created_rows + :created, updated_rows = updated_rows + :updated, skipped_rows = skipped_rows + :skipped,
      valid_rows = valid_rows - :rejected, invalid_rows = invalid_rows + :rejected, updated_at = now()
    WHERE import_id = :importId`, { ...counts, lines: batch.lines, importId: batch.importId });
}

/** A batch of staged lines: the valid ones with after < line_number <= through (`lines` of them). */
export interface ImportBatch {
  importId: string;
  batchNumber: number;
  after: number;
  through: number;
  lines: number;
}

/**
 * Cuts the valid lines after the import's start point into batches of `size`, once: a no-op when the import has
 * batches already. Run with the import row locked (runImport's first transaction), so two runners plan once.
 * Multi-row VALUES, not INSERT ... SELECT: Citus runs the latter into a table with row-level security as a COPY.
 */
export async function planBatches(tx: Tx, record: Pick<ImportRecord, 'import_id' | 'agent_order' | 'processed_through_line'>, size: number): Promise<void> {
  const { rows: [planned] } = await tx.raw('SELECT count(*)::int AS n FROM import_batches WHERE import_id = ?', [record.import_id]);
  if (planned.n > 0) return;
  const { rows: ends } = await tx.raw(`
    SELECT line_number, n FROM (
      SELECT line_number, row_number() OVER (ORDER BY line_number) AS n, count(*) OVER () AS total
        FROM import_rows WHERE import_id = :importId AND line_number > :after AND errors IS NULL) s
     WHERE n % :size = 0 OR n = total ORDER BY line_number`, { importId: record.import_id, after: record.processed_through_line, size });
  if (!ends.length) return;
  const bindings: (string | number)[] = [];
  const values = (ends as { line_number: number; n: string }[]).map((end, index, all) => {
    const previous = all[index - 1];
    bindings.push(record.import_id, String(record.agent_order), index + 1, previous?.line_number ?? record.processed_through_line, end.line_number,
      Number(end.n) - Number(previous?.n ?? 0));
    return '(?::uuid, ?::bigint, ?::int, ?::int, ?::int, ?::int)';
  });
  await tx.raw(`INSERT INTO import_batches (import_id, agent_order, batch_number, after_line, through_line, lines) VALUES ${values.join(', ')}`, bindings);
}

const BATCH_COLUMNS = 'import_id AS "importId", batch_number AS "batchNumber", after_line AS after, through_line AS through, lines';

/**
 * Claims the first batch not written yet, locked until the transaction ends: one that no other runner holds if
 * there is one, else waits for a held one (it comes back if its runner rolled back, not if it committed it).
 * Undefined when every batch is written.
 */
export async function claimBatch(tx: Tx, importId: string): Promise<ImportBatch | undefined> {
  const claim = (wait: boolean) => tx.raw(`SELECT ${BATCH_COLUMNS} FROM import_batches WHERE import_id = ? AND written_at IS NULL
    ORDER BY batch_number LIMIT 1 FOR UPDATE${wait ? '' : ' SKIP LOCKED'}`, [importId]);
  const { rows: [free] } = await claim(false);
  return free ?? (await claim(true)).rows[0];
}

/** Valid lines not yet written: those of the batches not written, or all of them before the run is planned. */
export async function remainingValidLines(tx: Tx, record: Pick<ImportRecord, 'import_id' | 'processed_through_line'>): Promise<number> {
  const { rows: [batches] } = await tx.raw(`SELECT count(*)::int AS planned, coalesce(sum(lines) FILTER (WHERE written_at IS NULL), 0)::int AS lines
    FROM import_batches WHERE import_id = ?`, [record.import_id]);
  if (batches.planned > 0) return batches.lines as number;
  const row = await tx('import_rows').count({ n: '*' }).where({ import_id: record.import_id })
    .where('line_number', '>', record.processed_through_line).whereNull('errors').first();
  return Number(row?.n ?? 0);
}

export interface StagedLine {
  line_number: number;
  values: Record<string, unknown>;
}

/** The valid lines of a batch, in file order. */
export async function batchLines(tx: Tx, batch: ImportBatch): Promise<StagedLine[]> {
  return tx('import_rows').select('line_number', 'values').where({ import_id: batch.importId })
    .where('line_number', '>', batch.after).where('line_number', '<=', batch.through).whereNull('errors').orderBy('line_number');
}

/** A line the writer refused after staging (its customer is missing, say): it joins the rejected rows. */
export async function rejectLine(tx: Tx, importId: string, line: number, errors: RowError[]): Promise<void> {
  await tx('import_rows').update({ outcome: 'rejected', errors: JSON.stringify(errors) })
    .where({ import_id: importId, line_number: line });
}

export async function rejectedLines(tx: Tx, importId: string, after: number, limit: number): Promise<{ line_number: number; errors: RowError[] }[]> {
  return tx('import_rows').select('line_number', 'errors').where({ import_id: importId })
    .whereNotNull('errors').where('line_number', '>', after).orderBy('line_number').limit(limit);
}

export const NO_SUCH_CUSTOMER: RowError = { column: 'customer_id', message: "no such customer in the agent's book" };

/**
 * A dry run's policy lines whose customer is not in the target book (and whose policy number is not taken, which
 * the write would skip) are refused here as the write would refuse them, so the report counts them as rejected.
 */
export async function refuseLinesWithoutCustomer(tx: Tx, importId: string, agentId: string): Promise<{ line_number: number; policy_number: string }[]> {
  const result = await tx.raw(`
    UPDATE import_rows r SET raw = r.values, values = NULL, errors = ?::jsonb
     WHERE r.import_id = ? AND r.errors IS NULL
       AND NOT EXISTS (SELECT 1 FROM policyholders p WHERE p.customer_id = r.values->>'customer_id' AND p.agent_id = ?)
       AND NOT EXISTS (SELECT 1 FROM policies q WHERE q.policy_number = r.values->>'policy_number')
    RETURNING r.line_number, r.raw->>'policy_number' AS policy_number`, [JSON.stringify([NO_SUCH_CUSTOMER]), importId, agentId]);
  return result.rows as { line_number: number; policy_number: string }[];
}
