// Calendar dates as plain 'YYYY-MM-DD' strings: no time of day, no zone, so a due date never shifts by a day
// when a server runs in another zone. Such strings sort and compare correctly as text.

export type IsoDate = string;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function parts(date: IsoDate): [number, number, number] {
  const match = ISO_DATE.exec(date);
  if (!match) throw new RangeError(`not a YYYY-MM-DD date: ${date}`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

function format(year: number, month: number, day: number): IsoDate {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** True for a real calendar date spelled YYYY-MM-DD (2026-02-30 is not one). */
export function isIsoDate(text: string): boolean {
  const match = ISO_DATE.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return year >= 1900 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * `months` calendar months later, clamped to the end of a shorter month, as PostgreSQL's `date + interval` does:
 * Jan 31 + 1 month is Feb 28 (29 in a leap year), and Jan 31 + 2 months is Mar 31 (always counted from `date`).
 */
export function addMonths(date: IsoDate, months: number): IsoDate {
  const [year, month, day] = parts(date);
  const index = year * 12 + (month - 1) + months;
  const targetYear = Math.floor(index / 12);
  const targetMonth = (index % 12) + 1;
  return format(targetYear, targetMonth, Math.min(day, daysInMonth(targetYear, targetMonth)));
}

export function addDays(date: IsoDate, days: number): IsoDate {
  const [year, month, day] = parts(date);
  const shifted = new Date(Date.UTC(year, month - 1, day + days));
  return format(shifted.getUTCFullYear(), shifted.getUTCMonth() + 1, shifted.getUTCDate());
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  const [y1, m1, d1] = parts(from);
  const [y2, m2, d2] = parts(to);
  return Math.round((Date.UTC(y2, m2 - 1, d2) - Date.UTC(y1, m1 - 1, d1)) / 86_400_000);
}

export function firstOfMonth(date: IsoDate): IsoDate {
  const [year, month] = parts(date);
  return format(year, month, 1);
}

export function firstOfYear(date: IsoDate): IsoDate {
  return format(parts(date)[0], 1, 1);
}

/** The calendar date at `instant` in `timeZone` (the business day of an Indian insurer is Asia/Kolkata's). */
export function dateIn(timeZone: string, instant: Date = new Date()): IsoDate {
  return dayFormat(timeZone).format(instant);
}

// Building an Intl.DateTimeFormat costs about a millisecond: one per zone, kept.
const dayFormats = new Map<string, Intl.DateTimeFormat>();
function dayFormat(timeZone: string): Intl.DateTimeFormat {
  let format = dayFormats.get(timeZone);
  if (!format) {
    // en-CA formats as YYYY-MM-DD.
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, format);
  }
  return format;
}

/** The business zone of the product: premium due dates and "this month" are Indian calendar days. */
export const BUSINESS_TIME_ZONE = 'Asia/Kolkata';

export function businessToday(instant: Date = new Date()): IsoDate {
  return dateIn(BUSINESS_TIME_ZONE, instant);
}
