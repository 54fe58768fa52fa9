import crypto from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { Level, Logger } from 'pino';
import { currentLogContext, withLogContext, type LogContext } from '../log-context.js';

declare module 'node:http' {
  interface IncomingMessage {
    /** The request id: the client's X-Request-Id when it sent a sane one, else a new uuid. */
    id: string;
  }
}

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** Probes and scrapes come every few seconds: their lines are debug, unless they fail. */
const PROBES = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Every request gets an X-Request-Id (the client's, when it sent a sane one) and one access-log line; every line
 * logged while it runs carries its request id, and its tenant and user once authentication has named them.
 * (Written here rather than with pino-http, which builds two child loggers per request: a fifth of the logging
 * cost of a page for the same line.)
 */
export function requestLogging(log: Logger): RequestHandler {
  return (req, res, next) => {
    const incoming = req.headers['x-request-id'];
    req.id = typeof incoming === 'string' && CLIENT_REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
    res.setHeader('X-Request-Id', req.id);
    const started = Date.now();
    const fields: LogContext = { request_id: req.id };
    res.locals.logContext = fields;
    const path = pathOf(req.originalUrl);
    const done = () => {
      res.off('finish', done);
      res.off('close', done);
      logAccess(log, res, fields, { id: req.id, method: req.method, path }, Date.now() - started);
    };
    res.on('finish', done);
    res.on('close', done);
    withLogContext(fields, next);
  };
}

/** The access line: 'request completed'; a 5xx is an error (a failing probe a warning), a reply cut off a warning. */
function logAccess(log: Logger, res: Response, fields: LogContext, req: { id: string; method: string; path: string },
  responseTime: number): void {
  const aborted = !res.writableFinished;
  const failed = res.statusCode >= 500;
  const level: Level = failed ? (PROBES.has(req.path) ? 'warn' : 'error') : aborted ? 'warn' : PROBES.has(req.path) ? 'debug' : 'info';
  if (!log.isLevelEnabled(level)) return;
  // The line may be written outside the request's async context (then the mixin adds nothing): name them here.
  const context = currentLogContext().request_id ? {} : { request_id: fields.request_id, tenant: fields.tenant, user_id: fields.user_id };
  log[level]({ ...context, req, res: { statusCode: res.statusCode }, responseTime }, aborted ? 'request aborted' : 'request completed');
}

function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
