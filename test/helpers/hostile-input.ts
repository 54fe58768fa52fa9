import crypto from 'node:crypto';
import type { Endpoint } from '../../src/http/endpoint.js';
import { jsonSchema, type JsonSchema } from '../../src/ops/openapi.js';

// Hostile inputs for the no-500 tests, built from each endpoint's own schemas.

export type Spec = Endpoint['spec'];

export interface Probe {
  readonly what: string;
  /** Path under /api/v1, already encoded. */
  readonly path: string;
  /** Raw query string, already encoded, without '?'. */
  readonly query?: string;
  readonly body?: unknown;
  /** A body sent as is, with its own content type (and encoding). */
  readonly raw?: { readonly type: string; readonly data: string; readonly encoding?: string };
  readonly headers?: Record<string, string>;
  /** Send no Authorization header (or this one instead of the caller's). */
  readonly auth?: 'none' | string;
  /** These field paths hold a NUL byte: the answer must be a 400 naming each. */
  readonly nulPaths?: readonly string[];
}

export const UNICODE = 'नमस्ते 👋🏽 Ünïcödé ‮RTL‬ \u200b zero-width 𝔘 \uFEFF';
export const LONG = 'x'.repeat(10_000);
/** Long enough to hurt, short enough to keep a request line under Node's 16 KiB header limit. */
export const LONG_QUERY_VALUE = 'y'.repeat(2_000);
export const BATCH = 8;

let sequence = 0;
export function uniqueId(): string {
  sequence += 1;
  return `${crypto.randomBytes(3).toString('hex')}${sequence}`;
}

export const NAME_HINTS: Record<string, () => string> = {
  timezone: () => 'Asia/Kolkata',
};

/** A string that satisfies this JSON Schema (format, pattern, length) when one of a few candidates does. */
export function sampleString(schema: JsonSchema, name: string): string {
  const id = uniqueId();
  const hint = NAME_HINTS[name];
  if (hint) return hint();
  if (schema.format === 'email') return `fz${id}@fuzz.test`;
  if (schema.format === 'uuid') return crypto.randomUUID();
  if (schema.format === 'date-time') return new Date(Date.now() + 30 * 86_400_000).toISOString();
  if (schema.format === 'uri') return `https://fuzz.test/${id}`;
  const pattern = typeof schema.pattern === 'string' ? new RegExp(schema.pattern) : undefined;
  const min = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const max = typeof schema.maxLength === 'number' ? schema.maxLength : Infinity;
  const candidates = [
    `FZ${id.toUpperCase()}`.slice(0, 20), `fz_${id}`, `9${crypto.randomInt(100_000_000, 999_999_999)}`, 'en',
    `Fuzz value ${id}`,
  ];
  const fits = (text: string) => text.length >= min && text.length <= max && (!pattern || pattern.test(text));
  return candidates.find(fits) ?? `Fuzz value ${id}`.padEnd(min, 'x');
}

/** A plausible value for a JSON Schema: valid where it can be, so mutations of one field get past the others. */
export function sample(schema: JsonSchema, name = '', requiredOnly = false): unknown {
  if (Array.isArray(schema.anyOf)) {
    const branches = schema.anyOf as JsonSchema[];
    return sample(branches.find((branch) => branch.type !== 'null') ?? {}, name, requiredOnly);
  }
  if (Array.isArray(schema.enum)) return schema.enum[0];
  switch (schema.type) {
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
      const required = new Set((schema.required ?? []) as string[]);
      return Object.fromEntries(Object.entries(properties).filter(([key]) => !requiredOnly || required.has(key))
        .map(([key, property]) => [key, sample(property, key, requiredOnly)]));
    }
    case 'array': {
      // One item where items are objects (their fields get fuzzed too), else as few as allowed (unknown ids refuse early).
      const items = (schema.items ?? {}) as JsonSchema;
      const length = Math.max(typeof schema.minItems === 'number' ? schema.minItems : 0, items.type === 'object' ? 1 : 0);
      return Array.from({ length }, () => sample(items, name, requiredOnly));
    }
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 1;
    case 'boolean':
      return true;
    case 'string':
      return sampleString(schema, name);
    default:
      return `fuzz ${name}`; // any JSON value
  }
}

