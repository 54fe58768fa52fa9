import { z } from 'zod';
import type { Tx } from '../../db/scope.js';
import { defineJob } from '../../jobs/definition.js';
import type { Scope } from '../../scope/run.js';
import { resealClaims } from './claim-fields.js';
import { resealDependents } from './dependent-fields.js';
import { resealDocuments } from './document-fields.js';
import { resealReviews } from './review-fields.js';
import { dataKeyring } from './keyring.js';
import { openPolicyholderFields, sealPolicyholderFields, type SealedPolicyholderColumns } from './policyholder-fields.js';
import { rowsToReseal, writeResealed } from './repository.js';

// Key rotation without downtime: a new data key version is current at once (new writes use it), old versions
// still open what they sealed, and this job re-seals older rows in batches, one transaction each, until none is left.

export const REENCRYPT_QUEUE = 'data-protection.reencrypt';
const BATCH = 200;

/** Re-seals one batch with the current key; the number of rows re-sealed (0: done). */
export async function resealBatch(tx: Tx, batchSize = BATCH): Promise<number> {
  const keys = await dataKeyring().keys(tx, null);
  const rows = await rowsToReseal<SealedPolicyholderColumns>(tx, keys.current.version, batchSize);
  for (const row of rows) {
    const values = openPolicyholderFields(keys, row);
    await writeResealed(tx, row.policyholder_id, await sealPolicyholderFields(tx, null, row.policyholder_id, values));
  }
  // Then claims (their health data), in what is left of the batch.
  const claims = rows.length < batchSize ? await resealClaims(tx, keys.current.version, batchSize - rows.length) : 0;
  let done = rows.length + claims;
  // Then the other tables holding health data, each in what is left of the batch.
  for (const reseal of [resealDependents, resealDocuments, resealReviews]) {
    if (done < batchSize) done += await reseal(tx, keys.current.version, batchSize - done);
  }
  return done;
}

/** Batches until no row is left on an older key; shared by the job and tests. */
export async function reencryptTenant(inTenant: <T>(work: (scope: Scope) => Promise<T>) => Promise<T>,
  options: { signal?: AbortSignal; batchSize?: number } = {}): Promise<number> {
  let total = 0;
  for (;;) {
    if (options.signal?.aborted) throw new Error('re-encryption interrupted; a retry resumes where it stopped');
    const done = await inTenant(({ tx }) => resealBatch(tx, options.batchSize));
    if (!done) return total;
    total += done;
  }
}

export const reencryptJob = defineJob({
  queue: REENCRYPT_QUEUE,
  payload: z.object({ key_version: z.number().int().positive() }),
  policy: 'singleton',
  expireInSeconds: 3600,
  async run(ctx) {
    const resealed = await reencryptTenant((work) => ctx.inTenant(work), { signal: ctx.signal });
    ctx.log.info({ key_version: ctx.data.key_version, resealed }, 're-encryption finished');
    return { resealed };
  },
});
