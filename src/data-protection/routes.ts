import {
  DataRightsRequest, DataRightsRequestBody, DataRightsRequestPage, DataRightsRequestParams, DataRightsRequestQuery,
  PersonalDataExportSchema, PersonalDataReadPage, PersonalDataReadQuery, RetentionPeriodBody, RetentionPeriodList,
  RetentionPeriodParams, RetentionPurgeReport,
} from '../../schemas/data-protection.js';
import { problemResponse as problem, scopedEndpoint, type Endpoint } from '../http/endpoint.js';
import { authorizeDataProtection } from './access.js';
import { consentEndpoints } from './consent-routes.js';
import { listPersonalDataReads } from './reads-repository.js';
import { purgeExpired, RETENTION_DEFAULTS, retentionPeriods, setRetentionPeriod } from './retention.js';
import { runAsSystem } from '../scope/run.js';
import type { TenantRecord } from '../tenants/repository.js';
import { createRightsRequest, downloadExport, getRightsRequest, listRightsRequests } from './rights-service.js';

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

  scopedEndpoint({
    method: 'post', path: '/data-rights-requests', tag: 'data-protection', access: 'tenant', body: DataRightsRequestBody,
    summary: "Export or erase a policyholder's personal data (runs as a job; poll the request)",
    responses: { 202: { description: 'Queued', schema: DataRightsRequest }, ...COMMON,
      404: problem('policyholder.not_found'), 409: problem('data_protection.erased: nothing personal is left') },
  }, async ({ tx, actor, body }) => ({ status: 202, body: await createRightsRequest(tx, actor, body) })),

  scopedEndpoint({
    method: 'get', path: '/data-rights-requests', tag: 'data-protection', access: 'tenant', query: DataRightsRequestQuery,
    summary: 'Rights requests, newest first (?policyholder_id=)',
    responses: { 200: { description: 'A page of requests', schema: DataRightsRequestPage }, ...COMMON },
  }, async ({ tx, actor, query }) => ({ body: await listRightsRequests(tx, actor, query) })),

  scopedEndpoint({
    method: 'get', path: '/data-rights-requests/:request_id', tag: 'data-protection', access: 'tenant', params: DataRightsRequestParams,
    summary: 'One rights request: its status and what it exported or erased',
    responses: { 200: { description: 'The request', schema: DataRightsRequest }, ...COMMON,
      404: problem('data_protection.request_not_found') },
  }, async ({ tx, actor, params }) => ({ body: await getRightsRequest(tx, actor, params.request_id) })),

  scopedEndpoint({
    method: 'get', path: '/data-rights-requests/:request_id/download', tag: 'data-protection', access: 'tenant',
    params: DataRightsRequestParams,
    summary: "A completed export's JSON, once: after this it is gone (and the download is in the read audit)",
    responses: { 200: { description: 'Everything held about the policyholder', schema: PersonalDataExportSchema }, ...COMMON,
      404: problem('data_protection.request_not_found'),
      409: problem('data_protection.not_ready, data_protection.already_downloaded, or data_protection.erased (the person was erased since)') },
  }, async ({ tx, actor, params }) => ({
    body: await downloadExport(tx, actor, params.request_id),
    headers: { 'Content-Disposition': `attachment; filename="personal-data-${params.request_id}.json"`, 'Cache-Control': 'no-store' },
  })),

  scopedEndpoint({
    method: 'get', path: '/retention-periods', tag: 'data-protection', access: 'tenant',
    summary: "How long the tenant keeps each class of data (its own setting, or the default)",
    responses: { 200: { description: 'Every class with its period', schema: RetentionPeriodList }, ...COMMON },
  }, async ({ tx, actor }) => {
    authorizeDataProtection(actor, 'read');
    const periods = await retentionPeriods(tx);
    return { body: { data: Object.entries(periods).map(([dataClass, period]) => ({ data_class: dataClass as keyof typeof RETENTION_DEFAULTS,
      ...period, description: RETENTION_DEFAULTS[dataClass as keyof typeof RETENTION_DEFAULTS].description })) } };
  }),

  scopedEndpoint({
    method: 'put', path: '/retention-periods/:data_class', tag: 'data-protection', access: 'tenant', params: RetentionPeriodParams,
    body: RetentionPeriodBody, summary: 'Set how many days the tenant keeps a class of data',
    responses: { 204: { description: 'Set' }, ...COMMON },
  }, async ({ tx, actor, params, body }) => {
    authorizeDataProtection(actor, 'manage');
    await setRetentionPeriod(tx, params.data_class, body.days);
    return { status: 204 };
  }),

  scopedEndpoint({
    method: 'post', path: '/retention-purges', tag: 'data-protection', access: 'tenant',
    summary: 'Run the retention purge now (what the scheduled job does); a second run purges nothing more',
    responses: { 200: { description: 'Rows purged per class', schema: RetentionPurgeReport }, ...COMMON },
  }, async ({ actor, deps }) => {
    authorizeDataProtection(actor, 'manage');
    // The purge's own transactions (as the job runs them, audited as system:retention-purge), not the request's.
    const tenant = actor.tenant as TenantRecord;
    return { body: await purgeExpired((work) => runAsSystem(deps, tenant, 'retention-purge', ({ tx }) => work(tx))) };
  }),
  ...consentEndpoints,
];
