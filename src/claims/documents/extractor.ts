import type { DocumentMediaType, DocumentUploadFields } from '../../../schemas/claim-documents.js';

// The seam for an OCR / extraction service (deps.documentExtractor). The upload queues the job
// claims.extract_document (extract-job.ts) through the outbox; the job hands the kept file to the extractor and stores
// what it returns on the document (extracted_data, status 'processed'), in the shape of the claim's `documents`
// (`{ prescription: { doctor_name, diagnosis, ..., quality_score } }`, `{ bill: { ... } }`), so a claim submitted
// without documents can be decided from its paperwork. The local default reads nothing: documents stay 'stored'.

export interface DocumentToExtract {
  readonly document_id: string;
  readonly claim_id: string;
  readonly document_type: DocumentUploadFields['document_type'];
  readonly media_type: DocumentMediaType;
  /** The kept file, readable while extract runs. */
  readonly path: string;
}

/** What was read off a document: e.g. `{ prescription: { doctor_name, diagnosis, ... } }` or `{ bill: { ... } }`, with `quality_score`. */
export type ExtractedData = Record<string, unknown>;

export interface DocumentExtractor {
  /** null: nothing read (the document stays 'stored'). Throwing is retried with backoff; after the last retry the document is 'failed'. */
  extract(document: DocumentToExtract): Promise<ExtractedData | null>;
}

/** The local default: no extraction service. */
export const noExtraction: DocumentExtractor = {
  extract: async () => null,
};
