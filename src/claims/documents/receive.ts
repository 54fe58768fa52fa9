import crypto from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import type { Request } from 'express';
import { DocumentUploadFields, type DocumentMediaType } from '../../../schemas/claim-documents.js';
import type { Config } from '../../config.js';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError, BusinessRuleError, type FieldError } from '../../errors.js';
import type { Upload } from '../../http/endpoint.js';
import { issuesToFieldErrors } from '../../http/validate.js';
import { incomingDir, removeFile } from './files.js';
import { SNIFF_BYTES, sniffMediaType } from './sniff.js';

// Receiving an upload with busboy: the one file part is streamed to a temporary file under a made-up name while its
// SHA-256 and size are counted and its first bytes kept for sniffing; past DOCUMENT_MAX_BYTES it is cut off (busboy
// stops one byte beyond, so that a file of exactly the limit is told from a longer one) and refused. Text fields are validated like a JSON body. Nothing of the client's (name, Content-Type) decides a path
// or a type.

export const FILE_FIELD = 'file';
/** Room for the form's boundaries and text fields on top of the file itself. */
const FORM_OVERHEAD_BYTES = 64 * 1024;

export class ReceivedDocument implements Upload {
  /** Set once the handler has kept the file under its final name. */
  keptAt: string | undefined;

  constructor(readonly fields: DocumentUploadFields, readonly tempPath: string, readonly mediaType: DocumentMediaType,
    readonly sizeBytes: number, readonly sha256: string, readonly originalName: string | null) {}

  async discard(committed: boolean): Promise<void> {
    await removeFile(this.tempPath);
    if (!committed && this.keptAt) await removeFile(this.keptAt);
  }
}

interface FilePart { tempPath: string; size: number; head: Buffer; sha256: string; truncated: boolean; originalName: string | null }

/** A client's file name kept for display only: its last path segment, without control characters, at most 255 long. */
export function displayName(name: string | undefined): string | null {
  const base = (name ?? '').split(/[/\\]/).pop() ?? '';
  const clean = [...base].filter((char) => char >= ' ' && char !== '\u007f').join('').trim().slice(0, 255);
  return clean || null;
}

export async function receiveDocument(req: Request, config: Pick<Config, 'documents'>): Promise<ReceivedDocument> {
  const { dir, maxBytes } = config.documents;
  if (!req.is('multipart/form-data')) {
    throw new UnsupportedMediaTypeError(`Send the document as multipart/form-data with the fields document_type and ${FILE_FIELD}.`);
  }
  if (Number(req.get('content-length') ?? 0) > maxBytes + FORM_OVERHEAD_BYTES) throw tooLarge(maxBytes);
  await mkdir(incomingDir(dir), { recursive: true });
  const { fields, file, problems } = await parseForm(req, incomingDir(dir), maxBytes);
  try {
    return checked(fields, file, problems, maxBytes);
  } catch (error) {
    if (file) await removeFile(file.tempPath);
    throw error;
  }
}

function checked(fields: Record<string, string>, file: FilePart | undefined, problems: FieldError[], maxBytes: number): ReceivedDocument {
  if (file && (file.truncated || file.size > maxBytes)) throw tooLarge(maxBytes);
  const errors = [...problems];
  const parsed = DocumentUploadFields.safeParse(fields);
  if (!parsed.success) errors.push(...issuesToFieldErrors(parsed.error.issues, 'body'));
  if (!file) errors.push({ path: `body.${FILE_FIELD}`, message: 'is required: one file part named file' });
  else if (file.size === 0) errors.push({ path: `body.${FILE_FIELD}`, message: 'is empty' });
  if (errors.length || !parsed.success || !file) throw new ValidationError(errors);
  const mediaType = sniffMediaType(file.head);
  if (!mediaType) {
    throw new BusinessRuleError('The file is not a PDF, JPEG, PNG or WebP (judged by its contents, not its name or Content-Type).',
      [{ path: `body.${FILE_FIELD}`, message: 'must be a PDF, JPEG, PNG or WebP' }], { code: 'claims.document_type_unsupported' });
  }
  return new ReceivedDocument(parsed.data, file.tempPath, mediaType, file.size, file.sha256, file.originalName);
}

function tooLarge(maxBytes: number): PayloadTooLargeError {
  return new PayloadTooLargeError(`The file is larger than the ${maxBytes} bytes a document may have.`, { code: 'claims.document_too_large' });
}

const malformedForm = () => new ValidationError([{ path: 'body', message: 'is not a well-formed multipart/form-data body' }]);

/** Reads the whole form; resolves once the file (if any) is on disk. A malformed form is a 400 with the temp file gone. */
function parseForm(req: Request, into: string, maxBytes: number)
  : Promise<{ fields: Record<string, string>; file: FilePart | undefined; problems: FieldError[] }> {
  return new Promise((resolve, reject) => {
    const fields: Record<string, string> = {};
    const problems: FieldError[] = [];
    let file: FilePart | undefined;
    let written: Promise<void> = Promise.resolve();
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { files: 1, fields: 10, parts: 12, fileSize: maxBytes + 1, fieldSize: 1024, headerPairs: 20 } });
    } catch {
      reject(new ValidationError([{ path: 'body', message: 'is not a multipart/form-data body with a boundary' }]));
      return;
    }
    // A broken form or a client gone mid-upload: destroying the parser ends the file part, so its write settles.
    const fail = (error: unknown) => {
      req.unpipe(parser);
      parser.destroy();
      void written.catch(() => undefined).then(() => (file ? removeFile(file.tempPath) : undefined)).then(() => reject(error));
    };
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) problems.push({ path: `body.${displayName(name) ?? 'field'}`, message: 'is too long' });
      else fields[name] = value;
    });
    parser.on('file', (name, stream, info) => {
      if (name !== FILE_FIELD || file) {
        problems.push({ path: `body.${displayName(name) ?? 'file'}`, message: `send exactly one file, in the part named ${FILE_FIELD}` });
        stream.resume();
        return;
      }
      const part: FilePart = { tempPath: path.join(into, crypto.randomUUID()), size: 0, head: Buffer.alloc(0), sha256: '', truncated: false,
        originalName: displayName(info.filename) };
      file = part;
      const hash = crypto.createHash('sha256');
      stream.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        part.size += chunk.length;
        if (part.head.length < SNIFF_BYTES) part.head = Buffer.concat([part.head, chunk.subarray(0, SNIFF_BYTES - part.head.length)]);
      });
      stream.on('limit', () => { part.truncated = true; });
      // A part cut short is the form's fault (400), whichever of the parser's and the part's errors comes first;
      // a failing disk stays a 500.
      let partBroke = false;
      stream.on('error', () => { partBroke = true; });
      written = pipeline(stream, createWriteStream(part.tempPath, { flags: 'wx' })).then(() => { part.sha256 = hash.digest('hex'); },
        (error: unknown) => { throw partBroke ? malformedForm() : error; });
    });
    for (const limit of ['partsLimit', 'filesLimit', 'fieldsLimit'] as const) {
      parser.on(limit, () => problems.push({ path: 'body', message: 'has too many parts (document_type and one file)' }));
    }
    parser.on('error', () => fail(malformedForm()));
    parser.on('close', () => {
      written.then(() => resolve({ fields, file, problems }), fail);
    });
    req.on('error', fail);
    req.pipe(parser);
  });
}
