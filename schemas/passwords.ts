import { dictionary } from '@zxcvbn-ts/language-common';
import { z } from 'zod';

// What a new password must be (ASVS V2.1): 12 to 128 characters counted after Unicode normalisation (NFKC, so
// look-alike forms compare equal; spaces are kept as typed, never collapsed), any printable character allowed,
// and not one of the commonly used passwords of a bundled list (offline: nothing leaves the machine).

export const MIN_PASSWORD_CHARS = 12;
export const MAX_PASSWORD_CHARS = 128;

/** 49k common passwords from zxcvbn-ts's language-common package, lower-cased. */
const COMMON_PASSWORDS = new Set((dictionary['passwords-common'] as string[]).map((word) => word.toLowerCase()));

export function isCommonPassword(password: string): boolean {
  return COMMON_PASSWORDS.has(password.toLowerCase());
}

/** The form a password is hashed and checked in. */
export function normalisePassword(password: string): string {
  return password.normalize('NFKC');
}

export const Password = z.string().max(4 * MAX_PASSWORD_CHARS).transform(normalisePassword).superRefine((password, ctx) => {
  const length = [...password].length;
  if (length < MIN_PASSWORD_CHARS) ctx.addIssue({ code: 'custom', message: `must be at least ${MIN_PASSWORD_CHARS} characters` });
  else if (length > MAX_PASSWORD_CHARS) ctx.addIssue({ code: 'custom', message: `must be at most ${MAX_PASSWORD_CHARS} characters` });
  else if (isCommonPassword(password)) ctx.addIssue({ code: 'custom', message: 'is a commonly used password; choose another' });
}).describe(`${MIN_PASSWORD_CHARS} to ${MAX_PASSWORD_CHARS} characters after NFKC normalisation, not a commonly used password`);
