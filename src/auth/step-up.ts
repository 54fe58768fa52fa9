import type { Tx } from '../db/scope.js';
import type { AppDeps } from '../deps.js';
import { UnauthenticatedError } from '../errors.js';
import { recordSecurityEventApart } from '../security-events/record.js';
import type { Actor } from './actor.js';
import { hasSecondFactor } from './webauthn-repository.js';

// ASVS V3.7.1: changes that hand out power (a password reset for someone else, roles, a new tenant, a suspension)
// need a sign-in within STEP_UP_MAX_AGE_MINUTES, with the second factor when the account has one. The answer is
// RFC 9470's: 401, error="insufficient_user_authentication" and the max_age the client must sign in within.

export async function requireRecentSignIn(deps: Pick<AppDeps, 'config' | 'now' | 'db' | 'log'>, tx: Tx, actor: Actor): Promise<void> {
  if (actor.kind === 'system') return;
  const maxAge = deps.config.mfa.stepUpMaxAgeSeconds;
  const age = Math.floor(deps.now() / 1000) - (actor.auth_time ?? 0);
  const recent = actor.auth_time !== null && age <= maxAge;
  const secondFactor = actor.amr.includes('otp') || actor.amr.includes('hwk');
  const enrolled = recent && !secondFactor && actor.user_id ? await hasSecondFactor(tx, actor.kind, actor.user_id) : false;
  if (recent && !enrolled) return;
  await recordSecurityEventApart(deps, { kind: 'auth.step_up_required', outcome: 'denied',
    details: { reason: enrolled ? 'second_factor_missing' : 'sign_in_too_old', max_age_seconds: maxAge } });
  throw new UnauthenticatedError(enrolled
    ? 'This needs a sign-in with your authenticator code or security key: sign in again, then retry.'
    : `This needs a sign-in within the last ${Math.round(maxAge / 60)} minutes: sign in again, then retry.`, {
    code: 'auth.step_up_required',
    headers: { 'WWW-Authenticate': `Bearer error="insufficient_user_authentication", error_description="A recent sign-in is required", max_age=${maxAge}` },
  });
}
