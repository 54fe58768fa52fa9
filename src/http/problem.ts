import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { ForbiddenError as CaslForbiddenError } from '@casl/ability';
import type { Logger } from 'pino';
import { translatePgError } from '../db/pg-errors.js';
import {
  BusinessRuleError, ConflictError, DomainError, ForbiddenError, LockedError, NotFoundError,
  RateLimitedError, UnauthenticatedError, ValidationError, type FieldError,
} from '../errors.js';

// RFC 9457 problem details. Every error a client can cause is mapped here, in one table.

const STATUS: [new (...args: never[]) => DomainError, number, string][] = [
  [ValidationError, 400, 'Invalid request'],
  [UnauthenticatedError, 401, 'Not authenticated'],
  [ForbiddenError, 403, 'Forbidden'],
  [NotFoundError, 404, 'Not found'],
  [ConflictError, 409, 'Conflict'],
  [BusinessRuleError, 422, 'Refused by a business rule'],
  [LockedError, 423, 'Locked'],
  [RateLimitedError, 429, 'Too many requests'],
];

export interface Problem {
  type: string;
  title: string;
  status: number;
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

/** Body-parser's errors: too large (413) and malformed JSON (400). */
function bodyParserProblem(error: { type?: string; status?: number }): Problem | undefined {
  if (error.type === 'entity.too.large') {
    return { type: problemType(413), title: 'Payload too large', status: 413, detail: 'The request body is too large.' };
  }
  if (error.type === 'entity.parse.failed' || error.type === 'encoding.unsupported' || error.type === 'charset.unsupported') {
    return { type: problemType(400), title: 'Invalid request', status: 400, detail: 'The request body is not valid JSON.',
      errors: [{ path: 'body', message: 'malformed JSON' }] };
  }
  return undefined;
}

function domainProblem(error: DomainError): Problem {
  const [, status, title] = STATUS.find(([kind]) => error instanceof kind) ?? [DomainError, 500, 'Internal error'];
  const problem: Problem = { type: problemType(status), title, status, detail: error.message };
  if ((error instanceof ValidationError || error instanceof BusinessRuleError) && error.errors.length) {
    problem.errors = error.errors;
  }
  return problem;
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) return next(error);
    const fromParser = bodyParserProblem(error);
    if (fromParser) return sendProblem(res, fromParser);
    const domain = error instanceof DomainError ? error
      : error instanceof CaslForbiddenError ? new ForbiddenError('Not allowed.')
      : translatePgError(error);
    if (domain) return sendProblem(res, { ...domainProblem(domain), instance: req.originalUrl }, domain.headers);
    log.error({ err: error, request_id: req.id }, 'unhandled error');
    sendProblem(res, { type: problemType(500), title: 'Internal error', status: 500,
      detail: 'Something went wrong on our side.', instance: req.originalUrl });
  };
}

export const notFoundHandler: RequestHandler = (req, res) => {
  sendProblem(res, { type: problemType(404), title: 'Not found', status: 404,
    detail: `No route for ${req.method} ${req.path}.`, instance: req.originalUrl });
};
