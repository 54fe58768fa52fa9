import { z } from 'zod';
import { ERROR_CODE_LIST } from './error-codes.js';

// Shapes shared by every module. Field names are snake_case end to end, as in the database.

// Plain messages for the two commonest mistakes; zod's own wording is kept for the rest.
z.config({
  customError: (issue) => {
    if (issue.code === 'invalid_type' && issue.input === undefined) return 'is required';
    if (issue.code === 'unrecognized_keys') return `unknown field(s): ${issue.keys.join(', ')}`;
    return undefined;
  },
});

/**
 * A UUID in its canonical spelling: the hex digits are lower-cased as the value is parsed, so every later comparison
 * (a caller's own id, a map keyed by the database's ids) sees the same string the database returns. Braces or a
 * missing dash are a 400, not another spelling of the same id.
 */
export const Uuid = z.uuid({ message: 'must be a UUID' }).toLowerCase();
export const Timestamp = z.string().describe('ISO 8601 timestamp with zone');
/**
 * An ISO 8601 timestamp with zone, as a client sends it. Refused here rather than by PostgreSQL (a 500): year 0000,
 * which it has no time in, and a zone offset beyond its ±15:59 (`+23:59` is well-formed ISO 8601, but no zone).
 */
export const ZonedTimestamp = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 timestamp with zone' })
  .refine((text) => !text.startsWith('0000'), 'must be in year 0001 or later')
  .refine((text) => Number(/[+-](\d{2}):?\d{2}$/.exec(text)?.[1] ?? 0) <= 15, 'must have a zone offset from -15:59 to +15:59');
/**
 * A real calendar date spelled YYYY-MM-DD, from 1900 on. JavaScript reads years 0000 to 0099 too, but PostgreSQL
 * refuses year 0000 (a 400 naming no field) and date arithmetic on year 0001 leaves the calendar (a 500).
 */
export const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD').refine((text) => {
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
}, 'must be a real calendar date').refine((text) => text >= '1900', 'must be 1900-01-01 or later');
/** An e-mail address, trimmed and lower-cased as it is parsed (the database stores and compares that spelling). */
export const Email = z.string().trim().toLowerCase().max(255).email({ message: 'must be an e-mail address' });
/**
 * A phone number in its international spelling, as it is parsed (the database stores and compares that one): a
 * ten-digit number is Indian (+91), as is one with the trunk 0 in front; digits without a plus but with a country
 * code get the plus. So 9812345678, 09812345678, 919812345678 and +919812345678 are one number, +919812345678.
 * Spaces, dashes and brackets between the digits (`+91 98123-45678`) are how people write them, and are left out.
 */
export const PhoneNumber = z.string().max(30).transform((text) => text.replace(/[\s()-]/g, ''))
  .pipe(z.string().regex(/^\+?[0-9]{10,14}$/, 'must be 10 to 14 digits, optionally with a leading +'))
  .transform(internationalPhone);

export function internationalPhone(text: string): string {
  if (text.startsWith('+')) return text;
  if (text.length === 10) return `+91${text}`;
  if (text.length === 11 && text.startsWith('0')) return `+91${text.slice(1)}`;
  return `+${text}`;
}
export { Password } from './passwords.js';
/** A username, lower-cased as it is parsed (the database stores and compares that spelling). */
export const Username = z.string().trim().toLowerCase()
  .regex(/^[a-z0-9][a-z0-9._-]{2,99}$/, 'must be 3 to 100 letters, digits, dots, dashes or underscores');
/**
 * A tenant code: upper-case letters, digits and underscores, 2 to 20, a letter first. Its schema is
 * `lower(code)_schema`, and PostgreSQL reserves schema names starting with pg_ (42939), so PG_ is refused.
 */
export const TENANT_CODE_PATTERN = /^(?!PG_)[A-Z][A-Z0-9_]{1,19}$/;
export const TenantCode = z.string().regex(TENANT_CODE_PATTERN, {
  error: (issue) => (typeof issue.input === 'string' && issue.input.startsWith('PG_')
    ? 'must not start with PG_ (reserved by PostgreSQL)'
    : 'must match ^[A-Z][A-Z0-9_]{1,19}$'),
});

/** Whole-rupee digits a money column holds: every one is NUMERIC(14, 2), 12 digits before the point. */
export const MONEY_COLUMN_DIGITS = 12;

/** A non-negative amount spelled with at most `wholeDigits` digits before the point and two after it. */
function rupeeSpelling(wholeDigits: number): RegExp {
  return new RegExp(`^[0-9]{1,${wholeDigits}}(\\.[0-9]{1,2})?$`);
}

const COLUMN_AMOUNT = rupeeSpelling(MONEY_COLUMN_DIGITS);
const SUM_AMOUNT = rupeeSpelling(MONEY_COLUMN_DIGITS + 1);

/**
 * An amount of rupees as a JSON number with at most two decimals (1350.5), non-negative and below 10^12: a 13th digit
 * would pass here and fail in the money column without naming its field. It is checked on its decimal spelling, so
 * 0.1 + 0.2 style noise (0.30000000000000004) is refused rather than rounded.
 */
export const Rupees = z.number({ message: 'must be an amount in rupees' })
  .refine((value) => COLUMN_AMOUNT.test(String(value)),
    'must be an amount in rupees, at least 0, below 10^12, with at most two decimals');

/** A reply's sum of Rupees amounts (a dashboard total): it may pass 10^12, and stays below the 10^13 money.ts reads. */
export const RupeeSum = z.number()
  .refine((value) => SUM_AMOUNT.test(String(value)), 'must be a sum of rupees below 10^13')
  .describe('Rupees (a sum)');

export const ListQuery = z.object({
  // Digits only: z.coerce.number would also take '0x10', '1e2' or ' 7'. Described, as the OpenAPI document shows
  // the limit as the string it is parsed from, without its range or default.
  limit: z.string().regex(/^[0-9]{1,3}$/, 'must be a whole number from 1 to 200').transform(Number)
    .pipe(z.number().int().min(1, 'must be at least 1').max(200, 'must be at most 200')).default(50)
    .describe('Page size: 1 to 200, 50 when left out'),
  cursor: z.string().max(500).optional().describe("The previous page's next_cursor"),
}).strict(); // Strict, and so is every list's query extended from it: a misspelt filter is a 400, never a silently unfiltered list.
export type ListQuery = z.infer<typeof ListQuery>;

export function page<T extends z.ZodType>(item: T) {
  return z.object({ data: z.array(item), next_cursor: z.string().nullable() });
}

export const FieldErrorSchema = z.object({ path: z.string(), message: z.string() });
export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  code: z.enum(ERROR_CODE_LIST).describe('A stable reason a client can branch on (see ERROR_CODES)'),
  detail: z.string(),
  instance: z.string().optional(),
  errors: z.array(FieldErrorSchema).optional(),
});

export const IdParams = <K extends string>(key: K) => z.object({ [key]: Uuid } as Record<K, typeof Uuid>);
