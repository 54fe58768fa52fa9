import type { Request } from 'express';
import type { Problem } from '../http/problem.js';
import { recordSecurityEventApart, type EventDeps } from './record.js';

/**
 * Every 403 is a security event (ASVS V7.1.3, V7.2.2). The request's transaction has rolled back by the time the
 * error handler runs, so the event goes in a transaction of its own, written after the answer has gone (the
 * client does not wait for the platform pool; the event is in the table a few milliseconds later). The path only: a query string may hold
 * personal data.
 */
export function recordDenial(deps: EventDeps, req: Request, problem: Problem): Promise<void> {
  return recordSecurityEventApart(deps, {
    kind: 'access.denied',
    outcome: 'denied',
    target: { type: 'route', id: `${req.method} ${req.baseUrl}${req.path}` },
    details: { code: problem.code, detail: problem.detail },
  });
}
