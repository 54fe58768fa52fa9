import { TokenPair } from '../../schemas/auth.js';
import { MfaChallengeBody } from '../../schemas/mfa.js';
import {
  ChallengeWebAuthnRegistrationBody, WebAuthnAssertionBody, WebAuthnCreationOptions, WebAuthnCredential, WebAuthnCredentialList,
  WebAuthnCredentialParams, WebAuthnRegistrationBody, WebAuthnRequestOptions,
} from '../../schemas/webauthn.js';
import { problemResponse as problem, publicEndpoint, scopedEndpoint, type Endpoint } from '../http/endpoint.js';
import { clientInfo, NO_STORE } from './routes.js';
import {
  answerChallengeWithKey, deleteOwnCredential, finishOwnRegistration, listOwnCredentials, startChallengeAssertion,
  startChallengeRegistration, startOwnRegistration,
} from './webauthn-account.js';

// WebAuthn security keys and passkeys (ASVS V2.3.2): each ceremony is two calls, options (with a single-use
// challenge kept server-side) and the authenticator's answer. The sign-in ones are public: the mfa_token from
// POST /auth/login is the credential.

const invalidAnswer = problem('Challenge expired or invalid, or the key\u2019s answer does not verify');

export const webauthnEndpoints: Endpoint[] = [
  publicEndpoint({
    method: 'post', path: '/auth/mfa/webauthn/options', tag: 'auth', access: 'public', body: MfaChallengeBody,
    summary: 'Options for navigator.credentials.get() to answer the sign-in challenge with a security key',
    responses: { 200: { description: 'PublicKeyCredentialRequestOptionsJSON', schema: WebAuthnRequestOptions },
      400: problem('Invalid body'), 401: problem('Challenge expired or invalid'), 403: problem('Tenant suspended'),
      409: problem('No security key registered, or an enrolment challenge') },
  }, async ({ body, deps }) => ({ body: await startChallengeAssertion(deps, body.mfa_token), headers: NO_STORE })),

  publicEndpoint({
    method: 'post', path: '/auth/mfa/webauthn/verify', tag: 'auth', access: 'public', body: WebAuthnAssertionBody,
    summary: 'Answer the sign-in challenge with the security key\u2019s assertion and get the tokens (amr pwd, hwk)',
    responses: { 200: { description: 'Signed in', schema: TokenPair }, 400: problem('Invalid body'), 401: invalidAnswer,
      403: problem('Tenant suspended'), 409: problem('An enrolment challenge'), 423: problem('Five failed answers: try again after Retry-After') },
  }, async ({ body, req, deps }) => ({
    body: await answerChallengeWithKey(deps, body.mfa_token, { kind: 'assertion', response: body.credential }, clientInfo(req)),
    headers: NO_STORE,
  })),

  publicEndpoint({
    method: 'post', path: '/auth/mfa/challenge/webauthn/options', tag: 'auth', access: 'public', body: MfaChallengeBody,
    summary: 'For an enrolment challenge (MFA mandatory, not set up): options for navigator.credentials.create()',
    responses: { 200: { description: 'PublicKeyCredentialCreationOptionsJSON', schema: WebAuthnCreationOptions },
      400: problem('Invalid body'), 401: problem('Challenge expired or invalid'), 403: problem('Tenant suspended'),
      409: problem('Not an enrolment challenge') },
  }, async ({ body, deps }) => ({ body: await startChallengeRegistration(deps, body.mfa_token), headers: NO_STORE })),

  publicEndpoint({
    method: 'post', path: '/auth/mfa/challenge/webauthn/registration', tag: 'auth', access: 'public', body: ChallengeWebAuthnRegistrationBody,
    summary: 'For an enrolment challenge: register the new security key and get the tokens (amr pwd, hwk)',
    responses: { 200: { description: 'Signed in', schema: TokenPair }, 400: problem('Invalid body'), 401: invalidAnswer,
      403: problem('Tenant suspended'), 409: problem('Not an enrolment challenge'), 423: problem('Five failed answers') },
  }, async ({ body, req, deps }) => ({
    body: await answerChallengeWithKey(deps, body.mfa_token, { kind: 'registration', name: body.name, response: body.credential },
      clientInfo(req)),
    headers: NO_STORE,
  })),

  scopedEndpoint({
    method: 'get', path: '/auth/webauthn/credentials', tag: 'auth', access: 'signed_in',
    summary: 'Your security keys and passkeys',
    responses: { 200: { description: 'Your keys, oldest first', schema: WebAuthnCredentialList }, 401: problem('Not signed in') },
  }, async ({ tx, actor }) => ({ body: { data: await listOwnCredentials(tx, actor) } })),

  scopedEndpoint({
    method: 'post', path: '/auth/webauthn/registration/options', tag: 'auth', access: 'signed_in',
    summary: 'Options for navigator.credentials.create() to register a security key or passkey (an account that has a second '
      + 'factor needs a recent sign-in with it)',
    responses: { 200: { description: 'PublicKeyCredentialCreationOptionsJSON', schema: WebAuthnCreationOptions },
      401: problem('Not signed in, or step-up required') },
  }, async ({ tx, deps, actor }) => ({ body: await startOwnRegistration(tx, deps, actor), headers: NO_STORE })),

  scopedEndpoint({
    method: 'post', path: '/auth/webauthn/registration', tag: 'auth', access: 'signed_in', body: WebAuthnRegistrationBody,
    summary: 'Register the security key: the answer of navigator.credentials.create() to the latest options',
    responses: { 201: { description: 'Registered', schema: WebAuthnCredential }, 400: problem('Invalid body'),
      401: problem('Not signed in, or the key\u2019s answer does not verify'), 409: problem('This key is already registered') },
  }, async ({ tx, deps, actor, body }) => ({ status: 201, body: await finishOwnRegistration(tx, deps, actor, body.name, body.credential) })),

  scopedEndpoint({
    method: 'delete', path: '/auth/webauthn/credentials/:credential_id', tag: 'auth', access: 'signed_in', params: WebAuthnCredentialParams,
    summary: 'Remove one of your security keys (needs a recent sign-in with a second factor; not the last factor where MFA is mandatory)',
    responses: { 204: { description: 'Removed' }, 401: problem('Not signed in, or step-up required'),
      403: problem('MFA is mandatory for your roles and this is your last factor'), 404: problem('No such key of yours') },
  }, async ({ tx, deps, actor, params }) => {
    await deleteOwnCredential(tx, deps, actor, params.credential_id);
    return { status: 204 };
  }),
];
