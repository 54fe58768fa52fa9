import type { z } from 'zod';
import type { TokenPair } from '../../schemas/auth.js';
import type { ErrorCode } from '../../schemas/error-codes.js';
import type { WebAuthnCredential } from '../../schemas/webauthn.js';
import type { Tx } from '../db/scope.js';
import type { AppDeps } from '../deps.js';
import { ConflictError, ForbiddenError, NotFoundError, UnauthenticatedError } from '../errors.js';
import { notifyAccountOwner } from '../notifications/notify.js';
import { recordSecurityEvent, recordSecurityEventApart } from '../security-events/record.js';
import type { TenantRecord } from '../tenants/repository.js';
import type { AccountKind } from './account-repository.js';
import { userIdOf, type Actor } from './actor.js';
import { clearAttempts } from './login-lock-repository.js';
import { CHALLENGE_USED, challengeOf, mfaIdentity, takeCodeAttempt } from './mfa.js';
import { consumeChallenge, findMfaState } from './mfa-repository.js';
import { inAccountScope, mfaMandatoryFor, settle, startSession, type ClientInfo } from './service.js';
import { requireRecentSignIn } from './step-up.js';
import {
  authenticationOptions, credentialView, registerCredential, registrationOptions, verifyAssertion,
  type AuthenticationResponse, type CreationOptions, type Refusal, type RegistrationResponse, type RequestOptions,
} from './webauthn.js';
import { countCredentials, deleteCredential, findOwnCredential, hasSecondFactor, listCredentials } from './webauthn-repository.js';

// WebAuthn as a second factor beside TOTP (ASVS V2.3.2): answering the sign-in challenge with a security key (amr
// pwd + hwk), registering one during an enrolment challenge, and a signed-in user's own keys. Refused answers count
// toward the same lock as wrong TOTP codes and leave an mfa.failed event naming the reason.

const DOES_NOT_VERIFY = 'The security key\u2019s answer does not verify; ask for new options and try again.';

// --- The sign-in challenge (public: the mfa_token is the credential) ---

async function challengeFor(deps: AppDeps, mfaToken: string, purpose: 'verify' | 'enrol') {
  const { challenge, tenant } = await challengeOf(deps, mfaToken);
  if (challenge.purpose !== purpose) {
    throw new ConflictError(purpose === 'verify' ? 'MFA is not set up yet: enrol with this challenge first.'
      : 'MFA is already set up: answer the challenge with your security key or a code.', { code: 'auth.mfa_not_enrolled' });
  }
  return { challenge, tenant };
}

/** Options for navigator.credentials.get() to answer a sign-in challenge with. */
export async function startChallengeAssertion(deps: AppDeps, mfaToken: string): Promise<RequestOptions> {
  const { challenge, tenant } = await challengeFor(deps, mfaToken, 'verify');
  return inAccountScope(deps, tenant, (tx) => authenticationOptions(deps, tx, challenge.kind, challenge.sub));
}

/** Options for navigator.credentials.create() during an enrolment challenge (MFA mandatory, none set up). */
export async function startChallengeRegistration(deps: AppDeps, mfaToken: string): Promise<CreationOptions> {
  const { challenge, tenant } = await challengeFor(deps, mfaToken, 'enrol');
  return inAccountScope(deps, tenant, (tx) => registrationOptions(deps, tx, challenge.kind, challenge.sub));
}

type Proof = { kind: 'assertion'; response: AuthenticationResponse } | { kind: 'registration'; name: string; response: RegistrationResponse };

/**
 * Exchanges a challenge and the key's answer (an assertion, or for an enrolment challenge a new credential) for
 * tokens with amr pwd + hwk and the password check's auth_time. The challenge taken and the attempt counted stay
 * taken and counted when the answer is refused.
 */
export async function answerChallengeWithKey(deps: AppDeps, mfaToken: string, proof: Proof, client: ClientInfo): Promise<TokenPair> {
  const { challenge, tenant } = await challengeFor(deps, mfaToken, proof.kind === 'assertion' ? 'verify' : 'enrol');
  const { kind, sub } = challenge;
  const identities = [challenge.idh, mfaIdentity(kind, sub)];
  await takeCodeAttempt(deps, tenant, sub, identities);
  const outcome = await inAccountScope(deps, tenant, async (tx) => {
    const state = await findMfaState(tx, kind, sub);
    if (state?.status !== 'active') return { kind: 'invalid', message: 'The account is not active.', reason: 'account_inactive' } as const;
    const checked = proof.kind === 'assertion' ? await verifyAssertion(deps, tx, kind, sub, proof.response)
      : await registerCredential(deps, tx, kind, sub, proof.name, proof.response);
    if (typeof checked === 'string') return { kind: 'invalid', message: DOES_NOT_VERIFY, reason: checked } as const;
    if (!(await consumeChallenge(tx, kind, sub, challenge.seq))) {
      return { kind: 'invalid', message: CHALLENGE_USED, reason: 'challenge_used' } as const;
    }
    await clearAttempts(tx, identities);
    const pair = await startSession(deps, tx, tenant, sub, client, { auth_time: challenge.auth_time, amr: ['pwd', 'hwk'] });
    if (proof.kind === 'registration') {
      await recordSecurityEvent(tx, { tenant_id: tenant?.tenant_id ?? null, actor: { user_id: sub, role: pair.user.role },
        kind: 'mfa.enrolled', outcome: 'success', target: { type: 'webauthn_credential', id: checked.credential_id },
        details: { method: 'webauthn' } });
      await notifyAccountOwner(tx, deps, { kind, user_id: sub }, 'mfa.security_key_added');
    }
    return { kind: 'ok', pair } as const;
  });
  if (outcome.kind === 'invalid') {
    await failed(deps, tenant, sub, { step: challenge.purpose, reason: outcome.reason });
    throw new UnauthenticatedError(outcome.message, { code: REFUSAL_CODES[outcome.reason] ?? 'auth.webauthn_invalid' });
  }
  return settle(outcome);
}

