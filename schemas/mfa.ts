import { z } from 'zod';
import { Timestamp } from './common.js';
import { TokenPair } from './auth.js';

// TOTP MFA (RFC 6238) and its sign-in challenge (issue 11).

export const TotpCode = z.string().trim().regex(/^[0-9]{6}$/, 'must be the 6 digits your authenticator shows');
/** Recovery codes are read case-blind, with or without the dashes they are printed with. */
export const RecoveryCode = z.string().trim().max(64).transform((code) => code.replace(/[\s-]/g, '').toUpperCase())
  .refine((code) => /^[A-Z2-7]{24}$/.test(code), 'is not a recovery code');

export const MfaChallenge = z.object({
  mfa_required: z.literal(true),
  mfa_enrolment_required: z.boolean().describe('MFA is mandatory for this account and not set up: enrol with the challenge first'),
  mfa_token: z.string().describe('Short-lived (5 minutes): exchange it at POST /auth/mfa/verify'),
  expires_in: z.number().int(),
  methods: z.array(z.enum(['totp', 'recovery_code', 'webauthn'])),
});

export const LoginResult = z.union([TokenPair, MfaChallenge]);

export const MfaVerifyBody = z.object({
  mfa_token: z.string().min(1, 'is required').max(2000),
  code: TotpCode.optional(),
  recovery_code: RecoveryCode.optional(),
}).strict().refine((body) => (body.code === undefined) !== (body.recovery_code === undefined), {
  message: 'give exactly one of code or recovery_code', path: ['code'],
  when: (payload) => typeof payload.value === 'object' && payload.value !== null,
});

export const MfaChallengeBody = z.object({ mfa_token: z.string().min(1, 'is required').max(2000) }).strict();

export const MfaEnrolment = z.object({
  secret: z.string().describe('Base32 TOTP secret: shown this once, never again'),
  otpauth_uri: z.string().describe('otpauth://totp/… for a QR code'),
  algorithm: z.literal('SHA1'),
  digits: z.literal(6),
  period: z.literal(30),
});

export const MfaCodeBody = z.object({ code: TotpCode }).strict();

export const RecoveryCodes = z.object({
  recovery_codes: z.array(z.string()).describe('Each works once; shown this once, kept only as digests'),
});

/** The answer to a verified enrolment challenge: the tokens, and the recovery codes of the new enrolment. */
export const MfaVerifyResult = TokenPair.extend({ recovery_codes: z.array(z.string()).optional() });

export const MfaStatus = z.object({
  enabled: z.boolean().describe('Sign-in asks for a second factor: an authenticator app, a security key or both'),
  methods: z.array(z.enum(['totp', 'webauthn'])).describe('The second factors the account has'),
  enabled_at: Timestamp.nullable().describe('When the authenticator app was confirmed'),
  security_keys: z.number().int().describe('Security keys and passkeys registered (GET /auth/webauthn/credentials)'),
  mandatory: z.boolean().describe('Your roles require MFA: it cannot be switched off'),
  recovery_codes_left: z.number().int(),
});
