import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { ForbiddenError as CaslForbiddenError } from '@casl/ability';
import knex from 'knex';
import type { Logger } from 'pino';
import { translatePgError } from '../db/pg-errors.js';
import { INVALID_UTF8 } from './content-negotiation.js';
import type { ErrorCode } from '../../schemas/error-codes.js';
import {
  BusinessRuleError, ConflictError, DomainError, ForbiddenError, LockedError, NotFoundError, PayloadTooLargeError,
  RateLimitedError, UnsupportedMediaTypeError, ServiceUnavailableError, UnauthenticatedError, ValidationError, type FieldError,
} from '../errors.js';

// knex is CommonJS without named exports for ESM: its error class hangs off the default export.
const { KnexTimeoutError } = knex;

// RFC 9457 problem details. Every error a client can cause is mapped here, in one table.

const STATUS: [new (...args: never[]) => DomainError, number, string][] = [
  [ValidationError, 400, 'Invalid request'],
  [UnauthenticatedError, 401, 'Not authenticated'],
  [ForbiddenError, 403, 'Forbidden'],
  [NotFoundError, 404, 'Not found'],
  [ConflictError, 409, 'Conflict'],
  [PayloadTooLargeError, 413, 'Payload too large'],
  [UnsupportedMediaTypeError, 415, 'Unsupported media type'],
  [BusinessRuleError, 422, 'Refused by a business rule'],
  [LockedError, 423, 'Locked'],
  [RateLimitedError, 429, 'Too many requests'],
  [ServiceUnavailableError, 503, 'Service unavailable'],
];

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail: string;
  instance?: string;
  errors?: FieldError[];
}

export function sendProblem(res: Response, problem: Problem, headers: Record<string, string> = {}): void {
  res.status(problem.status).set(headers).type('application/problem+json').send(JSON.stringify(problem));
}

function problemType(status: number): string {
  return `https://agentmitra.in/problems/${status}`;
}

/** Body-parser's errors: too large (413), an unsupported charset or content encoding (415), malformed JSON or UTF-8 (400). */
function bodyParserProblem(error: { type?: string; status?: number }): Problem | undefined {
  if (error.type === 'entity.too.large') {
    return { type: problemType(413), title: 'Payload too large', status: 413, code: 'request.body_too_large', detail: 'The request body is too large.' };
  }
  if (error.type === 'charset.unsupported' || error.type === 'encoding.unsupported') {
    return { type: problemType(415), title: 'Unsupported media type', status: 415, code: 'request.unsupported_media_type',
      detail: error.type === 'charset.unsupported'
        ? 'The request body must be JSON in UTF-8.'
        : 'The request body uses a content encoding this API does not accept.' };
  }
  if (error.type === INVALID_UTF8) {
    return { type: problemType(400), title: 'Invalid request', status: 400, code: 'request.malformed_json',
      detail: 'The request body is not valid UTF-8.', errors: [{ path: 'body', message: 'is not valid UTF-8' }] };
  }
  if (error.type === 'entity.parse.failed') {
    return { type: problemType(400), title: 'Invalid request', status: 400, code: 'request.malformed_json',
      detail: 'The request body is not valid JSON.',
      errors: [{ path: 'body', message: 'malformed JSON' }] };
  }
  return undefined;
}

/** The router's own 400: a path segment whose percent-encoding does not decode (e.g. /users/%E0%A4%A). */
function undecodableParamProblem(error: unknown): Problem | undefined {
  if (!(error instanceof URIError) || (error as URIError & { status?: number }).status !== 400) return undefined;
  return { type: problemType(400), title: 'Invalid request', status: 400, code: 'request.invalid',
    detail: 'The request path is not valid percent-encoding.',
    errors: [{ path: 'params', message: 'is not valid percent-encoding' }] };
}

/**
 * Any other client error raised by Express's own middleware (http-errors with expose set, e.g. body-parser's 400s
 * and 415s for odd encodings): its status and message are meant for the client.
 */
