import { z } from 'zod';
import packageJson from '../../package.json' with { type: 'json' };
import { ProblemSchema } from '../../schemas/common.js';
import { API_BASE } from '../endpoints.js';
import type { Access, Endpoint, ResponseSpec } from '../http/endpoint.js';
import { Health, NotReady, Readiness } from './health.js';

// The OpenAPI 3.1 document is derived from the same endpoint specs (zod schemas) that validate requests, so it
// cannot drift from what the API accepts. Requests are described as zod parses them (input), replies as the
// handlers produce them (output).

export type JsonSchema = Record<string, unknown>;
type Operation = Record<string, unknown>;
type AnySpec = Endpoint['spec'];

const PROBLEM_REF = { $ref: '#/components/schemas/Problem' };

const TAG_DESCRIPTIONS: Record<string, string> = {
  auth: 'Sign-in, token refresh, sign-out and the caller',
  platform: 'Tenant registry and insurance providers (super admins)',
  config: 'Tenant configuration keys',
  users: 'Users of a tenant',
  roles: 'Roles, permissions and their assignment',
  ops: 'Health, readiness, metrics and this document (served at the root, outside /api/v1)',
};

const ACCESS_NOTES: Record<Access, string> = {
  public: 'No authentication.',
  platform: 'Platform administrators (super admins) only.',
  tenant: "A signed-in user of a tenant; the caller's roles decide what is allowed.",
  signed_in: 'Any signed-in caller, tenant user or platform administrator.',
};

const DESCRIPTION = [
  'Multi-tenant insurance distribution API. JSON bodies with snake_case fields; money in rupees (at most 2 decimals).',
  'Errors are `application/problem+json` (RFC 9457). Every response carries `X-Request-Id`.',
  'Sign in with `POST /auth/login` and send `Authorization: Bearer <access_token>`; the token fixes the tenant.',
  'Lists take `limit` (default 50, max 200) and `cursor`, and answer `{ data, next_cursor }`.',
].join('\n\n');

/** A JSON Schema (draft 2020-12, as OpenAPI 3.1 uses) for one side of a zod schema. */
export function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const json: JsonSchema = z.toJSONSchema(schema, { target: 'draft-2020-12', unrepresentable: 'any', io });
  delete json.$schema; // the document's dialect already is draft 2020-12
  return json;
}

export function buildOpenApiDocument(endpoints: readonly Endpoint[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const { spec } of endpoints) {
    (paths[openApiPath(spec.path)] ??= {})[spec.method] = operation(spec);
  }
  const tags = [...new Set([...endpoints.map(({ spec }) => spec.tag), 'ops'])];
  return {
    openapi: '3.1.1',
    info: { title: 'Agent Mitra core API', version: packageJson.version, description: DESCRIPTION },
    servers: [{ url: API_BASE }],
    tags: tags.map((name) => ({ name, ...(TAG_DESCRIPTIONS[name] ? { description: TAG_DESCRIPTIONS[name] } : {}) })),
    paths: { ...paths, ...opsPaths() },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Problem: jsonSchema(ProblemSchema, 'output') },
    },
  };
}

/** '/users/:user_id' -> '/users/{user_id}' */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:(\w+)/g, '{$1}');
}

function operation(spec: AnySpec): Operation {
  const parameters = [...pathParameters(spec), ...queryParameters(spec.query), ...headerParameters(spec.headers)];
  return {
    operationId: operationId(spec.method, spec.path),
    summary: spec.summary,
    description: ACCESS_NOTES[spec.access],
    tags: [spec.tag],
    ...(spec.access === 'public' ? {} : { security: [{ bearer: [] }] }),
    ...(parameters.length ? { parameters } : {}),
    ...(spec.body ? { requestBody: requestBody(spec.body) } : {}),
    ...(spec.multipart ? { requestBody: multipartBody(spec.multipart) } : {}),
    responses: responses(spec),
  };
}

/** 'get', '/users/:user_id' -> 'get_users_user_id' */
function operationId(method: string, path: string): string {
  return `${method}${path.replace(/[^A-Za-z0-9]+/g, '_')}`.replace(/_$/, '');
}

/** Every :name in the path is a required parameter, typed by the params schema when there is one. */
function pathParameters(spec: AnySpec): Operation[] {
  const properties = spec.params ? (jsonSchema(spec.params, 'input').properties ?? {}) as Record<string, JsonSchema> : {};
  return [...spec.path.matchAll(/:(\w+)/g)].map(([, name = '']) => ({
    name, in: 'path', required: true, schema: properties[name] ?? { type: 'string' },
  }));
}

function queryParameters(schema: z.ZodType | undefined): Operation[] {
  if (!schema) return [];
  const json = jsonSchema(schema, 'input');
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries((json.properties ?? {}) as Record<string, JsonSchema>).map(([name, property]) => ({
    name, in: 'query', required: required.has(name), schema: property,
    ...(typeof property.description === 'string' ? { description: property.description } : {}),
  }));
}

