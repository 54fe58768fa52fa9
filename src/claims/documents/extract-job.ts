import { z } from 'zod';
import type { DocumentMediaType } from '../../../schemas/claim-documents.js';
import { ClaimDocumentsInput } from '../../../schemas/claims.js';
import { defineJob } from '../../jobs/definition.js';
import { recordingFailure } from '../../jobs/failures.js';
import { decideWithPaperwork } from '../paperwork-service.js';
import { pathOfKey } from './files.js';
import { EXTRACT_QUEUE, findDocumentById, recordExtraction } from './repository.js';

// Reading a document (OCR) as a durable job: the upload queues it through the outbox in its own transaction, so a
// slow or failing extraction service never holds a request or its connection. The job reads the file with
// deps.documentExtractor outside any transaction, then stores what was read (status 'processed') and, if the claim
// was submitted without documents, decides it once a prescription and a bill have been read. A throwing extractor
// is retried with backoff (30 s, doubling); after the last retry the document is 'failed'. Output that is not in the
// shape of a claim's `documents` is 'failed' at once (retrying would read the same).

export const EXTRACT_RETRIES = 4;

export const extractDocumentJob = defineJob({
  queue: EXTRACT_QUEUE,
  payload: z.object({ document_id: z.uuid() }),
  retryLimit: EXTRACT_RETRIES,
  retryDelaySeconds: 30,
  expireInSeconds: 600,
  async run(ctx) {
    const id = ctx.data.document_id;
    const document = await ctx.inTenant(({ tx }) => findDocumentById(tx, id));
    if (!document || document.status === 'processed' || document.status === 'failed') return { skipped: true };
    const data = await recordingFailure(ctx, EXTRACT_RETRIES, () => ctx.deps.documentExtractor.extract({ document_id: id,
      claim_id: document.claim_id, document_type: document.document_type, media_type: document.media_type as DocumentMediaType,
      path: pathOfKey(ctx.deps.config.documents.dir, document.storage_key) }),
    async ({ last }) => (last ? ctx.inTenant(({ tx }) => recordExtraction(tx, id, 'failed', null)) : undefined));
    if (data === null) return { read: false };
    const read = ClaimDocumentsInput.safeParse(data);
    if (!read.success) {
      ctx.log.warn({ document_id: id, issues: read.error.issues.slice(0, 5) }, 'extracted data is not in the shape of claim documents');
      await ctx.inTenant(({ tx }) => recordExtraction(tx, id, 'failed', null));
      return { read: false, invalid: true };
    }
    const claim = await ctx.inTenant(async ({ tx }) => {
      await recordExtraction(tx, id, 'processed', read.data);
      return decideWithPaperwork(tx, document.claim_id);
    });
    return { read: true, claim };
  },
});
