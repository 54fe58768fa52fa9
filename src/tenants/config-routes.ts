import { ListQuery } from '../../schemas/common.js';
import {
  ConfigKeyParams, PutConfigBody, TenantConfigEntry, TenantConfigKeyParams, TenantConfigPage,
} from '../../schemas/tenant-config.js';
import { TenantParams } from '../../schemas/tenants.js';
import { tenantIdOf, type Actor } from '../auth/actor.js';
import type { Tx } from '../db/scope.js';
import { problemResponse as problem, scopedEndpoint, type Endpoint, type Reply } from '../http/endpoint.js';
import { listTenantConfig, putTenantConfig, readTenantConfig, removeTenantConfig } from './config-service.js';

// Each operation twice: /tenants/{tenant_id}/config... for super admins, /config... for a tenant user's own tenant.

const TAG = 'config';

const listResponses = { 200: { description: 'A page of config entries', schema: TenantConfigPage },
  400: problem('Invalid query'), 401: problem('Not signed in'), 403: problem('Not allowed to read config') };
const readResponses = { 200: { description: 'The entry', schema: TenantConfigEntry }, 400: problem('Invalid key'),
  401: problem('Not signed in'), 403: problem('Not allowed to read config'), 404: problem('No such key') };
const putResponses = { 200: { description: 'Replaced', schema: TenantConfigEntry },
  201: { description: 'Created', schema: TenantConfigEntry }, 400: problem('Invalid key or value'),
  401: problem('Not signed in'), 403: problem('Not allowed to write config') };
const deleteResponses = { 204: { description: 'Deleted' }, 400: problem('Invalid key'), 401: problem('Not signed in'),
  403: problem('Not allowed to delete config'), 404: problem('No such key') };
const withUnknownTenant = <T extends object>(responses: T) => ({ ...responses, 404: problem('No such tenant (or key)') });

async function putReply(tx: Tx, actor: Actor, tenantId: string, key: string, body: PutConfigBody): Promise<Reply> {
  const { entry, created } = await putTenantConfig(tx, actor, tenantId, key, body);
  return { status: created ? 201 : 200, body: entry };
}

async function deleteReply(tx: Tx, actor: Actor, tenantId: string, key: string): Promise<Reply> {
  await removeTenantConfig(tx, actor, tenantId, key);
  return { status: 204 };
}

const platformConfigEndpoints: Endpoint[] = [
  scopedEndpoint({
    method: 'get', path: '/tenants/:tenant_id/config', tag: TAG, access: 'platform', params: TenantParams, query: ListQuery,
    summary: "List a tenant's config entries", responses: withUnknownTenant(listResponses),
  }, async ({ tx, actor, params, query }) => ({ body: await listTenantConfig(tx, actor, params.tenant_id, query) })),

  scopedEndpoint({
    method: 'get', path: '/tenants/:tenant_id/config/:key', tag: TAG, access: 'platform', params: TenantConfigKeyParams,
    summary: "One of a tenant's config entries", responses: withUnknownTenant(readResponses),
  }, async ({ tx, actor, params }) => ({ body: await readTenantConfig(tx, actor, params.tenant_id, params.key) })),

  scopedEndpoint({
    method: 'put', path: '/tenants/:tenant_id/config/:key', tag: TAG, access: 'platform',
    params: TenantConfigKeyParams, body: PutConfigBody,
    summary: "Create or replace one of a tenant's config entries", responses: withUnknownTenant(putResponses),
  }, async ({ tx, actor, params, body }) => putReply(tx, actor, params.tenant_id, params.key, body)),

  scopedEndpoint({
    method: 'delete', path: '/tenants/:tenant_id/config/:key', tag: TAG, access: 'platform', params: TenantConfigKeyParams,
    summary: "Delete one of a tenant's config entries", responses: withUnknownTenant(deleteResponses),
  }, async ({ tx, actor, params }) => deleteReply(tx, actor, params.tenant_id, params.key)),
];

const ownConfigEndpoints: Endpoint[] = [
  scopedEndpoint({
    method: 'get', path: '/config', tag: TAG, access: 'tenant', query: ListQuery,
    summary: "List the caller's tenant config entries", responses: listResponses,
  }, async ({ tx, actor, query }) => ({ body: await listTenantConfig(tx, actor, tenantIdOf(actor), query) })),

  scopedEndpoint({
    method: 'get', path: '/config/:key', tag: TAG, access: 'tenant', params: ConfigKeyParams,
    summary: "One of the caller's tenant config entries", responses: readResponses,
  }, async ({ tx, actor, params }) => ({ body: await readTenantConfig(tx, actor, tenantIdOf(actor), params.key) })),

  scopedEndpoint({
    method: 'put', path: '/config/:key', tag: TAG, access: 'tenant', params: ConfigKeyParams, body: PutConfigBody,
    summary: "Create or replace one of the caller's tenant config entries", responses: putResponses,
  }, async ({ tx, actor, params, body }) => putReply(tx, actor, tenantIdOf(actor), params.key, body)),

  scopedEndpoint({
    method: 'delete', path: '/config/:key', tag: TAG, access: 'tenant', params: ConfigKeyParams,
    summary: "Delete one of the caller's tenant config entries", responses: deleteResponses,
  }, async ({ tx, actor, params }) => deleteReply(tx, actor, tenantIdOf(actor), params.key)),
];

export const configEndpoints: Endpoint[] = [...platformConfigEndpoints, ...ownConfigEndpoints];
