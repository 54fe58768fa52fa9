import { SecurityEventListQuery, SecurityEventPage } from '../../schemas/security-events.js';
import { problemResponse as problem, scopedEndpoint, type Endpoint } from '../http/endpoint.js';
import { listSecurityEvents } from './service.js';

export const securityEventEndpoints: Endpoint[] = [
  scopedEndpoint({
    method: 'get', path: '/security-events', tag: 'security', access: 'signed_in', query: SecurityEventListQuery,
    summary: "Security events, newest first: sign-ins, lockouts, password, role and session changes, 403s (a tenant's "
      + 'administrators: their tenant; super admins: every tenant and the platform)',
    responses: {
      200: { description: 'A page of security events', schema: SecurityEventPage },
      400: problem('Invalid filter'), 401: problem('Not signed in'),
      403: problem("Needs read on Audit and a tenant-wide data scope, or names another tenant"),
    },
  }, async ({ tx, deps, actor, query }) => ({ body: await listSecurityEvents(tx, deps, actor, query) })),
];
