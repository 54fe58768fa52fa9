import type { Tx } from '../../db/scope.js';
import { paginate, type Page } from '../../db/pagination.js';
import { openDocumentRows, sealExtraction, SEALED_DOCUMENT_COLUMNS } from '../../data-protection/encryption/document-fields.js';

// claim_documents rows (book RLS: the caller sees the documents of the policyholders it sees).

/** The job that reads an uploaded document (src/claims/documents/extract-job.ts). */
export const EXTRACT_QUEUE = 'claims.extract_document';

export interface DocumentRow {
  readonly document_id: string;
  readonly claim_id: string;
  readonly document_type: 'bill' | 'prescription' | 'test_report' | 'other';
  readonly media_type: string;
  readonly size_bytes: number;
  readonly sha256: string;
  readonly storage_key: string;
  readonly original_name: string | null;
  readonly status: 'stored' | 'processing' | 'processed' | 'failed';
  readonly extracted_data: Record<string, unknown> | null;
  readonly created_by: string | null;
  readonly created_at: Date;
}

const COLUMNS = ['document_id', 'claim_id', 'document_type', 'media_type', 'size_bytes', 'sha256', 'storage_key', 'original_name', 'status',
  'extracted_data', ...SEALED_DOCUMENT_COLUMNS, 'created_by', 'created_at'];

export interface NewDocument {
  readonly document_id: string;
  readonly agent_id: string;
  readonly agent_order: number;
  readonly policyholder_id: string;
  readonly claim_id: string;
  readonly document_type: string;
  readonly media_type: string;
  readonly size_bytes: number;
  readonly sha256: string;
  readonly storage_key: string;
  readonly original_name: string | null;
  readonly stored_file_id: string;
  readonly created_by: string | null;
}

export async function insertDocument(tx: Tx, document: NewDocument): Promise<void> {
  await tx('claim_documents').insert(document);
}

// What was read off a document is stored sealed (health data) and answered opened.
export async function listDocuments(tx: Tx, claimId: string): Promise<DocumentRow[]> {
  return openDocumentRows(tx, await tx('claim_documents').select(COLUMNS).where({ claim_id: claimId })
    .orderBy([{ column: 'created_at' }, { column: 'document_id' }]) as DocumentRow[]);
}

/** One page of a claim's documents, oldest first (GET /claims/{id}/documents). */
export async function listDocumentPage(tx: Tx, claimId: string, page: { limit: number; cursor?: string | undefined }): Promise<Page<DocumentRow>> {
  const found = await paginate<DocumentRow>(tx('claim_documents').select(COLUMNS).where({ claim_id: claimId }), 'document_id', page);
  return { ...found, data: await openDocumentRows(tx, found.data) };
}

async function openedOne(tx: Tx, row: DocumentRow | undefined): Promise<DocumentRow | undefined> {
  return row && (await openDocumentRows(tx, [row]))[0];
}

export async function findDocument(tx: Tx, claimId: string, documentId: string): Promise<DocumentRow | undefined> {
  return openedOne(tx, await tx('claim_documents').first(COLUMNS).where({ claim_id: claimId, document_id: documentId }));
}

export async function findDocumentById(tx: Tx, documentId: string): Promise<DocumentRow | undefined> {
  return openedOne(tx, await tx('claim_documents').first(COLUMNS).where({ document_id: documentId }));
}

export async function recordExtraction(tx: Tx, documentId: string, status: 'processed' | 'failed', data: Record<string, unknown> | null): Promise<void> {
  await tx('claim_documents').where({ document_id: documentId })
    .update({ status, ...(await sealExtraction(tx, documentId, data)), updated_at: tx.fn.now() });
}

/** Deletes the row (RLS: only one the caller sees); the stored file it held, for releasing. */
export async function deleteDocumentRow(tx: Tx, documentId: string): Promise<string> {
  const [row] = await tx('claim_documents').where({ document_id: documentId }).delete().returning('stored_file_id') as { stored_file_id: string }[];
  if (!row) throw new Error(`claim document ${documentId} vanished while being deleted`);
  return row.stored_file_id;
}