/** Every string leaf replaced by `map`, with the paths of the leaves it replaced. */
export function mapStrings(value: unknown, map: (text: string) => string, path: string, paths: string[] = []): [unknown, string[]] {
  const walk = (current: unknown, at: string): unknown => {
    if (typeof current === 'string') {
      paths.push(at);
      return map(current);
    }
    if (Array.isArray(current)) return current.map((item, index) => walk(item, `${at}.${index}`));
    if (current && typeof current === 'object') {
      return Object.fromEntries(Object.entries(current).map(([key, item]) => [key, walk(item, `${at}.${key}`)]));
    }
    return current;
  };
  return [walk(value, path), paths];
}

export const withNul = (text: string) => `${text.slice(0, 2)}\u0000${text.slice(2)}`;

export function deepObject(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let level = 0; level < depth; level += 1) value = { a: value };
  return value;
}

/**
 * Markers for values nested deeper than JSON.stringify can write (its recursion overflows at a few thousand levels):
 * `send` splices the nesting into the JSON text. JSON.parse on the server reads any depth.
 */
export const DEEP_ARRAYS = '@@arrays nested 20000 deep@@';
export const DEEP_OBJECTS = '@@objects nested 10000 deep@@';

export function bodyText(body: unknown): string {
  return JSON.stringify(body)
    .replaceAll(JSON.stringify(DEEP_ARRAYS), `${'['.repeat(20_000)}${']'.repeat(20_000)}`)
    .replaceAll(JSON.stringify(DEEP_OBJECTS), `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`);
}

export function cursor(createdAt: unknown, id: unknown = crypto.randomUUID()): string {
  return Buffer.from(JSON.stringify({ created_at: createdAt, id })).toString('base64url');
}

export const partSchema = (schema: Spec['body']): JsonSchema | undefined => (schema ? jsonSchema(schema, 'input') : undefined);
export const propertiesOf = (schema: JsonSchema | undefined): string[] =>
  Object.keys((schema?.properties ?? {}) as Record<string, unknown>);

export function paramNames(path: string): string[] {
  return [...path.matchAll(/:(\w+)/g)].map((match) => match[1] as string);
}

export function fillPath(path: string, segment: (name: string) => string): string {
  return path.replace(/:(\w+)/g, (_whole, name: string) => segment(name));
}

/** Path segments as sent on the wire: a random (valid) uuid first, then garbage. `nul` marks those decoding to a NUL. */
export const PARAM_VARIANTS: { what: string; segment: () => string; nul?: boolean }[] = [
  { what: 'a random uuid', segment: () => crypto.randomUUID() },
  { what: "'x'", segment: () => 'x' },
  { what: "'null'", segment: () => 'null' },
  { what: 'a 300-character string', segment: () => 'z'.repeat(300) },
  { what: 'unicode', segment: () => encodeURIComponent(UNICODE) },
  { what: 'a NUL byte', segment: () => 'a%00b', nul: true },
  { what: 'broken percent-encoding', segment: () => '%E0%A4%A' },
  { what: 'a lone percent sign', segment: () => '%' },
];

export function paramProbes(spec: Spec): Probe[] {
  const names = paramNames(spec.path);
  if (!names.length) return [];
  return PARAM_VARIANTS.map((variant) => ({
    what: `path params as ${variant.what}`,
    path: fillPath(spec.path, variant.segment),
    body: spec.body ? sample(partSchema(spec.body) as JsonSchema) : undefined,
    nulPaths: variant.nul ? names.map((name) => `params.${name}`) : undefined,
  }));
}

