import {
  MfaChallengeBody, MfaCodeBody, MfaEnrolment, MfaStatus, MfaVerifyBody, MfaVerifyResult, RecoveryCodes,
} from '../../schemas/mfa.js';
import { problemResponse as problem, publicEndpoint, scopedEndpoint, type Endpoint } from '../http/endpoint.js';
import {
  confirmOwnEnrolment, disableOwnMfa, mfaStatus, renewRecoveryCodes, startChallengeEnrolment, startOwnEnrolment,
  verifyChallenge,
} from './mfa.js';
import { clientInfo, NO_STORE } from './routes.js';

// TOTP MFA (issue 11): the sign-in challenge (public; the mfa_token from POST /auth/login is the credential) and
// a signed-in user's own enrolment. Secrets and recovery codes are shown once and never again.

export const mfaEndpoints: Endpoint[] = [
  publicEndpoint({
    method: 'post', path: '/auth/mfa/verify', tag: 'auth', access: 'public', body: MfaVerifyBody,
    summary: 'Answer the sign-in challenge with a TOTP code or a recovery code (each works once) and get the tokens; '
      + 'for an enrolment challenge, the first code of the new authenticator (the answer adds its recovery codes)',
    responses: { 200: { description: 'Signed in', schema: MfaVerifyResult }, 400: problem('Invalid body'),
      401: problem('Challenge expired or invalid, or a wrong or replayed code'), 403: problem('Tenant suspended'),
      423: problem('Five wrong codes: try again after Retry-After') },
  }, async ({ body, req, deps }) => ({ body: await verifyChallenge(deps, body, clientInfo(req)), headers: NO_STORE })),

  publicEndpoint({
    method: 'post', path: '/auth/mfa/challenge/enrolment', tag: 'auth', access: 'public', body: MfaChallengeBody,
    summary: 'For an enrolment challenge (MFA mandatory, not set up): a new TOTP secret and its otpauth:// URI; '
      + 'then POST /auth/mfa/verify with its first code',
    responses: { 200: { description: 'The secret, shown this once', schema: MfaEnrolment }, 400: problem('Invalid body'),
      401: problem('Challenge expired or invalid'), 403: problem('Tenant suspended'), 409: problem('Not an enrolment challenge') },
  }, async ({ body, deps }) => ({ body: await startChallengeEnrolment(deps, body.mfa_token), headers: NO_STORE })),

  scopedEndpoint({
    method: 'get', path: '/auth/mfa', tag: 'auth', access: 'signed_in',
    summary: 'Your MFA: enabled or not, whether your roles require it, recovery codes left',
    responses: { 200: { description: 'MFA status', schema: MfaStatus }, 401: problem('Not signed in') },
  }, async ({ tx, deps, actor }) => ({ body: await mfaStatus(tx, deps, actor) })),

  scopedEndpoint({
    method: 'post', path: '/auth/mfa/enrolment', tag: 'auth', access: 'signed_in',
    summary: 'Start enrolling a TOTP authenticator: a new secret and its otpauth:// URI (replacing an active one needs a recent sign-in)',
    responses: { 200: { description: 'The secret, shown this once', schema: MfaEnrolment }, 401: problem('Not signed in, or step-up required') },
  }, async ({ tx, deps, actor }) => ({ body: await startOwnEnrolment(tx, deps, actor), headers: NO_STORE })),

  scopedEndpoint({
    method: 'post', path: '/auth/mfa/enrolment/confirm', tag: 'auth', access: 'signed_in', body: MfaCodeBody,
    summary: 'Confirm the enrolment with the first code: MFA is on, and the answer holds ten one-time recovery codes',
    responses: { 200: { description: 'Recovery codes, shown this once', schema: RecoveryCodes }, 400: problem('Invalid body'),
      401: problem('Not signed in, or a wrong code'), 409: problem('No enrolment started'), 423: problem('Five wrong codes') },
  }, async ({ tx, deps, actor, body }) => ({ body: { recovery_codes: await confirmOwnEnrolment(tx, deps, actor, body.code) }, headers: NO_STORE })),

  scopedEndpoint({
    method: 'post', path: '/auth/mfa/recovery-codes', tag: 'auth', access: 'signed_in', body: MfaCodeBody,
    summary: 'Replace your recovery codes (the old ones stop working), given a current code',
    responses: { 200: { description: 'Recovery codes, shown this once', schema: RecoveryCodes }, 400: problem('Invalid body'),
      401: problem('Not signed in, or a wrong code'), 409: problem('MFA not set up'), 423: problem('Five wrong codes') },
  }, async ({ tx, deps, actor, body }) => ({ body: { recovery_codes: await renewRecoveryCodes(tx, deps, actor, body.code) }, headers: NO_STORE })),

  scopedEndpoint({
    method: 'post', path: '/auth/mfa/disable', tag: 'auth', access: 'signed_in', body: MfaCodeBody,
    summary: 'Switch MFA off, given a current code (refused where your roles require MFA)',
    responses: { 204: { description: 'Switched off' }, 400: problem('Invalid body'), 401: problem('Not signed in, or a wrong code'),
      403: problem('MFA is mandatory for your roles'), 409: problem('MFA not set up'), 423: problem('Five wrong codes') },
  }, async ({ tx, deps, actor, body }) => {
    await disableOwnMfa(tx, deps, actor, body.code);
    return { status: 204 };
  }),
];
