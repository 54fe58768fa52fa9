import { z } from 'zod';
import { IdParams, Timestamp, Uuid } from './common.js';

// WebAuthn (security keys, passkeys) as a second factor beside TOTP (ASVS V2.3.2, issue 11). The credentials a
// browser returns are passed through as its toJSON() gives them (base64url fields); the options are what
// navigator.credentials.create()/get() take, after PublicKeyCredential.parse*OptionsFromJSON().

const Base64Url = (max: number) => z.string().max(max).regex(/^[A-Za-z0-9_-]*$/, 'must be base64url');

const ClientExtensionResults = z.record(z.string(), z.unknown()).default({});

/** What both ceremonies' credentials share; each adds its own `response`. */
const PublicKeyCredential = z.object({
  id: Base64Url(1400).min(1, 'is required'),
  rawId: Base64Url(1400).min(1, 'is required'),
  type: z.literal('public-key'),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: ClientExtensionResults,
});

export const RegistrationCredential = PublicKeyCredential.extend({
  response: z.looseObject({
    clientDataJSON: Base64Url(8192).min(1, 'is required'),
    attestationObject: Base64Url(65536).min(1, 'is required'),
    transports: z.array(z.string().max(32)).max(10).optional(),
  }),
}).describe('PublicKeyCredential.toJSON() of navigator.credentials.create()');

export const AuthenticationCredential = PublicKeyCredential.extend({
  response: z.looseObject({
    clientDataJSON: Base64Url(8192).min(1, 'is required'),
    authenticatorData: Base64Url(8192).min(1, 'is required'),
    signature: Base64Url(2048).min(1, 'is required'),
    userHandle: Base64Url(256).optional(),
  }),
}).describe('PublicKeyCredential.toJSON() of navigator.credentials.get()');

const CredentialName = z.string().trim().min(1, 'is required').max(64)
  .describe('What you call this key or device, e.g. "YubiKey 5C" or "work laptop"');

export const WebAuthnRegistrationBody = z.object({ name: CredentialName, credential: RegistrationCredential }).strict();

const MfaToken = z.string().min(1, 'is required').max(2000);
export const ChallengeWebAuthnRegistrationBody = z.object({
  mfa_token: MfaToken, name: CredentialName, credential: RegistrationCredential,
}).strict();
export const WebAuthnAssertionBody = z.object({ mfa_token: MfaToken, credential: AuthenticationCredential }).strict();

const Descriptor = z.looseObject({ id: z.string(), type: z.literal('public-key'), transports: z.array(z.string()).optional() });

export const WebAuthnCreationOptions = z.looseObject({
  challenge: z.string().describe('Single use, valid for 5 minutes'),
  rp: z.looseObject({ id: z.string().optional(), name: z.string() }),
  user: z.looseObject({ id: z.string(), name: z.string(), displayName: z.string() }),
  pubKeyCredParams: z.array(z.looseObject({ alg: z.number(), type: z.literal('public-key') })),
  timeout: z.number().int().optional(),
  excludeCredentials: z.array(Descriptor).optional().describe('Your registered keys: an authenticator already registered refuses'),
  authenticatorSelection: z.looseObject({}).optional(),
  attestation: z.string().optional(),
}).describe('PublicKeyCredentialCreationOptionsJSON');

export const WebAuthnRequestOptions = z.looseObject({
  challenge: z.string().describe('Single use, valid for 5 minutes'),
  rpId: z.string().optional(),
  allowCredentials: z.array(Descriptor).optional(),
  timeout: z.number().int().optional(),
  userVerification: z.string().optional(),
}).describe('PublicKeyCredentialRequestOptionsJSON');

export const WebAuthnCredential = z.object({
  credential_id: Uuid,
  name: z.string(),
  transports: z.array(z.string()),
  device_type: z.string().nullable().describe("'singleDevice' (a security key) or 'multiDevice' (a synced passkey)"),
  backed_up: z.boolean(),
  created_at: Timestamp,
  last_used_at: Timestamp.nullable(),
});
export const WebAuthnCredentialList = z.object({ data: z.array(WebAuthnCredential) });
export const WebAuthnCredentialParams = IdParams('credential_id');

