import type { Request } from 'express';
import type { AccessClaims, TokenService } from '../auth/tokens.js';

const BEARER = /^Bearer +([A-Za-z0-9._~+/=-]+)$/i;

/** The bearer token of the Authorization header, when it has that form. */
export function bearerToken(req: Request): string | undefined {
  return req.get('authorization')?.match(BEARER)?.[1];
}

// The tenant quota reads the token before the endpoint authenticates: one signature check per request, not two.
const verified = new WeakMap<Request, { readonly token: string; readonly claims?: AccessClaims; readonly error?: unknown }>();

/** TokenService.verifyAccess, remembered for the rest of the request (the same token string only). Throws its 401. */
export function verifiedAccessClaims(req: Request, token: string, tokens: TokenService): AccessClaims {
  const known = verified.get(req);
  if (known?.token === token) {
    if (known.claims) return known.claims;
    throw known.error;
  }
  try {
    const claims = tokens.verifyAccess(token);
    verified.set(req, { token, claims });
    return claims;
  } catch (error) {
    verified.set(req, { token, error });
    throw error;
  }
}
