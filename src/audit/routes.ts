import { AuditListQuery, AuditPage } from '../../schemas/audit.js';
import { auditTrailRead } from '../data-protection/audit-trail-read.js';
import { readPurpose } from '../data-protection/read-audit.js';
import { problemResponse as problem, scopedEndpoint, type Endpoint } from '../http/endpoint.js';
import { listAudit } from './service.js';

export const auditEndpoints: Endpoint[] = [
  scopedEndpoint({
    method: 'get', path: '/audit', tag: 'audit', access: 'tenant', query: AuditListQuery,
    summary: "The tenant's audit trail, newest first: every insert, update and delete with who, when, old and new values",
    responses: {
      200: { description: 'A page of audit entries', schema: AuditPage },
      400: problem('Invalid filter'), 401: problem('Not signed in'),
      403: problem('Needs read on Audit and a tenant-wide data scope (provider admins)'),
    },
  }, async ({ tx, actor, query, req }) => {
    const purpose = readPurpose(req, 'compliance');
    const page = await listAudit(tx, actor, query);
    // Old and new values are personal data of whoever the record is about: in the read audit like any other read.
    await auditTrailRead(tx, purpose, page.data);
    return { body: page };
  }),
];
