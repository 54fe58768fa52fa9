import busboy from 'busboy';
import type { Request } from 'express';
import { ImportForm } from '../../schemas/imports.js';
import { PayloadTooLargeError, ValidationError } from '../errors.js';
import type { Upload } from '../http/endpoint.js';
import { issuesToFieldErrors } from '../http/validate.js';

// Reads a multipart/form-data upload (one `file`, a few text fields) into memory with busboy: it streams the parts
// and enforces size and count limits while reading, with no temporary files to clean up afterwards.

export const MAX_IMPORT_BYTES = 50 * 1024 * 1024;

interface RawUpload {
  readonly fileName: string;
  readonly contentType: string;
  readonly content: Buffer;
  readonly fields: Record<string, string>;
}

/** The file (held in memory: staging reads it whole) and the checked form fields. Nothing is left on disk. */
export interface ImportFileUpload extends Upload {
  readonly fileName: string;
  readonly contentType: string;
  readonly content: Buffer;
  readonly form: ImportForm;
}

/** Receives the upload for uploadEndpoint: the file and the form fields, checked before any transaction opens. */
export async function receiveImportUpload(req: Request): Promise<ImportFileUpload> {
  const { fields, ...file } = await readUpload(req);
  const form = ImportForm.safeParse(fields);
  if (!form.success) throw new ValidationError(issuesToFieldErrors(form.error.issues, 'body'));
  return { ...file, form: form.data, discard: () => Promise.resolve() };
}

function uploadError(message: string): ValidationError {
  return new ValidationError([{ path: 'body.file', message }], 'The upload cannot be read.', { code: 'import.file_required' });
}

/** 413, as for any other body too large: the file is well-formed, only bigger than an import takes. */
function tooLarge(): PayloadTooLargeError {
  return new PayloadTooLargeError(`The file is larger than the ${MAX_IMPORT_BYTES / 1024 / 1024} MB an import takes.`,
    { code: 'import.file_too_large' });
}

function readUpload(req: Request): Promise<RawUpload> {
  if (!req.is('multipart/form-data')) {
    return Promise.reject(uploadError('must be sent as multipart/form-data with a file field named file'));
  }
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { fileSize: MAX_IMPORT_BYTES, files: 1, fields: 10, fieldSize: 1024, parts: 12 } });
    } catch (error) {
      reject(uploadError(`is not a readable multipart body (${error instanceof Error ? error.message : String(error)})`));
      return;
    }
    const fields: Record<string, string> = {};
    let file: Omit<RawUpload, 'fields'> | undefined;
    let failure: Error | undefined;
    parser.on('field', (name, value) => { fields[name] = value; });
    parser.on('file', (name, stream, info) => {
      if (name !== 'file') {
        stream.resume();
        return;
      }
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('limit', () => { failure = tooLarge(); });
      stream.on('close', () => {
        file = { fileName: info.filename || 'upload', contentType: info.mimeType, content: Buffer.concat(chunks) };
      });
    });
    parser.on('error', (error: Error) => reject(uploadError(`is not a readable multipart body (${error.message})`)));
    parser.on('close', () => {
      if (failure) reject(failure);
      else if (!file || file.content.length === 0) reject(uploadError('is required (a non-empty CSV or XLSX file in the field file)'));
      else resolve({ ...file, fields });
    });
    req.pipe(parser);
  });
}