function exposedHttpProblem(error: { status?: unknown; expose?: unknown; message?: unknown; code?: unknown }): Problem | undefined {
  const status = error.status;
  if (error.expose !== true || typeof status !== 'number' || !Number.isInteger(status) || status < 400 || status > 499) {
    return undefined;
  }
  // zlib's own wording ('incorrect header check') says little to a client.
  const detail = typeof error.code === 'string' && error.code.startsWith('Z_') ? 'The request body could not be decompressed.'
    : typeof error.message === 'string' && error.message ? error.message : 'The request was refused.';
  const code: ErrorCode = status === 415 ? 'request.unsupported_media_type' : 'request.invalid';
  return { type: problemType(status), title: status === 400 ? 'Invalid request' : 'Request refused', status, code, detail };
}

/** Errors that are not DomainErrors but still have a client-facing meaning. */
function toDomainError(error: unknown): DomainError | undefined {
  if (error instanceof DomainError) return error;
  if (error instanceof CaslForbiddenError) return new ForbiddenError('Not allowed.');
  // The pool stayed full for acquireConnectionTimeout: back-pressure, not a bug.
  if (error instanceof KnexTimeoutError) return new ServiceUnavailableError('The service is busy; try again shortly.');
  if (isConnectionFailure(error)) return new ServiceUnavailableError('The database cannot be reached; try again shortly.');
  return translatePgError(error);
}

const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

/**
 * The database is down or the connection dropped: a network error, pg's "Connection terminated", SQLSTATE class
 * 08 (connection exception) or an administrator's shutdown (57P01, 57P02); or a new connection's password refused
 * (28P01), as in the moment of a credentials rotation between ALTER ROLE and the password file's rename.
 */
function isConnectionFailure(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (CONNECTION_ERRORS.has(code) || /^08[0-9A-Z]{3}$/.test(code) || ['57P01', '57P02', '28P01'].includes(code))) {
    return true;
  }
  return typeof message === 'string' && /^Connection terminated/.test(message);
}

function domainProblem(error: DomainError): Problem {
  const [, status, title] = STATUS.find(([kind]) => error instanceof kind) ?? [DomainError, 500, 'Internal error'];
  const problem: Problem = { type: problemType(status), title, status, code: error.code, detail: error.message };
  if ((error instanceof ValidationError || error instanceof BusinessRuleError) && error.errors.length) {
    problem.errors = error.errors;
  }
  return problem;
}

/**
 * Called for every 403 once it is answered (the security event log: its write goes on another pool, which the
 * client need not wait for); must not throw.
 */
export type ForbiddenHook = (req: Request, problem: Problem) => Promise<void>;

export function errorHandler(log: Logger, onForbidden?: ForbiddenHook): ErrorRequestHandler {
  return async (error, req, res, next) => {
    if (res.headersSent) return next(error);
    const fromExpress = typeof error !== 'object' || error === null || error instanceof DomainError ? undefined
      : bodyParserProblem(error) ?? undecodableParamProblem(error) ?? exposedHttpProblem(error);
    if (fromExpress) return sendProblem(res, { ...fromExpress, instance: req.originalUrl });
    const domain = toDomainError(error);
    // Back-pressure is no bug, but operations want to see it. The log context adds request id, tenant and user.
    if (domain instanceof ServiceUnavailableError) log.warn({ err: error }, 'service unavailable');
    if (domain) {
      const problem: Problem = { ...domainProblem(domain), instance: req.originalUrl };
      sendProblem(res, problem, domain.headers);
      if (problem.status === 403) await onForbidden?.(req, problem);
      return;
    }
    log.error({ err: error }, 'unhandled error');
    sendProblem(res, { type: problemType(500), title: 'Internal error', status: 500, code: 'internal.error',
      detail: 'Something went wrong on our side.', instance: req.originalUrl });
  };
}

export const notFoundHandler: RequestHandler = (req, res) => {
  sendProblem(res, { type: problemType(404), title: 'Not found', status: 404, code: 'route.not_found',
    detail: `No route for ${req.method} ${req.path}.`, instance: req.originalUrl });
};
