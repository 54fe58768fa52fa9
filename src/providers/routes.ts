import {
  CreateProviderBody, PatchProviderBody, Provider, ProviderListQuery, ProviderPage, ProviderParams,
} from '../../schemas/providers.js';
import { problemResponse as problem, scopedEndpoint, type Endpoint } from '../http/endpoint.js';
import { amendProvider, getProvider, listProviderPage, registerProvider } from './service.js';

const unauthenticated = problem('Not signed in');
const notPlatform = problem('Not a platform administrator');

export const providerEndpoints: Endpoint[] = [
  scopedEndpoint({
    method: 'get', path: '/providers', tag: 'platform', access: 'signed_in', query: ProviderListQuery,
    summary: 'List insurance providers (shared reference data), optionally by status or type',
    responses: { 200: { description: 'A page of providers', schema: ProviderPage }, 400: problem('Invalid query'),
      401: unauthenticated },
  }, async ({ tx, query }) => ({ body: await listProviderPage(tx, query) })),

  scopedEndpoint({
    method: 'get', path: '/providers/:provider_id', tag: 'platform', access: 'signed_in', params: ProviderParams,
    summary: 'One insurance provider',
    responses: { 200: { description: 'The provider', schema: Provider }, 400: problem('Invalid provider id'),
      401: unauthenticated, 404: problem('No such provider') },
  }, async ({ tx, params }) => ({ body: await getProvider(tx, params.provider_id) })),

  scopedEndpoint({
    method: 'post', path: '/providers', tag: 'platform', access: 'platform', body: CreateProviderBody,
    summary: 'Register an insurance provider',
    responses: { 201: { description: 'Registered', schema: Provider }, 400: problem('Invalid input'),
      401: unauthenticated, 403: notPlatform, 409: problem('Duplicate provider code') },
  }, async ({ tx, actor, body }) => ({ status: 201, body: await registerProvider(tx, actor, body) })),

  scopedEndpoint({
    method: 'patch', path: '/providers/:provider_id', tag: 'platform', access: 'platform',
    params: ProviderParams, body: PatchProviderBody,
    summary: 'Change an insurance provider (name, status, integration, contact points...)',
    responses: { 200: { description: 'The changed provider', schema: Provider }, 400: problem('Invalid input'),
      401: unauthenticated, 403: notPlatform, 404: problem('No such provider'), 409: problem('Duplicate provider code') },
  }, async ({ tx, actor, params, body }) => ({ body: await amendProvider(tx, actor, params.provider_id, body) })),
];
