import {
  generateAuthenticationOptions, generateRegistrationOptions, verifyAuthenticationResponse, verifyRegistrationResponse,
} from '@simplewebauthn/server';
import type { z } from 'zod';
import type {
  PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import type { AuthenticationCredential, RegistrationCredential, WebAuthnCredential } from '../../schemas/webauthn.js';
import type { Tx } from '../db/scope.js';
import type { AppDeps } from '../deps.js';
import { ConflictError, UnauthenticatedError } from '../errors.js';
import type { AccountKind } from './account-repository.js';
import { findMfaState } from './mfa-repository.js';
import {
  countCredentials, credentialIdTaken, findCredentialByWebAuthnId, insertCredential, listCredentials, putChallenge,
  recordCredentialUse, takeChallenge, type ChallengePurpose, type CredentialRow,
} from './webauthn-repository.js';

// WebAuthn ceremonies (ASVS V2.3.2) through @simplewebauthn/server: options with a challenge kept server-side
// (single use, 5 minutes), and the verification of what the authenticator answered against it, the configured
// relying party id and origins, and the stored public key and signature counter. User presence is required, user
// verification (a PIN, a fingerprint) is not: the key is the second factor, the password the first.

export const WEBAUTHN_CHALLENGE_TTL_SECONDS = 300;

export type CreationOptions = PublicKeyCredentialCreationOptionsJSON;
export type RequestOptions = PublicKeyCredentialRequestOptionsJSON;
export type RegistrationResponse = z.infer<typeof RegistrationCredential>;
export type AuthenticationResponse = z.infer<typeof AuthenticationCredential>;
type Deps = Pick<AppDeps, 'config' | 'now'>;

/** Why an answer was refused: kept in the security event, never told to the client beyond "does not verify". */
export type Refusal = 'no_challenge' | 'challenge_expired' | 'unknown_credential' | 'counter_regression' | 'not_verified'
  | 'already_registered';

/** The WebAuthn user handle: the account's uuid as 16 bytes (opaque, no personal data). */
function userHandle(userId: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(userId.replaceAll('-', ''), 'hex'));
}

async function newChallenge(deps: Deps, tx: Tx, kind: AccountKind, userId: string, purpose: ChallengePurpose, challenge: string) {
  const now = deps.now();
  await putChallenge(tx, kind, userId, purpose, challenge,
    { now: new Date(now), expires_at: new Date(now + WEBAUTHN_CHALLENGE_TTL_SECONDS * 1000) });
}

/** The challenge the answer must carry, taken (single use); a reason when there is none or it expired. */
async function takeLiveChallenge(deps: Deps, tx: Tx, kind: AccountKind, userId: string, purpose: ChallengePurpose):
  Promise<string | Refusal> {
  const taken = await takeChallenge(tx, kind, userId, purpose);
  if (!taken) return 'no_challenge';
  return taken.expires_at.getTime() <= deps.now() ? 'challenge_expired' : taken.challenge;
}

/** Options for navigator.credentials.create(): the user's registered keys are excluded. */
export async function registrationOptions(deps: Deps, tx: Tx, kind: AccountKind, userId: string): Promise<CreationOptions> {
  const state = await findMfaState(tx, kind, userId);
  if (!state) throw new UnauthenticatedError('The account no longer exists.');
  const existing = await listCredentials(tx, kind, userId);
  const options = await generateRegistrationOptions({
    rpName: deps.config.webauthn.rpName, rpID: deps.config.webauthn.rpId, userID: userHandle(userId),
    userName: state.label, userDisplayName: state.label, timeout: WEBAUTHN_CHALLENGE_TTL_SECONDS * 1000, attestationType: 'none',
    excludeCredentials: existing.map((credential) => ({ id: credential.webauthn_id, transports: credential.transports })),
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
  });
  await newChallenge(deps, tx, kind, userId, 'register', options.challenge);
  return options;
}

