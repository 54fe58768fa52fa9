import crypto from 'node:crypto';
import { stat } from 'node:fs/promises';
import type { Logger } from 'pino';
import { DOCUMENT_MEDIA_TYPES, type DocumentList, type DocumentMediaType, type DocumentRecord } from '../../../schemas/claim-documents.js';
import type { ListQuery } from '../../../schemas/common.js';
import { authorize } from '../../auth/ability.js';
import { tenantIdOf, type Actor } from '../../auth/actor.js';
import type { Tx } from '../../db/scope.js';
import { ConflictError, NotFoundError } from '../../errors.js';
import { enqueueInTransaction } from '../../jobs/outbox.js';
import { releaseStorage, reserveStorage } from '../../limits/storage.js';
import { bookOwnerOfPolicyholder } from '../../policies/book-owner-repository.js';
import { findClaim, type ClaimRow } from '../claims-repository.js';
import { keepFile, pathOfKey, storageKeyOf } from './files.js';
import type { ReceivedDocument } from './receive.js';
import { deleteDocumentRow, EXTRACT_QUEUE, findDocument, insertDocument, listDocumentPage, type DocumentRow } from './repository.js';
import { EXTENSIONS } from './sniff.js';
import { refuseIfErased } from '../../data-protection/erased.js';

// A claim's documents, in the request's transaction: the claim must be one the caller sees (RLS decides; 404
// otherwise), the bytes count against storage_limit_gb (reserveStorage), and the file is kept under its final name
// before the commit (the endpoint removes it if the transaction fails).

interface DocumentContext {
  readonly tx: Tx;
  readonly actor: Actor;
  readonly log: Logger;
  readonly root: string;
}

async function visibleClaim(tx: Tx, idOrNumber: string): Promise<ClaimRow> {
  const claim = await findClaim(tx, idOrNumber);
  if (!claim) throw new NotFoundError('No such claim.', { code: 'claims.not_found' });
  return claim;
}

function documentView(row: DocumentRow): DocumentRecord {
  return {
    document_id: row.document_id, claim_id: row.claim_id, document_type: row.document_type, media_type: row.media_type as DocumentMediaType,
    size_bytes: Number(row.size_bytes), sha256: row.sha256, file_name: row.original_name, status: row.status,
    extracted_data: row.extracted_data, created_by: row.created_by, created_at: row.created_at.toISOString(),
  };
}

export async function uploadDocument(ctx: DocumentContext, claimIdOrNumber: string, upload: ReceivedDocument): Promise<DocumentRecord> {
  const { tx, actor } = ctx;
  authorize(actor.ability, 'create', 'Claim');
  const claim = await visibleClaim(tx, claimIdOrNumber);
  const owner = await bookOwnerOfPolicyholder(tx, claim.policyholder_id);
  if (!owner || !actor.tenant) throw new NotFoundError('No such claim.', { code: 'claims.not_found' });
  // The erasure deleted the person's files; a new one would hold health data beyond any further erasure.
  refuseIfErased(owner.erased_at);
  const documentId = crypto.randomUUID();
  const key = storageKeyOf(tenantIdOf(actor), documentId);
  const storedFileId = await reserveStorage(tx, actor.tenant, {
    purpose: 'claim_document', file_name: key, content_type: upload.mediaType, byte_size: upload.sizeBytes, created_by: actor.user_id,
  });
  await insertDocument(tx, {
    document_id: documentId, agent_id: owner.agent_id, agent_order: owner.agent_order, policyholder_id: claim.policyholder_id,
    claim_id: claim.claim_id, document_type: upload.fields.document_type, media_type: upload.mediaType, size_bytes: upload.sizeBytes,
    sha256: upload.sha256, storage_key: key, original_name: upload.originalName, stored_file_id: storedFileId, created_by: actor.user_id,
  });
  upload.keptAt = pathOfKey(ctx.root, key);
  await keepFile(upload.tempPath, ctx.root, key);
  // Read later, by the claims.extract_document job: queued with this transaction, so only a kept document is read.
  await enqueueInTransaction(tx, EXTRACT_QUEUE, { document_id: documentId }, { userId: actor.user_id });
  return documentView(await findDocument(tx, claim.claim_id, documentId) as DocumentRow);
}

export async function listClaimDocuments(tx: Tx, actor: Actor, claimIdOrNumber: string, query: ListQuery): Promise<DocumentList> {
  authorize(actor.ability, 'read', 'Claim');
  const claim = await visibleClaim(tx, claimIdOrNumber);
  const page = await listDocumentPage(tx, claim.claim_id, query);
  return { data: page.data.map(documentView), next_cursor: page.next_cursor };
}

export async function documentFile(ctx: DocumentContext, claimIdOrNumber: string, documentId: string)
  : Promise<{ path: string; contentType: string; fileName: string }> {
  authorize(ctx.actor.ability, 'read', 'Claim');
  const claim = await visibleClaim(ctx.tx, claimIdOrNumber);
  const row = await findDocument(ctx.tx, claim.claim_id, documentId);
  if (!row) throw new NotFoundError('No such document of this claim.', { code: 'claims.document_not_found' });
  const file = pathOfKey(ctx.root, row.storage_key);
  if (!(await stat(file).then((info) => info.isFile(), () => false))) {
    ctx.log.error({ document_id: row.document_id, storage_key: row.storage_key }, 'claim document missing from storage');
    throw new NotFoundError("The document's file is missing from storage.", { code: 'claims.document_not_found' });
  }
  const mediaType = DOCUMENT_MEDIA_TYPES.find((type) => type === row.media_type) ?? 'application/octet-stream';
  return { path: file, contentType: mediaType, fileName: downloadName(claim.claim_number, row) };
}

/** While a claim waits for a person or for its paperwork its documents may change; a final decision rests on them. */
const OPEN_STATUSES: readonly string[] = ['in_review', 'awaiting_documents'];

/**
 * Deletes a document of a claim that is not finally decided, releasing its storage (the stored_files row stops
 * counting against storage_limit_gb). Returns the file to remove once the transaction has committed.
 */
export async function deleteDocument(ctx: DocumentContext, claimIdOrNumber: string, documentId: string): Promise<string> {
  authorize(ctx.actor.ability, 'create', 'Claim');
  const claim = await visibleClaim(ctx.tx, claimIdOrNumber);
  const row = await findDocument(ctx.tx, claim.claim_id, documentId);
  if (!row) throw new NotFoundError('No such document of this claim.', { code: 'claims.document_not_found' });
  if (!OPEN_STATUSES.includes(claim.status)) {
    throw new ConflictError(`Claim ${claim.claim_number} is finally decided (${claim.decision}); its documents are kept as the record of that decision.`,
      { code: 'claims.document_locked' });
  }
  const storedFileId = await deleteDocumentRow(ctx.tx, row.document_id);
  await releaseStorage(ctx.tx, storedFileId);
  return pathOfKey(ctx.root, row.storage_key);
}

/** The client's name with the extension of what the file really is, else CLM000001-bill.pdf. */
function downloadName(claimNumber: string, row: DocumentRow): string {
  const extension = EXTENSIONS[row.media_type as DocumentMediaType] ?? 'bin';
  const stem = row.original_name?.replace(/\.[^.]*$/, '').trim();
  return `${stem || `${claimNumber}-${row.document_type}`}.${extension}`;
}
