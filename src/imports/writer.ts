import type { RowError } from '../../schemas/imports.js';
import type { Scope } from '../scope/run.js';
import { writeCustomers } from './customer-writer.js';
import { writePolicies } from './policy-writer.js';
import { findImport, nextBatchRange, nextValidLines, recordBatch, rejectLine, type ImportRecord } from './repository.js';

// One batch of a real run, in one transaction: the next valid staged lines after the resume point are written, the
// refused ones recorded, and the resume point moves, all committed together. A run cut short resumes after the last
// committed batch, and a re-run of the same file matches on customer id / policy number.

export interface BatchCounts {
  created: number;
  updated: number;
  skipped: number;
  rejected: number;
}

/** The policy writer's answer, line by line (its refusals carry the policy service's own reasons). */
export interface BatchOutcome {
  created: number[];
  updated: number[];
  skipped: number[];
  rejected: { line: number; errors: RowError[] }[];
}

/** A batch of staged lines: the valid ones with after < line_number <= through (`lines` of them). */
export interface StagedRange {
  importId: string;
  after: number;
  through: number;
  lines: number;
}

export const BATCH_SIZE = { customers: 10_000, policies: 500 } as const;

async function writePolicyBatch({ tx, actor }: Scope, record: ImportRecord): Promise<StagedRange & BatchCounts | undefined> {
  const lines = await nextValidLines(tx, record.import_id, record.processed_through_line, BATCH_SIZE.policies);
  if (!lines.length) return undefined;
  const outcome = await writePolicies(tx, actor, { agentId: record.agent_id }, lines);
  for (const { line, errors } of outcome.rejected) await rejectLine(tx, record.import_id, line, errors);
  return {
    importId: record.import_id, after: record.processed_through_line, through: lines[lines.length - 1]?.line_number ?? record.processed_through_line,
    lines: lines.length, created: outcome.created.length, updated: outcome.updated.length, skipped: outcome.skipped.length,
    rejected: outcome.rejected.length,
  };
}

async function writeCustomerBatch({ tx }: Scope, record: ImportRecord): Promise<StagedRange & BatchCounts | undefined> {
  const range = await nextBatchRange(tx, record.import_id, record.processed_through_line, BATCH_SIZE.customers);
  if (!range) return undefined;
  return { ...range, ...await writeCustomers(tx, { agentId: record.agent_id, agentOrder: record.agent_order }, range) };
}

/** Writes the next batch; false when there was nothing left. */
export async function writeNextBatch(scope: Scope, record: ImportRecord): Promise<boolean> {
  // The import row is locked for the batch: two runners of one import (a retry beside a slow first run, the CLI
  // beside a worker) take turns, each from the resume point the other committed.
  const current = await findImport(scope.tx, record.import_id, { forUpdate: true });
  if (!current) return false;
  record.processed_through_line = current.processed_through_line;
  const batch = record.kind === 'customers' ? await writeCustomerBatch(scope, record) : await writePolicyBatch(scope, record);
  if (!batch) return false;
  // Only rejections are recorded per line: marking every written line rewrote each staged row (jsonb and all)
  // and cost about as much as the write itself; the counts say how many were created, updated or skipped.
  await recordBatch(scope.tx, record.import_id, {
    through: batch.through, processed: batch.lines, created: batch.created, updated: batch.updated,
    skipped: batch.skipped, rejected: batch.rejected,
  });
  record.processed_through_line = batch.through;
  return true;
}
