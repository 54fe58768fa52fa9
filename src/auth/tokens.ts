import crypto from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Config } from '../config.js';
import { UnauthenticatedError } from '../errors.js';

const ALGORITHM = 'HS256';
/** RFC 6750: a rejected bearer token says so in WWW-Authenticate. */
export const INVALID_TOKEN = { code: 'auth.token_invalid', headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' } } as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export type TokenKind = 'tenant' | 'platform';

/** What an access token asserts. Roles are not in it: abilities are rebuilt from the database per request. */
export interface AccessClaims {
  readonly sub: string;
  readonly sid: string;
  readonly kind: TokenKind;
  readonly tid: string | null;
}

export interface RefreshToken {
  readonly kind: TokenKind;
  readonly tenantId: string | null;
  readonly sessionId: string;
  readonly secret: string;
}

export class TokenService {
  /** A prepared HMAC key: given a string, jsonwebtoken tries to parse it as a PEM key on every call. */
  private readonly key: crypto.KeyObject;

  constructor(private readonly settings: Config['jwt']) {
    this.key = crypto.createSecretKey(Buffer.from(settings.secret, 'utf8'));
  }

  get accessTtlSeconds(): number {
    return this.settings.accessTtlSeconds;
  }

  get refreshTtlSeconds(): number {
    return this.settings.refreshTtlSeconds;
  }

  signAccess(claims: AccessClaims): string {
    return jwt.sign({ sid: claims.sid, kind: claims.kind, tid: claims.tid }, this.key, {
      algorithm: ALGORITHM,
      subject: claims.sub,
      issuer: this.settings.issuer,
      audience: this.settings.audience,
      expiresIn: this.settings.accessTtlSeconds,
    });
  }

  /** Algorithm, issuer and audience are pinned; anything else about the token must also be well-formed. */
  verifyAccess(token: string): AccessClaims {
    let payload: jwt.JwtPayload | string;
    try {
      payload = jwt.verify(token, this.key, {
        algorithms: [ALGORITHM],
        issuer: this.settings.issuer,
        audience: this.settings.audience,
      });
    } catch (error) {
      const expired = error instanceof jwt.TokenExpiredError;
      throw new UnauthenticatedError(expired ? 'The access token has expired.' : 'The access token is not valid.', INVALID_TOKEN);
    }
    if (typeof payload === 'string') throw new UnauthenticatedError('The access token is not valid.', INVALID_TOKEN);
    const { sub, sid, kind, tid, exp } = payload;
    // jsonwebtoken accepts a token without exp; ours always carry one, so one without it was not made here.
    const wellFormed = typeof exp === 'number' && typeof sub === 'string' && UUID.test(sub) && typeof sid === 'string' && UUID.test(sid)
      && ((kind === 'tenant' && typeof tid === 'string' && UUID.test(tid)) || (kind === 'platform' && tid === null));
    if (!wellFormed) throw new UnauthenticatedError('The access token is not valid.', INVALID_TOKEN);
    return { sub, sid, kind, tid };
  }

  /** Opaque refresh token `rt1.<tenant id | platform>.<session id>.<secret>`; only the secret's hash is stored. */
  newRefreshToken(tenantId: string | null, sessionId: string): { token: string; hash: string } {
    const secret = crypto.randomBytes(32).toString('base64url');
    return { token: `rt1.${tenantId ?? 'platform'}.${sessionId}.${secret}`, hash: hashSecret(secret) };
  }

  parseRefresh(token: string): RefreshToken {
    const [version, owner, sessionId, secret, ...rest] = token.split('.');
    const valid = version === 'rt1' && owner && sessionId && UUID.test(sessionId) && secret
      && /^[A-Za-z0-9_-]{43}$/.test(secret) && rest.length === 0 && (owner === 'platform' || UUID.test(owner));
    if (!valid) throw new UnauthenticatedError('The refresh token is not valid.', { code: 'auth.token_invalid' });
    return owner === 'platform'
      ? { kind: 'platform', tenantId: null, sessionId, secret }
      : { kind: 'tenant', tenantId: owner, sessionId, secret };
  }
}

export function hashSecret(secret: string): string {
  return crypto.createHash('sha256').update(secret).digest('hex');
}

/** Constant-time comparison of two hex digests. */
export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && crypto.timingSafeEqual(left, right);
}
