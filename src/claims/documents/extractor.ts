import type { DocumentMediaType, DocumentUploadFields } from '../../../schemas/claim-documents.js';

// The seam for an OCR / extraction service. After a document is kept, the upload hands it to the extractor; what it
// returns is stored on the document (extracted_data, status 'processed') in the shape of the claim's `documents`
// (prescription fields, bill items; see POST /claims), so a claim's documents can come from the paperwork instead of
// the request. The local default reads nothing: documents stay 'stored' and the claim's `documents` come from the
// request, as before.

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
  /** null: nothing read (the document stays 'stored'). Throwing marks the document 'failed'; the upload still succeeds. */
  extract(document: DocumentToExtract): Promise<ExtractedData | null>;
}

/** The local default: no extraction service. */
export const noExtraction: DocumentExtractor = {
  extract: async () => null,
};
