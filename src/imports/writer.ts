import type { RowError } from '../../schemas/imports.js';
import type { Scope } from '../scope/run.js';
import { writeCustomers } from './customer-writer.js';
import { writePolicies } from './policy-writer.js';
import { findImport, nextValidLines, recordBatch, rejectLine, type ImportRecord } from './repository.js';

// One batch of a real run, in one transaction: the next valid staged lines after the resume point are written, each
// line's outcome is recorded, and the resume point moves, all committed together. A run cut short resumes after
// the last committed batch, and a re-run of the same file matches on customer id / policy number.

export interface BatchOutcome {
  created: number[];
  updated: number[];
  skipped: number[];
  rejected: { line: number; errors: RowError[] }[];
}

export const BATCH_SIZE = { customers: 5000, policies: 500 } as const;

/** Writes the next batch; false when there was nothing left. */
export async function writeNextBatch({ tx, actor }: Scope, record: ImportRecord): Promise<boolean> {
  // The import row is locked for the batch: two runners of one import (a retry beside a slow first run, the CLI
  // beside a worker) take turns, each from the resume point the other committed.
  const current = await findImport(tx, record.import_id, { forUpdate: true });
  if (!current) return false;
  record.processed_through_line = current.processed_through_line;
  const lines = await nextValidLines(tx, record.import_id, record.processed_through_line, BATCH_SIZE[record.kind]);
  if (!lines.length) return false;
  const book = { importId: record.import_id, agentId: record.agent_id, agentOrder: record.agent_order };
  const outcome = record.kind === 'customers' ? await writeCustomers(tx, book, lines) : await writePolicies(tx, actor, book, lines);
  // Only rejections are recorded per line: marking every written line rewrote each staged row (jsonb and all)
  // and cost about as much as the write itself; the counts say how many were created, updated or skipped.
  for (const { line, errors } of outcome.rejected) await rejectLine(tx, record.import_id, line, errors);
  const through = lines[lines.length - 1]?.line_number ?? record.processed_through_line;
  await recordBatch(tx, record.import_id, {
    through, processed: lines.length, created: outcome.created.length, updated: outcome.updated.length,
    skipped: outcome.skipped.length, rejected: outcome.rejected.length,
  });
  record.processed_through_line = through;
  return true;
}
