import type { z } from 'zod';
import { ValidationError, type FieldError } from '../errors.js';

export type Location = 'body' | 'query' | 'params' | 'headers';

export function issuesToFieldErrors(issues: readonly z.core.$ZodIssue[], location: Location): FieldError[] {
  return issues.map((issue) => ({
    path: [location, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
}

/** Parses one part of the request; every offending field is reported, prefixed with where it was. */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown, location: Location): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationError(issuesToFieldErrors(result.error.issues, location));
  return result.data;
}

/** Validates all parts and reports every bad field across them in one 400. */
export function parseRequestParts<B, Q, P>(
  parts: { body?: z.ZodType<B>; query?: z.ZodType<Q>; params?: z.ZodType<P> },
  request: { body: unknown; query: unknown; params: unknown },
): { body: B; query: Q; params: P } {
  const errors: FieldError[] = [];
  const parsed: Record<string, unknown> = {};
  for (const location of ['params', 'query', 'body'] as const) {
    const schema = parts[location];
    if (!schema) continue;
    const result = schema.safeParse(location === 'body' ? request.body ?? {} : request[location]);
    if (result.success) parsed[location] = result.data;
    else errors.push(...issuesToFieldErrors(result.error.issues, location));
  }
  if (errors.length) throw new ValidationError(errors);
  return parsed as { body: B; query: Q; params: P };
}
