import type { Request } from 'express';
import {
  ChangePasswordBody, LoginBody, Me, RefreshBody, SessionListQuery, SessionPage, SessionParams, TokenPair,
} from '../../schemas/auth.js';
import { TENANT_CODE_PATTERN } from '../../schemas/common.js';
import { LoginResult } from '../../schemas/mfa.js';
import { ValidationError } from '../errors.js';
import { problemResponse as problem, publicEndpoint, scopedEndpoint, type Endpoint } from '../http/endpoint.js';
import { primaryRole } from '../roles/system-roles.js';
import { changeOwnPassword, endAllOwnSessions, endOwnSession, listOwnSessions } from './self-service.js';
import { login, logout, refresh } from './service.js';


/**
 * Where a login's tenant comes from: the body, else X-Tenant, else the subdomain of the configured base domain.
 * Always the canonical (trimmed, upper-case) code, whichever of the three named it.
 */
export function loginTenantCode(req: Request, bodyTenant: string | undefined, baseDomain: string | undefined): string | undefined {
  const header = req.get('x-tenant')?.trim().toUpperCase() || undefined;
  if (bodyTenant && header && bodyTenant !== header) {
    throw new ValidationError([{ path: 'body.tenant', message: 'names another tenant than the X-Tenant header' }]);
  }
  if (bodyTenant ?? header) return bodyTenant ?? header;
  // Host names are case-insensitive (RFC 4343): LIC.AgentMitra.in is lic.agentmitra.in.
  const hostname = req.hostname.toLowerCase();
  const domain = baseDomain?.toLowerCase();
  if (!domain || !hostname.endsWith(`.${domain}`)) return undefined;
  const label = hostname.slice(0, -(domain.length + 1)).toUpperCase();
  return TENANT_CODE_PATTERN.test(label) && !['WWW', 'API', 'APP'].includes(label) ? label : undefined;
}

/** RFC 6749 §5.1: responses carrying tokens must not be cached. */
export const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

export function clientInfo(req: Request) {
  return { ip_address: req.ip ?? null, user_agent: req.get('user-agent')?.slice(0, 500) ?? null };
}

export const authEndpoints: Endpoint[] = [
  publicEndpoint({
    method: 'post', path: '/auth/login', tag: 'auth', access: 'public', body: LoginBody,
    summary: 'Sign in with e-mail, phone number or username; without a tenant, a platform (super admin) sign-in',
    headers: { 'X-Tenant': { description: 'Tenant code, instead of body.tenant' } },
    responses: { 200: { description: 'Signed in: the tokens, or (MFA) a challenge to answer at POST /auth/mfa/verify', schema: LoginResult },
      401: problem('Wrong user or password'),
      403: problem('Tenant suspended (told only after a right password)'), 423: problem('Account locked'),
      429: problem('Too many attempts from this address, for this account, or in all'),
      503: problem('Too many sign-ins being checked at once; retry after Retry-After') },
  }, async ({ body, req, deps }) => {
    const tenantCode = loginTenantCode(req, body.tenant, deps.config.tenantBaseDomain);
    return { body: await login(deps, tenantCode, body, body.password, clientInfo(req)), headers: NO_STORE };
  }),

  publicEndpoint({
    method: 'post', path: '/auth/refresh', tag: 'auth', access: 'public', body: RefreshBody,
    summary: 'Exchange a refresh token for a new pair; a reused refresh token revokes its session',
    responses: { 200: { description: 'A new token pair', schema: TokenPair }, 401: problem('Invalid, expired or reused') },
  }, async ({ body, req, deps }) => ({ body: await refresh(deps, body.refresh_token, req.get('x-tenant')), headers: NO_STORE })),

  scopedEndpoint({
    method: 'post', path: '/auth/logout', tag: 'auth', access: 'signed_in',
    summary: 'End the current session; its access and refresh tokens stop working at once',
    responses: { 204: { description: 'Signed out' }, 401: problem('Not signed in') },
  }, async ({ tx, actor }) => {
    await logout(tx, actor);
    return { status: 204 };
  }),

  scopedEndpoint({
    method: 'get', path: '/auth/me', tag: 'auth', access: 'signed_in',
    summary: 'The caller: role, tenant and permissions',
    responses: { 200: { description: 'The caller', schema: Me }, 401: problem('Not signed in') },
  }, async ({ actor }) => ({
    body: {
      user_id: actor.user_id,
      email: actor.email,
      role: actor.kind === 'platform' ? 'super_admin' : primaryRole(actor.roles),
      roles: actor.roles,
      tenant_id: actor.tenant?.tenant_id ?? null,
      tenant_code: actor.tenant?.tenant_code ?? null,
      agent_id: actor.agent_id,
      data_scope: actor.data_scope,
      permissions: actor.rules.map((rule) => ({ action: rule.action, subject: rule.subject, conditions: rule.conditions ?? null })),
    },
  })),

  scopedEndpoint({
    method: 'post', path: '/auth/password', tag: 'auth', access: 'signed_in', body: ChangePasswordBody,
    summary: 'Change your own password, giving the current one; your other sessions end (ASVS V2.1.6, V3.3.3)',
    responses: { 204: { description: 'Changed' }, 400: problem('Too short or long, or a commonly used password'),
      401: problem('Not signed in'), 403: problem('The current password is not right'),
      423: problem('Five wrong current passwords: try again after Retry-After') },
  }, async ({ tx, deps, actor, body, req }) => {
    await changeOwnPassword(tx, deps, actor, body, req.ip ?? null);
    return { status: 204 };
  }),

  scopedEndpoint({
    method: 'get', path: '/auth/sessions', tag: 'auth', access: 'signed_in', query: SessionListQuery,
    summary: 'Your live sessions: device, address, last activity; the current one marked (ASVS V3.3.4)',
    responses: { 200: { description: 'A page of sessions', schema: SessionPage }, 400: problem('Invalid query'),
      401: problem('Not signed in') },
  }, async ({ tx, actor, query }) => ({ body: await listOwnSessions(tx, actor, query) })),

  scopedEndpoint({
    method: 'delete', path: '/auth/sessions', tag: 'auth', access: 'signed_in',
    summary: 'End all your sessions, this one included: signed out everywhere',
    responses: { 204: { description: 'Ended' }, 401: problem('Not signed in') },
  }, async ({ tx, actor }) => {
    await endAllOwnSessions(tx, actor);
    return { status: 204 };
  }),

  scopedEndpoint({
    method: 'delete', path: '/auth/sessions/:session_id', tag: 'auth', access: 'signed_in', params: SessionParams,
    summary: 'End one of your sessions (ending this one signs you out)',
    responses: { 204: { description: 'Ended' }, 400: problem('Invalid id'), 401: problem('Not signed in'),
      404: problem('No such live session of yours') },
  }, async ({ tx, actor, params }) => {
    await endOwnSession(tx, actor, params.session_id);
    return { status: 204 };
  }),
];