function headerParameters(headers: AnySpec['headers']): Operation[] {
  return Object.entries(headers ?? {}).map(([name, { description, schema }]) => ({
    name, in: 'header', required: false, description, schema: schema ? jsonSchema(schema, 'input') : { type: 'string' },
  }));
}

function requestBody(body: z.ZodType): Operation {
  return { required: !acceptsEmptyBody(body), content: { 'application/json': { schema: jsonSchema(body, 'input') } } };
}

/** A form with its text fields and one binary file part, whose allowed media types go in the part's encoding. */
function multipartBody({ fields, file }: NonNullable<AnySpec['multipart']>): Operation {
  const json = jsonSchema(fields, 'input');
  const properties = { ...(json.properties as JsonSchema), [file.name]: { type: 'string', contentMediaType: 'application/octet-stream', description: file.description } };
  const schema = { ...json, properties, required: [...((json.required ?? []) as string[]), file.name] };
  return { required: true, content: { 'multipart/form-data': { schema, encoding: { [file.name]: { contentType: file.mediaTypes.join(', ') } } } } };
}

/** The endpoint layer validates a missing body as {}, so the body is optional exactly when {} passes. */
function acceptsEmptyBody(schema: z.ZodType): boolean {
  try {
    return schema.safeParse({}).success;
  } catch {
    return false;
  }
}

/** The declared responses, plus those the layers in front of every endpoint can answer (400, 401, 403, 406, 413, 415, 429, 503). */
function responses(spec: AnySpec): Record<string, unknown> {
  const implicit: Record<number, ResponseSpec> = {};
  if (spec.body || spec.multipart || spec.query || spec.params) implicit[400] = { description: 'Invalid input (every offending field listed)', schema: ProblemSchema };
  if (spec.access !== 'public') implicit[401] = { description: 'Not signed in', schema: ProblemSchema };
  if (spec.access !== 'public') {
    implicit[403] = { description: 'Not allowed, or the token\'s tenant is suspended or not the one X-Tenant names', schema: ProblemSchema };
  }
  if (spec.body || spec.multipart) {
    implicit[413] = { description: 'Body larger than the configured limit', schema: ProblemSchema };
    implicit[415] = { description: 'A body in a charset or encoding the API does not read', schema: ProblemSchema };
  }
  implicit[406] = { description: 'The Accept header rules out JSON', schema: ProblemSchema };
  // The tenant's quota (api_rate_limit a minute) counts every request made with a tenant user's token.
  if (spec.access === 'tenant' || spec.access === 'signed_in') {
    implicit[429] = { description: "The tenant's requests for this minute are used up; retry after Retry-After seconds", schema: ProblemSchema };
  }
  implicit[503] = { description: 'The database is busy or unreachable; retry after Retry-After seconds', schema: ProblemSchema };
  const all = { ...implicit, ...spec.responses };
  return Object.fromEntries(Object.entries(all).map(([status, declared]) => [status, response(Number(status), declared)]));
}

function response(status: number, { description, schema, binary }: ResponseSpec): Operation {
  if (binary) return { description, content: Object.fromEntries(binary.map((media) => [media, { schema: { type: 'string', contentMediaType: media } }])) };
  if (!schema) return { description };
  const media = status >= 400 ? 'application/problem+json' : 'application/json';
  return { description, content: { [media]: { schema: schema === ProblemSchema ? PROBLEM_REF : jsonSchema(schema, 'output') } } };
}

/** The operational endpoints live at the root, so each overrides the /api/v1 server. */
function opsPaths(): Record<string, unknown> {
  const json = (description: string, schema: JsonSchema, media = 'application/json') => ({ description, content: { [media]: { schema } } });
  const operations: [string, string, Record<number, unknown>][] = [
    ['/healthz', 'Liveness: the process is up (does not touch the database)', {
      200: json('Up', jsonSchema(Health, 'output')) }],
    ['/readyz', 'Readiness: the database answers and every shared and tenant migration is applied', {
      200: json('Ready', jsonSchema(Readiness, 'output')),
      503: json('Not ready: what is unreachable or behind', jsonSchema(NotReady, 'output'), 'application/problem+json') }],
    ['/metrics', 'Metrics in the Prometheus text format', {
      200: json('Process and HTTP metrics', { type: 'string' }, 'text/plain') }],
    ['/openapi.json', 'This OpenAPI 3.1 document', { 200: json('The document', { type: 'object' }) }],
    ['/docs', 'Interactive API documentation (Swagger UI)', {
      200: json('The documentation page', { type: 'string' }, 'text/html'), 301: { description: 'Redirect to /docs/' } }],
  ];
  return Object.fromEntries(operations.map(([path, summary, responses]) => [path, {
    servers: [{ url: '/' }],
    get: { operationId: operationId('get', path), summary, tags: ['ops'], responses },
  }]));
}
