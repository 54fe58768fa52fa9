import type { NotificationTopic } from '../../schemas/notifications.js';

// What the account's owner reads. Never a secret, a code or a token: only what happened and what to do if it was
// not them.

const IF_NOT_YOU = 'If this was not you, sign in and change your password, or ask your administrator for help at once.';

const MESSAGES: Record<NotificationTopic, { subject: string; body: string }> = {
  'account.password_changed': { subject: 'Your password was changed',
    body: `The password of your account was changed, and your other sessions were ended. ${IF_NOT_YOU}` },
  'account.password_reset': { subject: 'An administrator reset your password',
    body: `An administrator set a new password for your account. ${IF_NOT_YOU}` },
  'account.locked_out': { subject: 'Your sign-in was locked after repeated failures',
    body: `Several wrong passwords were tried for your account, so sign-in is locked for a while. ${IF_NOT_YOU}` },
  'mfa.enrolled': { subject: 'Two-step sign-in was turned on',
    body: `An authenticator app was added to your account; sign-ins now ask for its code. ${IF_NOT_YOU}` },
  'mfa.replaced': { subject: 'Your authenticator was replaced',
    body: `A new authenticator app replaced the one on your account; the old one no longer works. ${IF_NOT_YOU}` },
  'mfa.disabled': { subject: 'Two-step sign-in was turned off',
    body: `Your account no longer asks for an authenticator code at sign-in. ${IF_NOT_YOU}` },
  'mfa.reset': { subject: 'An administrator reset your two-step sign-in',
    body: `An administrator removed the authenticator, recovery codes and security keys from your account; you will set up a new one at your next sign-in where it is required. ${IF_NOT_YOU}` },
  'mfa.recovery_codes_renewed': { subject: 'New recovery codes were made',
    body: `Your account has new recovery codes; the old ones no longer work. ${IF_NOT_YOU}` },
  'mfa.recovery_code_used': { subject: 'A recovery code was used to sign in',
    body: `One of your recovery codes was used to sign in; it cannot be used again. ${IF_NOT_YOU}` },
  'mfa.code_replayed': { subject: 'An authenticator code was used twice',
    body: `A code from your authenticator that had already been used was presented again and refused: someone may know your password and have seen a code. ${IF_NOT_YOU}` },
  'mfa.security_key_added': { subject: 'A security key was added',
    body: `A security key or passkey was registered on your account; it can now answer the second step of a sign-in. ${IF_NOT_YOU}` },
  'mfa.security_key_removed': { subject: 'A security key was removed',
    body: `A security key or passkey was removed from your account and no longer signs you in. ${IF_NOT_YOU}` },
  'session.refresh_token_reused': { subject: 'A session was ended because its token was reused',
    body: `A sign-in token of one of your sessions was presented after it had been replaced, so that session was ended. ${IF_NOT_YOU}` },
};

export function messageFor(topic: NotificationTopic): { subject: string; body: string } {
  return MESSAGES[topic];
}
