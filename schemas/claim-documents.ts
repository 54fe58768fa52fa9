import { z } from 'zod';
import { page, Uuid } from './common.js';
import { ClaimIdParams } from './claims.js';

// Claim documents: the paperwork of a claim (bill, prescription, test report) as uploaded files. The file's type is
// read from its bytes; what the client calls it is kept only as a name to show.

export const DOCUMENT_TYPES = ['bill', 'prescription', 'test_report', 'other'] as const;
export const DOCUMENT_MEDIA_TYPES = ['application/pdf', 'image/jpeg', 'image/png', 'image/webp'] as const;
export type DocumentMediaType = (typeof DOCUMENT_MEDIA_TYPES)[number];

/** The form fields of an upload, besides the file itself. */
export const DocumentUploadFields = z.object({
  document_type: z.enum(DOCUMENT_TYPES).describe('What the file is: bill, prescription, test_report or other'),
}).strict();
export type DocumentUploadFields = z.infer<typeof DocumentUploadFields>;

export const DocumentParams = ClaimIdParams.extend({ document_id: Uuid });

export const DocumentRecord = z.object({
  document_id: Uuid,
  claim_id: Uuid,
  document_type: z.enum(DOCUMENT_TYPES),
  media_type: z.enum(DOCUMENT_MEDIA_TYPES).describe('Sniffed from the bytes, never taken from the client'),
  size_bytes: z.number().int(),
  sha256: z.string().describe('Hex SHA-256 of the bytes'),
  file_name: z.string().nullable().describe("The client's name for the file, for display only"),
  status: z.enum(['stored', 'processing', 'processed', 'failed']).describe('stored: kept; processed: an extractor read it'),
  extracted_data: z.record(z.string(), z.unknown()).nullable().describe('What an extraction service read off the document'),
  created_by: Uuid.nullable(),
  created_at: z.string().describe('ISO 8601 timestamp with zone'),
});
export type DocumentRecord = z.infer<typeof DocumentRecord>;

export const DocumentList = page(DocumentRecord);
export type DocumentList = z.infer<typeof DocumentList>;
