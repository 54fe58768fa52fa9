import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit, type Store } from 'express-rate-limit';
import type { Config } from '../config.js';
import { RateLimitedError } from '../errors.js';
import { loginTenantCode } from './routes.js';
import { hashSecret } from './tokens.js';

// Sign-in throttles, in front of the password check: per client address, per account named (known or not, the
// same for both) and across all addresses, so neither one address nor many can queue unbounded argon2 work. The
// counters live in the limiter's store: in memory per process by default; pass a shared store (for example one
// kept in PostgreSQL) so every process counts together.

export type ThrottleName = 'login-address' | 'login-account' | 'login-global';

/** Makes one store per throttle (express-rate-limit refuses a store shared by two limiters). */
export type RateLimitStoreFactory = (name: ThrottleName, windowMs: number) => Store;

const WINDOW_MS = 60_000;

/** The account a sign-in names, canonical as the login itself will read it, as a digest. */
function accountKey(req: Request, baseDomain: string | undefined): string {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const text = (key: string) => (typeof body[key] === 'string' ? (body[key] as string).trim().toLowerCase() : '');
  let tenant: string | undefined;
  try {
    tenant = loginTenantCode(req, text('tenant').toUpperCase() || undefined, baseDomain);
  } catch {
    tenant = 'conflicting';
  }
  return hashSecret(`${tenant ?? ''}\n${text('email')}\n${text('phone_number')}\n${text('username')}`);
}

function limiter(name: ThrottleName, limit: number, keyGenerator: (req: Request) => string,
  message: string, storeFor: RateLimitStoreFactory | undefined): RequestHandler {
  return rateLimit({
    windowMs: WINDOW_MS,
    limit,
    keyGenerator,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    ...(storeFor ? { store: storeFor(name, WINDOW_MS) } : {}),
    // Retry-After is when this window ends (as the RateLimit header's reset says), not a whole window from now.
    handler: (req, _res, next) => {
      const resetTime = (req as typeof req & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const seconds = Math.max(1, Math.ceil(((resetTime?.getTime() ?? Date.now() + WINDOW_MS) - Date.now()) / 1000));
      next(new RateLimitedError(message, { code: 'auth.rate_limited', headers: { 'Retry-After': String(seconds) } }));
    },
  });
}

/**
 * The three sign-in throttles, in order: the address first, so one address's flood is turned away before it
 * counts against everyone's budget; then the account; then all addresses together.
 */
export function loginThrottles(config: Config, storeFor?: RateLimitStoreFactory): RequestHandler[] {
  return [
    limiter('login-address', config.loginRateLimitPerMinute, (req) => ipKeyGenerator(req.ip ?? ''),
      'Too many sign-in attempts from this address; wait a minute.', storeFor),
    limiter('login-account', config.loginRateLimitPerAccountPerMinute, (req) => accountKey(req, config.tenantBaseDomain),
      'Too many sign-in attempts for this account; wait a minute.', storeFor),
    limiter('login-global', config.loginRateLimitGlobalPerMinute, () => 'all',
      'Too many sign-in attempts right now; wait a minute.', storeFor),
  ];
}