export function queryString(pairs: [string, string][]): string {
  return pairs.map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`).join('&');
}

export function queryProbes(spec: Spec, path: string): Probe[] {
  const names = propertiesOf(partSchema(spec.query));
  if (!names.length) {
    return [
      { what: 'an unexpected query with a NUL', path, query: 'x=a%00b&y=1', nulPaths: ['query.x'] },
      { what: 'an unexpected garbage query', path, query: 'limit=abc&limit=5&cursor=garbage' },
    ];
  }
  const every = (value: string): string => queryString(names.map((name) => [name, value]));
  return [
    { what: 'a NUL in every query parameter', path, query: every('a\u0000b'), nulPaths: names.map((name) => `query.${name}`) },
    ...names.map((name): Probe => ({ what: `a NUL in ${name} alone`, path, query: queryString([[name, 'a\u0000b']]),
      nulPaths: [`query.${name}`] })),
    { what: 'a repeated limit', path, query: 'limit=abc&limit=5' },
    { what: 'every parameter repeated', path, query: names.map((name) => `${name}=1&${name}=2`).join('&') },
    { what: 'a garbage cursor', path, query: 'cursor=garbage' },
    { what: 'a cursor that is JSON but not ours', path, query: `cursor=${Buffer.from('{"a":1}').toString('base64url')}` },
    { what: 'a cursor with a non-timestamp created_at', path, query: `cursor=${cursor('1')}` },
    { what: 'a cursor with 31 February', path, query: `cursor=${cursor('2026-02-31 10:00:00+00')}` },
    { what: 'a cursor with a numeric created_at', path, query: `cursor=${cursor(12345)}` },
    { what: 'a cursor with a bad id', path, query: `cursor=${cursor('2026-01-01 10:00:00+00', "x' OR 1=1")}` },
    { what: 'a huge limit', path, query: 'limit=1e308' },
    { what: 'a negative limit', path, query: 'limit=-1' },
    { what: 'an overflowing limit', path, query: 'limit=99999999999999999999999999' },
    { what: 'a hex limit', path, query: 'limit=0x10' },
    // Together within Node's 16 KB limit for the request head (beyond it Node answers 431 before the app runs).
    { what: 'every parameter long', path, query: every(LONG_QUERY_VALUE.slice(0, Math.floor(12_000 / names.length))) },
    ...names.map((name): Probe => ({ what: `${name} alone long`, path, query: queryString([[name, LONG_QUERY_VALUE]]) })),
    { what: 'every parameter unicode', path, query: every(UNICODE) },
    { what: 'every parameter SQL-ish', path, query: every("%' OR 1=1 --") },
    { what: 'every parameter empty', path, query: every('') },
  ];
}

export type Leaf = [path: string[], value: unknown];

/** The leaves of a sample: scalars, nulls, and empty arrays or objects (where anything could go). */
export function leavesOf(value: unknown, path: string[] = []): Leaf[] {
  if (Array.isArray(value) && value.length) return value.flatMap((item, index) => leavesOf(item, [...path, String(index)]));
  if (value && typeof value === 'object' && Object.keys(value).length) {
    return Object.entries(value).flatMap(([key, item]) => leavesOf(item, [...path, key]));
  }
  return [[path, value]];
}

export function setAt(value: unknown, path: readonly string[], replacement: unknown): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return replacement;
  // A missing parent is made up: an array where the key is an index.
  const parent = value ?? (/^\d+$/.test(head) ? [] : {});
  const copy = (Array.isArray(parent) ? [...parent] : { ...(parent as object) }) as Record<string, unknown>;
  copy[head] = setAt(copy[head], rest, replacement);
  return copy;
}

/** Hostile replacements for one leaf, by the kind of value the schema expects there; the third item is where a NUL lands. */
export function edgesFor(value: unknown): [what: string, replacement: unknown, nulAt?: string[]][] {
  // Any leaf may receive any JSON: deep nesting reaches the fields typed as "any JSON value" (config values, conditions).
  const deep: [string, unknown][] = [['objects nested 10000 deep', DEEP_OBJECTS]];
  if (typeof value === 'string') return [['a 10k string', LONG], ['a NUL inside', withNul(value), []], ['null', null], ...deep];
  if (typeof value === 'number') return [['1e308', 1e308], ['-1', -1], ['0.5', 0.5], ['null', null], ...deep];
  if (Array.isArray(value)) return [['an array of a 10k string', [LONG]], ['an array of NUL', ['\u0000'], ['0']], ...deep];
  if (value && typeof value === 'object') {
    return [['an object with a NUL', { k: 'v\u0000' }, ['k']], ['an object with a 10k key', { [LONG]: 1 }], ['null', null], ...deep];
  }
  return [['null', null], ['a string', 'true'], ...deep];
}

export function bodyProbes(spec: Spec, path: string): Probe[] {
  const schema = partSchema(spec.body);
  // An upload takes a form, never JSON: any JSON body is refused by its media type (415) before it is read.
  if (spec.multipart) return [{ what: 'a JSON body where a multipart form belongs', path, body: { name: 'a\u0000b' } }];
  if (!schema) {
    return [{ what: 'an unexpected body with NULs', path, body: { name: 'a\u0000b', nested: { list: ['\u0000'] } },
      nulPaths: ['body.name', 'body.nested.list.0'] }];
  }
  const fresh = () => sample(schema) as Record<string, unknown>;
  const everyField = (value: unknown) => Object.fromEntries(Object.keys(fresh()).map((key) => [key, value]));
  const [nulBody, nulPaths] = mapStrings(fresh(), withNul, 'body');
  const probes: Probe[] = [
    { what: 'a NUL in every string (nested too)', path, body: nulBody, nulPaths: nulPaths.length ? nulPaths : undefined },
    { what: 'a NUL in an unknown nested field', path, body: { ...fresh(), extra: { deep: [{ x: 'a\u0000' }] } },
      nulPaths: ['body.extra.deep.0.x'] },
    { what: 'a NUL in a key', path, body: { ...fresh(), 'a\u0000b': 1 }, nulPaths: ['body.a\\u0000b'] },
    { what: 'the plausible body', path, body: fresh() },
    { what: 'an empty object', path, body: {} },
    { what: 'an array instead of an object', path, body: [fresh()] },
    { what: 'a body of objects nested 10000 deep', path, body: DEEP_OBJECTS },
    { what: 'a body of arrays nested 20000 deep', path, body: DEEP_ARRAYS },
    { what: 'text/plain', path, raw: { type: 'text/plain', data: 'a\u0000b' } },
    { what: 'an unsupported charset', path, raw: { type: 'application/json; charset=latin9', data: '{}' } },
    { what: 'a gzip encoding that is not gzip', path, raw: { type: 'application/json', data: '{}', encoding: 'gzip' } },
  ];
  const everyFieldValues: [string, unknown][] = [
    ['a number', 12345], ['an array', []], ['null', null], ['a boolean', true], ['1e308', 1e308],
    ['a 10k string', LONG], ['unicode', UNICODE], ['an object nested 300 deep', deepObject(300)],
  ];
  for (const [what, value] of everyFieldValues) probes.push({ what: `every field ${what}`, path, body: everyField(value) });
  // One leaf at a time, on a body of only the required fields (plausible ones): these get past validation into the
  // handler and the database, with no optional field (e.g. a declared config_type) to refuse them first.
  const minimal = () => sample(schema, '', true);
  for (const [leafPath, current] of leavesOf(fresh())) {
    const at = ['body', ...leafPath].join('.');
    for (const [what, replacement, nulAt] of edgesFor(current)) {
      probes.push({ what: `${at} as ${what}`, path, body: setAt(minimal(), leafPath, replacement),
        nulPaths: nulAt === undefined ? undefined : [[at, ...nulAt].join('.')] });
    }
  }
  return probes;
}

export function headerProbes(spec: Spec, path: string, token: string | undefined, wrongKindToken: string | undefined): Probe[] {
  const body = spec.body ? sample(partSchema(spec.body) as JsonSchema) : undefined;
  const probes: Probe[] = [
    { what: 'a 300-character X-Tenant', path, body, headers: { 'X-Tenant': 'T'.repeat(300) } },
    { what: 'a SQL-ish X-Tenant', path, body, headers: { 'X-Tenant': "PG_x'; DROP TABLE users; --" } },
  ];
  if (spec.access === 'public') return probes;
  const [header, payload] = (token ?? 'a.b.c').split('.');
  const tampered = `${header}.${Buffer.from(JSON.stringify({ sub: 'x', kind: 'tenant', tid: '\u0000' })).toString('base64url')}.sig`;
  probes.push(
    { what: 'no token', path, body, auth: 'none' },
    { what: 'a garbage Basic header', path, body, auth: `Basic ${'\u00ff'.repeat(100)}` },
    { what: 'a tampered token', path, body, auth: `Bearer ${tampered}` },
    { what: 'a token with a changed signature', path, body, auth: `Bearer ${header}.${payload}.AAAA` },
  );
  if (wrongKindToken) probes.push({ what: 'the other kind of caller', path, body, auth: `Bearer ${wrongKindToken}` });
  return probes;
}
