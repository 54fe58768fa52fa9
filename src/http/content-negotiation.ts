import type { RequestHandler } from 'express';
import { sendProblem } from './problem.js';

// ASVS V13.1.5: a request whose body is not JSON is refused with 415, one that will not accept JSON with 406,
// before anything reads it (a form or text body would otherwise reach validation as "no body at all").

const JSON_TYPES = ['application/json', 'application/*+json'];

function hasBody(headers: { 'content-length'?: string; 'transfer-encoding'?: string }): boolean {
  return headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? '0') > 0;
}

export const negotiateJson: RequestHandler = (req, res, next) => {
  if (hasBody(req.headers) && !req.is(JSON_TYPES)) {
    return sendProblem(res, {
      type: 'https://agentmitra.in/problems/415', title: 'Unsupported media type', status: 415,
      code: 'request.unsupported_media_type', detail: 'The request body must be application/json.', instance: req.originalUrl,
    });
  }
  if (req.headers.accept !== undefined && !req.accepts(['application/json', 'application/problem+json'])) {
    return sendProblem(res, {
      type: 'https://agentmitra.in/problems/406', title: 'Not acceptable', status: 406, code: 'request.not_acceptable',
      detail: 'This API answers in application/json (problems in application/problem+json) only.', instance: req.originalUrl,
    });
  }
  next();
};
