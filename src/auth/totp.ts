import { generateSecret, generateURI, verify } from 'otplib';
import { deriveKey, open, seal } from '../crypto/aead.js';
import type { AppDeps } from '../deps.js';
import { hashSecret } from './tokens.js';

// TOTP (RFC 6238: SHA-1, 6 digits, 30-second steps, what every authenticator app reads) through otplib, and the
// secrets' sealing: AES-256-GCM under the 'mfa' purpose key with the user id as associated data, so a sealed secret
// copied onto another account's row does not open.

export const TOTP_PERIOD = 30;
const RECOVERY_CODE_COUNT = 10;

type Clock = Pick<AppDeps, 'config' | 'now'>;

export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

export function otpauthUri(deps: Pick<AppDeps, 'config'>, label: string, secret: string): string {
  return generateURI({ issuer: deps.config.mfa.issuer, label, secret, period: TOTP_PERIOD, digits: 6, algorithm: 'sha1' });
}

export function sealSecret(deps: Pick<AppDeps, 'config'>, userId: string, secret: string): string {
  return seal(deriveKey(deps.config.masterKey, 'mfa'), secret, userId);
}

export function openSecret(deps: Pick<AppDeps, 'config'>, userId: string, sealed: string): string {
  return open(deriveKey(deps.config.masterKey, 'mfa'), sealed, userId);
}

/**
 * The time step a code matches (the current one, or one either side for clock drift), or null. A step at or
 * before `afterTimeStep` (the last one used) does not count: a code works once (ASVS V2.8.4).
 */
export async function matchTotp(deps: Clock, secret: string, code: string, afterTimeStep?: number): Promise<number | null> {
  const result = await verify({
    secret, token: code, epoch: Math.floor(deps.now() / 1000), epochTolerance: TOTP_PERIOD, period: TOTP_PERIOD,
    ...(afterTimeStep === undefined ? {} : { afterTimeStep }),
  });
  return result.valid && 'timeStep' in result ? result.timeStep : null;
}

/** Ten one-time recovery codes of 120 random bits each (base32, printed in groups of four) and their digests. */
export function newRecoveryCodes(): { codes: string[]; hashes: string[] } {
  const raw = Array.from({ length: RECOVERY_CODE_COUNT }, () => generateSecret({ length: 15 }));
  return { codes: raw.map((code) => code.match(/.{4}/g)?.join('-') ?? code), hashes: raw.map(recoveryCodeHash) };
}

/**
 * 120 random bits need no salt or slow hash to resist guessing (ASVS V2.6.2); the digest is of the canonical
 * form (upper case, no dashes), which the request schema produces.
 */
export function recoveryCodeHash(code: string): string {
  return hashSecret(`recovery-code\n${code}`);
}
