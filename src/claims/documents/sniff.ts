import type { DocumentMediaType } from '../../../schemas/claim-documents.js';

// The type of an uploaded file, read from its first bytes (magic numbers), never from the client's Content-Type or
// file name. Four fixed signatures: no package needed (file-type's current major also asks for Node 22; we run 20).

/** How many leading bytes sniffMediaType needs. */
export const SNIFF_BYTES = 12;

export function sniffMediaType(head: Uint8Array): DocumentMediaType | undefined {
  const bytes = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  const ascii = (start: number, end: number) => bytes.subarray(start, end).toString('latin1');
  if (ascii(0, 5) === '%PDF-') return 'application/pdf';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'image/webp';
  return undefined;
}

export const EXTENSIONS: Record<DocumentMediaType, string> = {
  'application/pdf': 'pdf', 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp',
};
