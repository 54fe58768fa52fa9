import crypto from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import { pinoHttp } from 'pino-http';
import type { Logger } from 'pino';
import { currentLogContext, withLogContext, type LogContext } from '../log-context.js';

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** Probes and scrapes come every few seconds: their lines are debug, unless they fail. */
const PROBES = new Set(['/healthz', '/readyz', '/metrics']);

/**
 * Every request gets an X-Request-Id (the client's, when it sent a sane one) and one access-log line; every line
 * logged while it runs carries its request id, and its tenant and user once authentication has named them.
 */
export function requestLogging(log: Logger): RequestHandler[] {
  const access = pinoHttp({
    logger: log,
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const incoming = req.headers['x-request-id'];
      const id = typeof incoming === 'string' && CLIENT_REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    customLogLevel: (req, res, error) => {
      if (error || res.statusCode >= 500) return PROBES.has(pathOf(req.url)) ? 'warn' : 'error';
      return PROBES.has(pathOf(req.url)) ? 'debug' : 'info';
    },
    // The access line may be written outside the request's async context (then the mixin adds nothing): name them here.
    customProps: (_req, res) => {
      if (currentLogContext().request_id) return {};
      const context = (res as ServerResponse & { locals?: { logContext?: LogContext } }).locals?.logContext ?? {};
      return { request_id: context.request_id, tenant: context.tenant, user_id: context.user_id };
    },
    serializers: {
      // The path only: query strings carry search terms (names, e-mails, phone numbers).
      req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, path: pathOf(req.url) }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  });
  const context: RequestHandler = (req, res, next) => {
    const fields: LogContext = { request_id: String(req.id) };
    res.locals.logContext = fields;
    withLogContext(fields, next);
  };
  return [access, context];
}

function pathOf(url: string | undefined): string {
  return (url ?? '').split('?')[0] ?? '';
}