/** Verifies a new credential against the user's registration challenge and stores it. */
export async function registerCredential(deps: Deps, tx: Tx, kind: AccountKind, userId: string, name: string,
  response: RegistrationResponse): Promise<CredentialRow | Refusal> {
  const challenge = await takeLiveChallenge(deps, tx, kind, userId, 'register');
  if (challenge === 'no_challenge' || challenge === 'challenge_expired') return challenge;
  const verification = await verifyRegistrationResponse({
    response: response as Parameters<typeof verifyRegistrationResponse>[0]['response'], expectedChallenge: challenge,
    expectedOrigin: [...deps.config.webauthn.origins], expectedRPID: deps.config.webauthn.rpId, requireUserVerification: false,
  }).catch(() => ({ verified: false as const }));
  if (!verification.verified) return 'not_verified';
  const info = verification.registrationInfo;
  if (await credentialIdTaken(tx, kind, info.credential.id)) return 'already_registered';
  return insertCredential(tx, kind, {
    user_id: userId, webauthn_id: info.credential.id, public_key: Buffer.from(info.credential.publicKey),
    sign_count: info.credential.counter, transports: info.credential.transports ?? response.response.transports ?? [], name,
    aaguid: info.aaguid, device_type: info.credentialDeviceType, backed_up: info.credentialBackedUp,
  });
}

/** Options for navigator.credentials.get(): only this account's keys are allowed. */
export async function authenticationOptions(deps: Deps, tx: Tx, kind: AccountKind, userId: string): Promise<RequestOptions> {
  const credentials = await listCredentials(tx, kind, userId);
  if (!credentials.length) {
    throw new ConflictError('No security key is registered for this account: answer with a TOTP or recovery code.',
      { code: 'auth.webauthn_not_registered' });
  }
  const options = await generateAuthenticationOptions({
    rpID: deps.config.webauthn.rpId, timeout: WEBAUTHN_CHALLENGE_TTL_SECONDS * 1000, userVerification: 'preferred',
    allowCredentials: credentials.map((credential) => ({ id: credential.webauthn_id, transports: credential.transports })),
  });
  await newChallenge(deps, tx, kind, userId, 'authenticate', options.challenge);
  return options;
}

/**
 * Verifies an assertion of one of this account's keys against its authentication challenge; a signature counter
 * that does not move forward (a cloned authenticator) is refused. Records the new counter.
 */
export async function verifyAssertion(deps: Deps, tx: Tx, kind: AccountKind, userId: string, response: AuthenticationResponse):
  Promise<CredentialRow | Refusal> {
  const challenge = await takeLiveChallenge(deps, tx, kind, userId, 'authenticate');
  if (challenge === 'no_challenge' || challenge === 'challenge_expired') return challenge;
  const credential = await findCredentialByWebAuthnId(tx, kind, userId, response.id);
  if (!credential) return 'unknown_credential';
  let outcome: { newCounter: number } | Refusal;
  try {
    const verification = await verifyAuthenticationResponse({
      response: response as Parameters<typeof verifyAuthenticationResponse>[0]['response'], expectedChallenge: challenge,
      expectedOrigin: [...deps.config.webauthn.origins], expectedRPID: deps.config.webauthn.rpId, requireUserVerification: false,
      credential: { id: credential.webauthn_id, publicKey: new Uint8Array(credential.public_key), counter: Number(credential.sign_count),
        transports: credential.transports as never },
    });
    outcome = verification.verified ? verification.authenticationInfo : 'not_verified';
  } catch (error) {
    // The library's one way of saying the counter went back (or stood still above zero).
    outcome = error instanceof Error && /counter value/i.test(error.message) ? 'counter_regression' : 'not_verified';
  }
  if (typeof outcome === 'string') return outcome;
  await recordCredentialUse(tx, kind, credential.credential_id, outcome.newCounter, new Date(deps.now()));
  return credential;
}

export function credentialView(row: CredentialRow): z.infer<typeof WebAuthnCredential> {
  return {
    credential_id: row.credential_id, name: row.name, transports: row.transports, device_type: row.device_type,
    backed_up: row.backed_up, created_at: row.created_at.toISOString(), last_used_at: row.last_used_at?.toISOString() ?? null,
  };
}

/** The second factors a sign-in challenge may be answered with. */
export async function challengeMethods(tx: Tx, kind: AccountKind, userId: string, purpose: 'verify' | 'enrol'):
  Promise<('totp' | 'recovery_code' | 'webauthn')[]> {
  if (purpose === 'enrol') return ['totp', 'webauthn'];
  const totp = Boolean((await findMfaState(tx, kind, userId))?.mfa_secret_sealed);
  const keys = (await countCredentials(tx, kind, userId)) > 0;
  return [...(totp ? ['totp', 'recovery_code'] as const : []), ...(keys ? ['webauthn'] as const : [])];
}
