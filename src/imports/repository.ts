import type { Tx } from '../db/scope.js';
import type { ImportKind, RowError } from '../../schemas/imports.js';
import type { CheckedLine } from './rows.js';
import type { StagedRange } from './writer.js';

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

/** Adds a batch's outcome to the counters and moves the resume point, in the batch's own transaction. */
export async function recordBatch(tx: Tx, importId: string, batch: { through: number; processed: number; created: number; updated: number; skipped: number; rejected: number }): Promise<void> {
  await tx.raw(`
    UPDATE data_imports SET processed_through_line = :through, processed_rows = processed_rows + :processed,
      created_rows = created_rows + :created, updated_rows = updated_rows + :updated, skipped_rows = skipped_rows + :skipped,
      valid_rows = valid_rows - :rejected, invalid_rows = invalid_rows + :rejected, updated_at = now()
    WHERE import_id = :importId`, { ...batch, importId });
}

export interface StagedLine {
  line_number: number;
  values: Record<string, unknown>;
}

/** The next valid lines after the resume point, in file order. */
export async function nextValidLines(tx: Tx, importId: string, after: number, limit: number): Promise<StagedLine[]> {
  return tx('import_rows').select('line_number', 'values').where({ import_id: importId })
    .where('line_number', '>', after).whereNull('errors').orderBy('line_number').limit(limit);
}

/** The next batch of valid lines after the resume point (at most `limit`), as a range of line numbers. */
export async function nextBatchRange(tx: Tx, importId: string, after: number, limit: number): Promise<StagedRange | undefined> {
  const { rows: [batch] } = await tx.raw(`
    SELECT count(*)::int AS lines, max(line_number) AS through
      FROM (SELECT line_number FROM import_rows WHERE import_id = :importId AND line_number > :after AND errors IS NULL
             ORDER BY line_number LIMIT :limit) b`, { importId, after, limit });
  return batch?.lines ? { importId, after, through: batch.through as number, lines: batch.lines as number } : undefined;
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
