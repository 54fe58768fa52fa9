import { z } from 'zod';
import { defineJob } from '../jobs/definition.js';
import { isLastAttempt } from '../jobs/failures.js';
import type { Scope } from '../scope/run.js';
import { findImport, updateImport, type ImportRecord } from './repository.js';
import { IMPORT_QUEUE } from './service.js';
import { planImportBatches, writeNextBatch, WRITERS } from './writer.js';

// The real run of an import: its valid staged lines cut into batches once, then batches until none is left, each
// its own transaction in the tenant scope as the system actor, two at a time for customers (WRITERS). A retry (after
// a failure or a restart) resumes with the batches not written.

export interface ImportProgress {
  (record: ImportRecord): void;
}

/** Runs an import to the end in `inTenant` transactions; shared by the job and the CLI. */
export async function runImport(inTenant: <T>(work: (scope: Scope) => Promise<T>) => Promise<T>, importId: string,
  options: { signal?: AbortSignal; onBatch?: ImportProgress } = {}): Promise<ImportRecord | undefined> {
  const record = await inTenant(async (scope) => {
    const found = await findImport(scope.tx, importId, { forUpdate: true });
    if (!found || found.dry_run || found.status === 'completed') return undefined;
    await updateImport(scope.tx, importId, { status: 'running', started_at: found.started_at ?? new Date(), last_error: null });
    await planImportBatches(scope, found);
    return found;
  });
  if (!record) return undefined;
  // Each writer claims batches until none is left; a writer's failure stops only that writer, the others finish
  // what they hold, and the run fails with the first error (a retry resumes with the batches not written).
  const writer = async () => {
    while (await inTenant((scope) => writeNextBatch(scope, record))) {
      options.onBatch?.(await inTenant(({ tx }) => findImport(tx, importId)) as ImportRecord);
      if (options.signal?.aborted) throw new Error('import interrupted; it resumes from the last batch');
    }
  };
  const failed = (await Promise.allSettled(Array.from({ length: WRITERS[record.kind] }, writer)))
    .find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failed) {
    const error: unknown = failed.reason;
    await inTenant(({ tx }) => updateImport(tx, importId, { last_error: error instanceof Error ? error.message : String(error) }));
    throw error;
  }
  return inTenant(async ({ tx }) => {
    await updateImport(tx, importId, { status: 'completed', finished_at: new Date() });
    return findImport(tx, importId);
  });
}

const IMPORT_RETRIES = 5;

export const importJob = defineJob({
  queue: IMPORT_QUEUE,
  payload: z.object({ import_id: z.uuid() }),
  retryLimit: IMPORT_RETRIES,
  retryDelaySeconds: 5,
  expireInSeconds: 3600,
  async run(ctx) {
    const done = await runImport((work) => ctx.inTenant(work), ctx.data.import_id, {
      signal: ctx.signal,
      onBatch: (record) => ctx.log.info({ import_id: record.import_id, processed_rows: record.processed_rows }, 'import batch written'),
    }).catch(async (error: unknown) => {
      // The last attempt: the import says so (what was committed stays; a new upload of the file resumes by match key).
      if (isLastAttempt(ctx, IMPORT_RETRIES)) {
        await ctx.inTenant(({ tx }) => updateImport(tx, ctx.data.import_id, { status: 'failed', finished_at: new Date() }));
      }
      throw error;
    });
    return done ? { created: done.created_rows, updated: done.updated_rows, skipped: done.skipped_rows } : { skipped: true };
  },
});
