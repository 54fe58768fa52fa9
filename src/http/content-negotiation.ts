import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import { sendProblem } from './problem.js';

// ASVS V13.1.5: a request whose body is not of a type its endpoint reads is refused with 415, one that will not
// accept JSON with 406, before anything reads it (a form or text body would otherwise reach validation as "no body
// at all"). JSON everywhere, multipart/form-data only where an endpoint takes an upload.

export const JSON_BODY_TYPES = ['application/json', 'application/*+json'];
export const MULTIPART_BODY_TYPES = ['multipart/form-data'];

function hasBody(headers: { 'content-length'?: string; 'transfer-encoding'?: string }): boolean {
  return headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? '0') > 0;
}

/** 415 unless the body, when there is one, is of a type the endpoint reads. Mounted per route, before its handler. */
export function requireBodyType(types: readonly string[], expected: string): RequestHandler {
  return (req, res, next) => {
    if (hasBody(req.headers) && !req.is([...types])) {
      return sendProblem(res, {
        type: 'https://agentmitra.in/problems/415', title: 'Unsupported media type', status: 415,
        code: 'request.unsupported_media_type', detail: `The request body must be ${expected}.`, instance: req.originalUrl,
      });
    }
    next();
  };
}

/** 406 when the client will not take JSON (nor problem+json) back. */
export const negotiateJson: RequestHandler = (req, res, next) => {
  if (req.headers.accept !== undefined && !req.accepts(['application/json', 'application/problem+json'])) {
    return sendProblem(res, {
      type: 'https://agentmitra.in/problems/406', title: 'Not acceptable', status: 406, code: 'request.not_acceptable',
      detail: 'This API answers in application/json (problems in application/problem+json) only.', instance: req.originalUrl,
    });
  }
  next();
};

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The error type body-parser passes on when requireUtf8 refuses a body (answered 400 in problem.ts). */
export const INVALID_UTF8 = 'encoding.invalid_utf8';

/**
 * express.json's verify: a UTF-8 body must be UTF-8 (RFC 8259 §8.1). The parser's decoder would turn each bad byte
 * into U+FFFD, which a field would then store as if the client had sent it.
 */
export function requireUtf8(_req: IncomingMessage, _res: ServerResponse, body: Buffer, encoding: string): void {
  if (encoding !== 'utf-8') return;
  try {
    UTF8.decode(body);
  } catch {
    throw Object.assign(new Error('The request body is not valid UTF-8.'), { status: 400, type: INVALID_UTF8 });
  }
}
