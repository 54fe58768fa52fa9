import type { Request, RequestHandler, Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { AccessClaims } from '../auth/tokens.js';
import type { AppDeps } from '../deps.js';
import { RateLimitedError } from '../errors.js';
import { bearerToken, verifiedAccessClaims } from '../http/bearer.js';
import { annotateLogContext } from '../log-context.js';
import type { TenantRecord } from '../tenants/repository.js';
import { PostgresRateLimitStore } from './postgres-rate-limit-store.js';

const WINDOW_MS = 60_000;

/** The caller's tenant, once the tenant limiter has identified it (also read by metrics and logs). */
export function requestTenant(res: Response): TenantRecord | undefined {
  return res.locals.tenant as TenantRecord | undefined;
}

/**
 * Each tenant's `api_rate_limit`: requests per minute for all of its users together, counted in PostgreSQL so
 * that it holds across app processes. A busy tenant's hits are leased in blocks (PostgresRateLimitStore): about
 * one counter update per process every 200 ms instead of one per request, never over the limit. Only requests with a valid tenant access token count; the endpoint still
 * authenticates on its own (a bad token passes through here to its 401). Over the limit: 429 with Retry-After.
 */
export function tenantRateLimit(deps: AppDeps): RequestHandler {
  // The limit of each tenant seen, for the store to size its leases (refreshed with the registry's record).
  const limits = new Map<string, number>();
  const limiter = rateLimit({
    windowMs: WINDOW_MS,
    limit: (_req, res) => requestTenant(res)?.api_rate_limit ?? Number.MAX_SAFE_INTEGER,
    keyGenerator: (_req, res) => requestTenant(res)?.tenant_id ?? '',
    skip: (_req, res) => !requestTenant(res),
    store: new PostgresRateLimitStore(deps.db.app, 'tenant:', (tenantId) => limits.get(tenantId)),
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (req, res, next) => {
      const tenant = requestTenant(res);
      const resetTime = (req as typeof req & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const seconds = Math.max(1, Math.ceil(((resetTime?.getTime() ?? Date.now() + WINDOW_MS) - Date.now()) / 1000));
      next(new RateLimitedError(
        `The tenant ${tenant?.tenant_code ?? ''} has used its ${tenant?.api_rate_limit ?? ''} requests for this minute; retry in ${seconds} s.`,
        { code: 'tenant.rate_limited', headers: { 'Retry-After': String(seconds) } }));
    },
  });
  return async (req, res, next) => {
    const claims = bearerClaims(req, deps);
    if (claims) annotateLogContext({ user_id: claims.sub });
    if (claims?.kind !== 'tenant' || !claims.tid) return limiter(req, res, next);
    try {
      const tenant = await deps.tenants.byId(claims.tid);
      if (tenant) {
        res.locals.tenant = tenant;
        limits.set(tenant.tenant_id, tenant.api_rate_limit);
        annotateLogContext({ tenant: tenant.tenant_code });
      }
    } catch (error) {
      return next(error);
    }
    return limiter(req, res, next);
  };
}

function bearerClaims(req: Request, deps: AppDeps): AccessClaims | undefined {
  const token = bearerToken(req);
  if (!token) return undefined;
  try {
    return verifiedAccessClaims(req, token, deps.tokens);
  } catch {
    return undefined;
  }
}
