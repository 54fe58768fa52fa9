import {
  CreateTenantBody, PatchTenantBody, Tenant, TenantCreated, TenantListQuery, TenantPage, TenantParams,
} from '../../schemas/tenants.js';
import { problemResponse as problem, scopedEndpoint, type Endpoint } from '../http/endpoint.js';
import { requireRecentSignIn } from '../auth/step-up.js';
import { configEndpoints } from './config-routes.js';
import { onboardTenant } from './onboarding.js';
import { amendTenant, endSessionsOfTenant, getTenant, listTenantPage } from './service.js';

const unauthenticated = problem('Not signed in');
const notPlatform = problem('Not a platform administrator');

export const tenantEndpoints: Endpoint[] = [
  scopedEndpoint({
    method: 'post', path: '/tenants', tag: 'platform', access: 'platform', body: CreateTenantBody,
    summary: 'Onboard a tenant: registry row, schema, migrations, system roles and first provider admin, all or nothing',
    responses: { 201: { description: 'Onboarded', schema: TenantCreated }, 400: problem('Invalid input'),
      401: unauthenticated, 403: notPlatform, 409: problem('Duplicate tenant code or schema'),
      422: problem('The parent tenant does not exist') },
  }, async ({ tx, actor, body, deps }) => {
    // ASVS V3.7.1: a new tenant (and its first administrator) needs a recent sign-in.
    await requireRecentSignIn(deps, tx, actor);
    return { status: 201, body: await onboardTenant(deps, body) };
  }),

  scopedEndpoint({
    method: 'get', path: '/tenants', tag: 'platform', access: 'platform', query: TenantListQuery,
    summary: 'List tenants, oldest first, optionally by status',
    responses: { 200: { description: 'A page of tenants', schema: TenantPage }, 400: problem('Invalid query'),
      401: unauthenticated, 403: notPlatform },
  }, async ({ tx, actor, query }) => ({ body: await listTenantPage(tx, actor, query) })),

  scopedEndpoint({
    method: 'get', path: '/tenants/:tenant_id', tag: 'platform', access: 'platform', params: TenantParams,
    summary: 'One tenant of the registry',
    responses: { 200: { description: 'The tenant', schema: Tenant }, 400: problem('Invalid tenant id'),
      401: unauthenticated, 403: notPlatform, 404: problem('No such tenant') },
  }, async ({ tx, actor, params }) => ({ body: await getTenant(tx, actor, params.tenant_id) })),

  scopedEndpoint({
    method: 'patch', path: '/tenants/:tenant_id', tag: 'platform', access: 'platform',
    params: TenantParams, body: PatchTenantBody,
    summary: 'Change a tenant: suspend or reactivate it (takes effect at once; suspending ends its sessions), rename it, change its plan or limits',
    responses: { 200: { description: 'The changed tenant', schema: Tenant }, 400: problem('Invalid input'),
      401: unauthenticated, 403: notPlatform, 404: problem('No such tenant') },
  }, async ({ tx, actor, params, body, deps }) => {
    // Suspending (or reactivating) a whole tenant needs a recent sign-in (ASVS V3.7.1).
    if (body.status) await requireRecentSignIn(deps, tx, actor);
    const tenant = await amendTenant(tx, actor, params.tenant_id, body);
    if (body.status && tenant.status !== 'active') await endSessionsOfTenant(deps, tenant);
    // Dropping the cached registry record makes a suspension refuse the tenant's very next request.
    return { body: tenant, afterCommit: () => deps.tenants.forget(tenant) };
  }),

  ...configEndpoints,
];