const REFUSAL_CODES: Partial<Record<Refusal | 'account_inactive' | 'challenge_used', ErrorCode>> = {
  account_inactive: 'auth.invalid_credentials', challenge_used: 'auth.mfa_challenge_invalid',
};

async function failed(deps: AppDeps, tenant: TenantRecord | null | undefined, userId: string | undefined,
  details: { step: string; reason: Refusal | 'account_inactive' | 'challenge_used' }): Promise<void> {
  await recordSecurityEventApart(deps, { kind: 'mfa.failed', outcome: 'failure', details: { method: 'webauthn', ...details },
    ...(userId === undefined ? {} : { tenant_id: tenant?.tenant_id ?? null, actor: { user_id: userId, role: null } }) });
}

// --- A signed-in user's own keys ---

function accountOf(actor: Actor): { kind: AccountKind; user_id: string } {
  const userId = userIdOf(actor);
  if (actor.kind === 'system') throw new ForbiddenError('This needs a signed-in user.');
  return { kind: actor.kind, user_id: userId };
}

export async function listOwnCredentials(tx: Tx, actor: Actor): Promise<z.infer<typeof WebAuthnCredential>[]> {
  const { kind, user_id } = accountOf(actor);
  return (await listCredentials(tx, kind, user_id)).map(credentialView);
}

/** Registration options; adding a factor to an account that has one needs a recent sign-in with it. */
export async function startOwnRegistration(tx: Tx, deps: AppDeps, actor: Actor): Promise<CreationOptions> {
  const { kind, user_id } = accountOf(actor);
  if (await hasSecondFactor(tx, kind, user_id)) await requireRecentSignIn(deps, tx, actor);
  return registrationOptions(deps, tx, kind, user_id);
}

export async function finishOwnRegistration(tx: Tx, deps: AppDeps, actor: Actor, name: string, response: RegistrationResponse):
  Promise<z.infer<typeof WebAuthnCredential>> {
  const { kind, user_id } = accountOf(actor);
  const registered = await registerCredential(deps, tx, kind, user_id, name, response);
  if (registered === 'already_registered') {
    throw new ConflictError('This security key is already registered.', { code: 'auth.webauthn_credential_exists' });
  }
  if (typeof registered === 'string') {
    await failed(deps, undefined, undefined, { step: 'register', reason: registered });
    throw new UnauthenticatedError(DOES_NOT_VERIFY, { code: 'auth.webauthn_invalid' });
  }
  await recordSecurityEvent(tx, { kind: 'mfa.enrolled', outcome: 'success',
    target: { type: 'webauthn_credential', id: registered.credential_id }, details: { method: 'webauthn' } });
  await notifyAccountOwner(tx, deps, { kind, user_id }, 'mfa.security_key_added');
  return credentialView(registered);
}

/**
 * Removes one of the caller's keys, after a recent sign-in with a second factor. The last factor of an account
 * that must have MFA stays (as TOTP cannot be switched off there).
 */
export async function deleteOwnCredential(tx: Tx, deps: AppDeps, actor: Actor, credentialId: string): Promise<void> {
  const { kind, user_id } = accountOf(actor);
  if (!(await findOwnCredential(tx, kind, user_id, credentialId))) {
    throw new NotFoundError('You have no security key with this id.', { code: 'auth.webauthn_credential_not_found' });
  }
  const totp = Boolean((await findMfaState(tx, kind, user_id))?.mfa_secret_sealed);
  if (!totp && (await countCredentials(tx, kind, user_id)) === 1 && await mfaMandatoryFor(deps, tx, kind, user_id)) {
    throw new ForbiddenError('MFA is mandatory for your roles: register another key or a TOTP authenticator before removing this one.',
      { code: 'auth.mfa_mandatory' });
  }
  await requireRecentSignIn(deps, tx, actor);
  await deleteCredential(tx, kind, user_id, credentialId);
  await recordSecurityEvent(tx, { kind: 'mfa.disabled', outcome: 'success', target: { type: 'webauthn_credential', id: credentialId },
    details: { method: 'webauthn' } });
  await notifyAccountOwner(tx, deps, { kind, user_id }, 'mfa.security_key_removed');
}
