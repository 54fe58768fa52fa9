import type { IsoDate } from './types.js';

// Calendar dates as 'YYYY-MM-DD', computed in whole UTC days: no clock, no time zone.

const DAY_MS = 86_400_000;

export function dayNumber(date: IsoDate): number {
  return Math.round(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
}

export function fromDayNumber(day: number): IsoDate {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return fromDayNumber(dayNumber(date) + days);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return dayNumber(to) - dayNumber(from);
}

/** The same day of the month `years` later; 29 February becomes 28 February in a common year. */
export function addYears(date: IsoDate, years: number): IsoDate {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const target = new Date(Date.UTC(y + years, m - 1, d));
  if (target.getUTCMonth() !== m - 1) return fromDayNumber(Math.round(Date.UTC(y + years, m, 0) / DAY_MS));
  return target.toISOString().slice(0, 10);
}

/** The policy year (from the cover's start anniversaries) that contains `date`: [start, end) . */
export function policyYear(coverStart: IsoDate, date: IsoDate): { start: IsoDate; end: IsoDate } {
  let years = Math.max(0, Number(date.slice(0, 4)) - Number(coverStart.slice(0, 4)));
  while (years > 0 && addYears(coverStart, years) > date) years -= 1;
  while (addYears(coverStart, years + 1) <= date) years += 1;
  return { start: addYears(coverStart, years), end: addYears(coverStart, years + 1) };
}

/** Whole years of age on a date. */
export function ageOn(dateOfBirth: IsoDate, date: IsoDate): number {
  let age = Number(date.slice(0, 4)) - Number(dateOfBirth.slice(0, 4));
  if (date.slice(5) < dateOfBirth.slice(5)) age -= 1;
  return age;
}
