import crypto from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Config } from '../config.js';
import { UnauthenticatedError } from '../errors.js';

const ALGORITHM = 'HS256';
/** RFC 6750: a rejected bearer token says so in WWW-Authenticate. */
export const INVALID_TOKEN = { code: 'auth.token_invalid', headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' } } as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export type TokenKind = 'tenant' | 'platform';

/**
 * Authentication methods (RFC 8176): a password, and on top a one-time code (TOTP or a recovery code) or a
 * hardware-secured key (WebAuthn: a security key or passkey).
 */
export type AuthMethod = 'pwd' | 'otp' | 'hwk';
/** A token that may do only one thing: change the password an administrator set (POST /auth/password). */
export type TokenRestriction = 'password_change';

/** What an access token asserts. Roles are not in it: abilities are rebuilt from the database per request. */
export interface AccessClaims {
  readonly sub: string;
  readonly sid: string;
  readonly kind: TokenKind;
  readonly tid: string | null;
  /** When the user last proved who they are (seconds since the epoch): a refresh keeps it (step-up, ASVS V3.7.1). */
  readonly auth_time: number;
  readonly amr: readonly AuthMethod[];
  readonly rst?: TokenRestriction | undefined;
}

/** The short-lived proof that a password matched, exchanged for tokens with a TOTP or recovery code. */
export interface MfaChallengeClaims {
  readonly sub: string;
  readonly kind: TokenKind;
  readonly tid: string | null;
  readonly auth_time: number;
  /** 'verify': a code of the enrolled authenticator; 'enrol': MFA is mandatory and not set up yet. */
  readonly purpose: 'verify' | 'enrol';
  /** The login identity's lock digest: wrong codes count toward its lockout. */
  readonly idh: string;
  /** The account's challenge number when issued: issuing tokens moves it on, so a challenge works once. */
  readonly seq: number;
}

export const MFA_CHALLENGE_TTL_SECONDS = 300;
const AMR_VALUES = new Set(['pwd', 'otp', 'hwk']);

export interface RefreshToken {
  readonly kind: TokenKind;
  readonly tenantId: string | null;
  readonly sessionId: string;
  readonly secret: string;
}

const VERIFIED_TOKENS_KEPT = 10_000;

export class TokenService {
  /** A prepared HMAC key: given a string, jsonwebtoken tries to parse it as a PEM key on every call. */
  private readonly key: crypto.KeyObject;
  /**
   * Access tokens already verified, by their exact text, until they expire: a client sends the same token with
   * every request, and its signature and claims cannot have changed. (Sign-out is checked per request anyway: the
   * session is loaded with the caller.) The oldest entries go first past VERIFIED_TOKENS_KEPT.
   */
  private readonly verified = new Map<string, { readonly claims: AccessClaims; readonly exp: number }>();

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
    const { sid, kind, tid, auth_time, amr, rst } = claims;
    return jwt.sign({ sid, kind, tid, auth_time, amr, ...(rst ? { rst } : {}) }, this.key, {
      algorithm: ALGORITHM,
      subject: claims.sub,
      issuer: this.settings.issuer,
      audience: this.settings.audience,
      expiresIn: this.settings.accessTtlSeconds,
    });
  }

  /** Algorithm, issuer and audience are pinned; anything else about the token must also be well-formed. */
  verifyAccess(token: string): AccessClaims {
    const known = this.verified.get(token);
    // Expired as jsonwebtoken decides it (whole seconds); an expired entry goes, and the full check says why.
    if (known && Math.floor(Date.now() / 1000) < known.exp) return known.claims;
    if (known) this.verified.delete(token);
    const { exp, claims } = this.verifyAccessSignature(token);
    if (this.verified.size >= VERIFIED_TOKENS_KEPT) this.verified.delete(this.verified.keys().next().value as string);
    this.verified.set(token, { claims: Object.freeze(claims), exp });
    return claims;
  }

  private verifyAccessSignature(token: string): { exp: number; claims: AccessClaims } {
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
    const { sub, sid, kind, tid, exp, auth_time: authTime, amr, rst } = payload;
    // jsonwebtoken accepts a token without exp; ours always carry one, so one without it was not made here.
    const wellFormed = typeof exp === 'number' && typeof sub === 'string' && UUID.test(sub) && typeof sid === 'string' && UUID.test(sid)
      && ((kind === 'tenant' && typeof tid === 'string' && UUID.test(tid)) || (kind === 'platform' && tid === null))
      && Number.isInteger(authTime) && Array.isArray(amr) && amr.every((method) => AMR_VALUES.has(method))
      && (rst === undefined || rst === 'password_change');
    if (!wellFormed) throw new UnauthenticatedError('The access token is not valid.', INVALID_TOKEN);
    return { exp, claims: { sub, sid, kind, tid, auth_time: authTime as number, amr: amr as AuthMethod[], rst: rst as TokenRestriction | undefined } };
  }

  /** A challenge has an audience of its own: it never passes as an access token, nor one as a challenge. */
  signMfaChallenge(claims: MfaChallengeClaims): string {
    const { sub, ...rest } = claims;
    return jwt.sign(rest, this.key, {
      algorithm: ALGORITHM, subject: sub, issuer: this.settings.issuer, audience: `${this.settings.audience}#mfa`,
      expiresIn: MFA_CHALLENGE_TTL_SECONDS,
    });
  }

  verifyMfaChallenge(token: string): MfaChallengeClaims {
    const invalid = () => new UnauthenticatedError('The MFA challenge is not valid or has expired; sign in again.', { code: 'auth.mfa_challenge_invalid' });
    let payload: jwt.JwtPayload | string;
    try {
      payload = jwt.verify(token, this.key, { algorithms: [ALGORITHM], issuer: this.settings.issuer, audience: `${this.settings.audience}#mfa` });
    } catch {
      throw invalid();
    }
    if (typeof payload === 'string') throw invalid();
    const { sub, kind, tid, auth_time: authTime, purpose, idh, seq } = payload;
    const wellFormed = typeof sub === 'string' && UUID.test(sub) && Number.isInteger(authTime)
      && ((kind === 'tenant' && typeof tid === 'string' && UUID.test(tid)) || (kind === 'platform' && tid === null))
      && (purpose === 'verify' || purpose === 'enrol') && typeof idh === 'string' && /^[0-9a-f]{64}$/.test(idh)
      && Number.isSafeInteger(seq) && (seq as number) >= 0;
    if (!wellFormed) throw invalid();
    return { sub, kind, tid, auth_time: authTime as number, purpose, idh, seq: seq as number };
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
