import { PersonalDataReadPage, PersonalDataReadQuery } from '../../schemas/data-protection.js';
import { problemResponse as problem, scopedEndpoint, type Endpoint } from '../http/endpoint.js';
import { authorizeDataProtection } from './access.js';
import { listPersonalDataReads } from './reads-repository.js';

const COMMON = { 400: problem('Invalid input; every offending field is listed'), 401: problem('Not signed in'),
  403: problem('Needs read on Audit and a tenant-wide data scope (provider admins)') };

export const dataProtectionEndpoints: Endpoint[] = [
  scopedEndpoint({
    method: 'get', path: '/personal-data-reads', tag: 'data-protection', access: 'tenant', query: PersonalDataReadQuery,
    summary: 'Who read whose personal data, which fields, when and why, newest first (one row per record read)',
    responses: { 200: { description: 'A page of reads', schema: PersonalDataReadPage }, ...COMMON },
  }, async ({ tx, actor, query }) => {
    authorizeDataProtection(actor, 'read');
    return { body: await listPersonalDataReads(tx, query) };
  }),
];
