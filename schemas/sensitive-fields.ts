import { z } from 'zod';

// Sensitive personal data of a policyholder (DPDP): validated and canonical from the moment they are parsed.
// Stored sealed (src/data-protection/encryption), answered masked unless revealed.

// The Verhoeff check digit scheme (Aadhaar's last digit): dihedral group D5 multiplication and position permutation.
const D = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 2, 3, 4, 0, 6, 7, 8, 9, 5], [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
  [3, 4, 0, 1, 2, 8, 9, 5, 6, 7], [4, 0, 1, 2, 3, 9, 5, 6, 7, 8], [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
  [6, 5, 9, 8, 7, 1, 0, 4, 3, 2], [7, 6, 5, 9, 8, 2, 1, 0, 4, 3], [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
  [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
const P = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 5, 7, 6, 2, 8, 3, 0, 9, 4], [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
  [8, 9, 1, 6, 0, 4, 3, 5, 2, 7], [9, 4, 5, 3, 1, 2, 6, 8, 7, 0], [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
  [2, 7, 9, 3, 8, 0, 6, 4, 1, 5], [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];

/** Whether a digit string ends in its correct Verhoeff check digit. */
export function verhoeffValid(digits: string): boolean {
  let check = 0;
  [...digits].reverse().forEach((digit, position) => {
    check = D[check]?.[P[position % 8]?.[Number(digit)] ?? 0] ?? -1;
  });
  return check === 0;
}

export const Pan = z.string().trim().toUpperCase()
  .regex(/^[A-Z]{5}[0-9]{4}[A-Z]$/, 'must be a PAN: five letters, four digits, one letter (ABCDE1234F)');

/** 12 digits (spaces or hyphens between groups are dropped), not starting with 0 or 1, with a valid Verhoeff check digit. */
export const AadhaarNumber = z.string().transform((value) => value.replace(/[\s-]/g, ''))
  .pipe(z.string().regex(/^[2-9][0-9]{11}$/, 'must be a 12-digit Aadhaar number')
    .refine(verhoeffValid, 'is not a valid Aadhaar number (check digit)'));

export const BankAccount = z.object({
  account_number: z.string().trim().regex(/^[0-9]{9,18}$/, 'must be 9 to 18 digits'),
  ifsc: z.string().trim().toUpperCase().regex(/^[A-Z]{4}0[A-Z0-9]{6}$/, 'must be an IFSC code such as SBIN0001234'),
  holder_name: z.string().trim().min(1, 'must not be empty').max(200).optional(),
}).strict();
export type BankAccount = z.infer<typeof BankAccount>;

/** The fields a caller with reveal on PolicyholderSensitive may ask to see in full. */
export const REVEALABLE_FIELDS = ['pan', 'aadhaar_number', 'bank_account'] as const;
export type RevealableField = (typeof REVEALABLE_FIELDS)[number];

/** ?reveal=pan,aadhaar_number&purpose=...: a comma list of fields, and why (recorded with the reveal). */
export const RevealQuery = {
  reveal: z.string().max(200).transform((value, ctx) => {
    const fields = [...new Set(value.split(',').map((field) => field.trim()).filter(Boolean))];
    const unknown = fields.filter((field) => !(REVEALABLE_FIELDS as readonly string[]).includes(field));
    if (unknown.length || !fields.length) {
      ctx.addIssue({ code: 'custom', message: `must be a comma list of ${REVEALABLE_FIELDS.join(', ')}` });
      return z.NEVER;
    }
    return fields as RevealableField[];
  }).optional().describe(`Fields to answer in full (${REVEALABLE_FIELDS.join(', ')}); needs reveal on PolicyholderSensitive and a purpose`),
  purpose: z.string().trim().min(3, 'must say why, in at least 3 characters').max(200).optional()
    .describe('Why the full values are needed; recorded with the reveal'),
};
