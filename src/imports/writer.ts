import type { RowError } from '../../schemas/imports.js';
import type { Scope } from '../scope/run.js';
import { writeCustomers } from './customer-writer.js';
import { writePolicies } from './policy-writer.js';
import { batchLines, claimBatch, planBatches, recordBatch, rejectLine, type ImportBatch, type ImportRecord } from './repository.js';

// One batch of a real run, in one transaction: a batch not yet written is claimed (import_batches, locked for the
// transaction), its valid staged lines written, the refused ones recorded, and the batch marked written, all
// committed together. A run cut short resumes with the batches not written, and a re-run of the same file matches
// on customer id / policy number.

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

export const BATCH_SIZE = { customers: 10_000, policies: 500 } as const;

/**
 * Batches written at once by one run: customers on two connections (the database writes one batch while the
 * other commits or waits for its turn on the CPU; measured in README "Throughput"); policies one at a time (each
 * line goes through the policy service, in the order of the file).
 */
export const WRITERS = { customers: 2, policies: 1 } as const;

/** Cuts the import's remaining valid lines into batches, once (see planBatches). */
export function planImportBatches({ tx }: Scope, record: ImportRecord): Promise<void> {
  return planBatches(tx, record, BATCH_SIZE[record.kind]);
}

async function writePolicyBatch({ tx, actor }: Scope, record: ImportRecord, batch: ImportBatch): Promise<BatchCounts> {
  const lines = await batchLines(tx, batch);
  const outcome = await writePolicies(tx, actor, { agentId: record.agent_id }, lines);
  for (const { line, errors } of outcome.rejected) await rejectLine(tx, record.import_id, line, errors);
  return { created: outcome.created.length, updated: outcome.updated.length, skipped: outcome.skipped.length, rejected: outcome.rejected.length };
}

/** Claims and writes the next batch; false when every batch is written. */
export async function writeNextBatch(scope: Scope, record: ImportRecord): Promise<boolean> {
  const batch = await claimBatch(scope.tx, record.import_id);
  if (!batch) return false;
  const counts = record.kind === 'customers'
    ? await writeCustomers(scope.tx, { agentId: record.agent_id, agentOrder: record.agent_order }, batch)
    : await writePolicyBatch(scope, record, batch);
  // Only rejections are recorded per line: marking every written line rewrote each staged row (jsonb and all)
  // and cost about as much as the write itself; the counts say how many were created, updated or skipped.
  await recordBatch(scope.tx, batch, counts);
  return true;
}
