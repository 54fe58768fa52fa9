// Money is integer paise in arithmetic, NUMERIC(14,2) in the database and a JSON number of rupees (at most two
// decimals) on the wire. Floating point never carries an amount: conversions go through decimal strings.

/** Integer paise; always a safe integer. */
export type Paise = number;

const DECIMAL_RUPEES = /^(-?)([0-9]{1,13})(?:\.([0-9]{1,2}))?$/;

/** Paise from a decimal string of rupees ('1350.5', '1350.50', '-3.2'); undefined when it is not one. */
export function parsePaise(rupees: string): Paise | undefined {
  const match = DECIMAL_RUPEES.exec(rupees.trim());
  if (!match) return undefined;
  const [, sign, whole, fraction = ''] = match;
  const paise = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  return sign === '-' ? -paise : paise;
}

/** Paise from a NUMERIC value as pg returns it (a string), or a JSON number of rupees that passed validation. */
export function toPaise(rupees: string | number): Paise {
  // String(1350.5) is '1350.5': JavaScript prints the shortest decimal that reads back as the same double.
  const paise = parsePaise(typeof rupees === 'number' ? String(rupees) : rupees);
  if (paise === undefined) throw new RangeError(`not an amount of rupees with at most two decimals: ${rupees}`);
  return paise;
}

/** The NUMERIC literal for the database: '1350.50'. */
export function toNumeric(paise: Paise): string {
  assertPaise(paise);
  const sign = paise < 0 ? '-' : '';
  const absolute = Math.abs(paise);
  return `${sign}${Math.trunc(absolute / 100)}.${String(absolute % 100).padStart(2, '0')}`;
}

/** Rupees as the JSON number the API sends: 135050 paise is 1350.5. */
export function toRupees(paise: Paise): number {
  return Number(toNumeric(paise));
}

/**
 * `percent` of an amount, rounded half up to the paisa. `percent` is a decimal string or number with at most
 * two decimals ('12.5'), so it is exact as integer hundredths of a percent.
 */
export function percentOf(paise: Paise, percent: string | number): Paise {
  const hundredths = toPaise(percent); // the same two-decimal exactness, read as hundredths of a percent
  const numerator = BigInt(paise) * BigInt(hundredths);
  const denominator = 10_000n;
  const quotient = numerator / denominator;
  const remainder = numerator % denominator;
  const roundsAway = remainder * 2n >= denominator || remainder * 2n <= -denominator;
  const rounded = roundsAway ? quotient + (numerator < 0n ? -1n : 1n) : quotient;
  return Number(rounded);
}

function assertPaise(paise: Paise): void {
  if (!Number.isSafeInteger(paise)) throw new RangeError(`paise must be a safe integer: ${paise}`);
}
