import type { z } from 'zod';
import { ValidationError, type FieldError } from '../errors.js';

export type Location = 'body' | 'query' | 'params' | 'headers';

/**
 * A union that refused its input reports one issue at the union itself, with every member's issues inside. When
 * all members but one refused the input's very type (an array where a record was expected), the input was meant
 * as that one: its own issues, which name the offending fields, are the ones to report.
 */
function unionMemberIssues(issue: z.core.$ZodIssue): readonly z.core.$ZodIssue[] | undefined {
  if (issue.code !== 'invalid_union') return undefined;
  const fitting = issue.errors.filter((member) => !member.some((inner) => inner.code === 'invalid_type' && inner.path.length === 0));
  const [only] = fitting;
  if (fitting.length !== 1 || !only?.length) return undefined;
  return only.map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] }));
}

export function issuesToFieldErrors(issues: readonly z.core.$ZodIssue[], location: Location): FieldError[] {
  return issues.flatMap((issue) => {
    const member = unionMemberIssues(issue);
    if (member) return issuesToFieldErrors(member, location);
    return [{ path: [location, ...issue.path.map(String)].join('.'), message: issue.message }];
  });
}

export const NUL_MESSAGE = 'must not contain a NUL character';
export const PROTO_MESSAGE = 'must not be named __proto__';
export const NON_FINITE_MESSAGE = 'must be a finite number';
/**
 * How deep objects and arrays may nest inside one part of a request. JSON.parse reads any depth, but much of what
 * handles the value afterwards recurses (JSON.stringify on the way to jsonb, CASL, schema refinements) and overflows
 * the stack at a few thousand levels: a 500. No field of this API needs more than a handful.
 */
export const MAX_NESTING_DEPTH = 64;
export const DEPTH_MESSAGE = `is nested too deeply (at most ${MAX_NESTING_DEPTH} levels)`;
/** Field errors reported per request part at most. */
export const MAX_REPORTS = 20;

/** A key as it appears in a reported path: its NUL bytes spelled out, so the path itself stays printable. */
function printableKey(key: string): string {
  return key.replaceAll('\u0000', '\\u0000');
}

/**
 * What no schema should have to think about, found in a request part as sent: a NUL byte in any string (value or
 * object key), which PostgreSQL stores in neither text (22021) nor jsonb (22P05), a key named __proto__, a number
 * out of JSON's range, and
 * nesting deeper than MAX_NESTING_DEPTH. Walks with its own stack, so a deeply nested body cannot overflow the call stack here.
 */
export function rawInputErrors(value: unknown, location: Location): { errors: FieldError[]; tooDeep: boolean } {
  const errors: FieldError[] = [];
  let tooDeep = false;
  const pending: [value: unknown, path: string, depth: number][] = [[value, location, 0]];
  // The whole part is walked even past MAX_REPORTS errors: whether it is too deep must not depend on what came first.
  while (pending.length) {
    const [current, path, depth] = pending.pop() as [unknown, string, number];
    if (typeof current === 'string') {
      if (current.includes('\u0000')) errors.push({ path, message: NUL_MESSAGE });
      continue;
    }
    // JSON.parse reads 1e400 as Infinity, which JSON.stringify would store as null.
    if (typeof current === 'number') {
      if (!Number.isFinite(current)) errors.push({ path, message: NON_FINITE_MESSAGE });
      continue;
    }
    if (typeof current !== 'object' || current === null) continue;
    if (depth >= MAX_NESTING_DEPTH) {
      tooDeep = true;
      errors.push({ path, message: DEPTH_MESSAGE });
      continue;
    }
    const entries: [string, unknown][] = Array.isArray(current)
      ? current.map((item, index) => [String(index), item])
      : Object.entries(current);
    // Pushed in reverse, so errors come out in document order.
    for (let index = entries.length - 1; index >= 0; index -= 1) {
      const [key, child] = entries[index] as [string, unknown];
      const childPath = `${path}.${printableKey(key)}`;
      if (key.includes('\u0000')) errors.push({ path: childPath, message: `${NUL_MESSAGE} in its name` });
      // JSON.parse makes it an own key; zod and every object spread would turn it into a prototype, silently.
      if (key === '__proto__') errors.push({ path: childPath, message: PROTO_MESSAGE });
      pending.push([child, childPath, depth + 1]);
    }
  }
  return { errors: errors.slice(0, MAX_REPORTS), tooDeep };
}

/** The errors of each header sent that has a schema, as headers.<lower-case name>; a header left out is not checked. */
function headerErrors(specs: Record<string, { schema?: z.ZodType }>, sent: Record<string, unknown>): FieldError[] {
  return Object.entries(specs).flatMap(([name, { schema }]) => {
    const value = sent[name.toLowerCase()];
    const result = schema && value !== undefined ? schema.safeParse(value) : undefined;
    if (!result || result.success) return [];
    return issuesToFieldErrors(result.error.issues.map((issue) => ({ ...issue, path: [name.toLowerCase(), ...issue.path] })), 'headers');
  });
}

/**
 * Validates all parts and reports every bad field across them in one 400. Every part the client sent is also
 * checked as sent (NUL bytes, nesting depth), whether or not the endpoint has a schema for it. Headers with a schema
 * are checked too (the handler reads them from the request, valid).
 */
export function parseRequestParts<B, Q, P>(
  parts: { body?: z.ZodType<B>; query?: z.ZodType<Q>; params?: z.ZodType<P>; headers?: Record<string, { schema?: z.ZodType }> },
  request: { body: unknown; query: unknown; params: unknown; headers?: Record<string, unknown> },
): { body: B; query: Q; params: P } {
  const errors: FieldError[] = [];
  const parsed: Record<string, unknown> = {};
  for (const location of ['params', 'query', 'headers', 'body'] as const) {
    if (location === 'headers') {
      errors.push(...headerErrors(parts.headers ?? {}, request.headers ?? {}));
      continue;
    }
    const raw = location === 'body' ? request.body ?? {} : request[location];
    const checked = rawInputErrors(raw, location);
    errors.push(...checked.errors);
    const schema = parts[location];
    // Too deep for the schema as well: its refinements may recurse.
    if (!schema || checked.tooDeep) continue;
    const result = schema.safeParse(raw);
    if (result.success) parsed[location] = result.data;
    else errors.push(...issuesToFieldErrors(result.error.issues, location));
  }
  if (errors.length) throw new ValidationError(errors);
  return parsed as { body: B; query: Q; params: P };
}
