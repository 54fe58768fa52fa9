import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { Request, RequestHandler, Response, Router } from 'express';
import type { z } from 'zod';
import type { Logger } from 'pino';
import type { Actor } from '../auth/actor.js';
import type { AccessClaims } from '../auth/tokens.js';
import type { Tx } from '../db/scope.js';
import { runAsCaller, type Scope } from '../scope/run.js';
import { noteCaller } from '../security-events/context.js';
import type { AppDeps } from '../deps.js';
import { ProblemSchema } from '../../schemas/common.js';
import { ForbiddenError, UnauthenticatedError } from '../errors.js';
import { bearerToken, verifiedAccessClaims } from './bearer.js';
import { JSON_BODY_TYPES, MULTIPART_BODY_TYPES, requireBodyType } from './content-negotiation.js';
import { sendProblem } from './problem.js';
import { parseRequestParts } from './validate.js';

// An endpoint is a route plus its zod schemas: the same definition validates requests, types the handler and
// feeds the OpenAPI document. Requests flow one way: authenticate (the token alone, so a stranger learns nothing
// about input rules) -> validate -> scope (transaction, actor, CASL ability) -> handler -> commit -> reply.

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Who may call: nobody in particular, a super admin, a tenant user, or either kind of signed-in caller. */
export type Access = 'public' | 'platform' | 'tenant' | 'signed_in';

export interface ResponseSpec {
  readonly description: string;
  readonly schema?: z.ZodType;
  /** A file reply: the media types its bytes may have (instead of a JSON schema). */
  readonly binary?: readonly string[];
}

/** A request header the endpoint reads; one with a schema is checked with the body, its errors reported with the body's. */
export interface HeaderSpec {
  readonly description: string;
  readonly schema?: z.ZodType;
}

/** A multipart/form-data body: text fields (a zod object) and one file part. */
export interface MultipartSpec {
  readonly fields: z.ZodType;
  readonly file: { readonly name: string; readonly description: string; readonly mediaTypes: readonly string[] };
}

export interface EndpointSpec<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType> {
  readonly method: Method;
  /** Express-style path under /api/v1, e.g. '/users/:user_id'. */
  readonly path: string;
  readonly summary: string;
  readonly tag: string;
  readonly access: Access;
  readonly body?: B;
  readonly query?: Q;
  readonly params?: P;
  readonly headers?: Record<string, HeaderSpec>;
  /** Set on upload endpoints (see uploadEndpoint); such endpoints have no JSON body. */
  readonly multipart?: MultipartSpec;
  readonly responses: Record<number, ResponseSpec>;
}

/** A documented error answer: application/problem+json with this description. */
export function problemResponse(description: string): ResponseSpec {
  return { description, schema: ProblemSchema };
}

export interface Reply {
  readonly status?: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** Runs once the transaction has committed, before the reply is written (e.g. dropping a cached record). */
  readonly afterCommit?: () => void;
  /** A file to send as the body (after the transaction), as an attachment with this media type and name. */
  readonly file?: { readonly path: string; readonly contentType: string; readonly fileName: string };
}

export interface PublicContext<B, Q, P> {
  readonly body: B;
  readonly query: Q;
  readonly params: P;
  readonly req: Request;
  readonly deps: AppDeps;
}

export interface ScopedContext<B, Q, P> extends PublicContext<B, Q, P> {
  readonly tx: Tx;
  readonly actor: Actor;
  /** The request's logger, naming tenant and user. */
  readonly log: Logger;
}

type AnySpec = EndpointSpec<z.ZodType, z.ZodType, z.ZodType>;

export interface Endpoint {
  readonly spec: AnySpec;
  readonly handle: (req: Request, deps: AppDeps) => Promise<Reply>;
}

type Inferred<T> = T extends z.ZodType ? z.infer<T> : undefined;

export function publicEndpoint<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType>(
  spec: EndpointSpec<B, Q, P> & { access: 'public' },
  handler: (ctx: PublicContext<Inferred<B>, Inferred<Q>, Inferred<P>>) => Promise<Reply>,
): Endpoint {
  return {
    spec: spec as AnySpec,
    handle: async (req, deps) => {
      const input = parseRequestParts(spec, req) as { body: Inferred<B>; query: Inferred<Q>; params: Inferred<P> };
      return handler({ ...input, req, deps });
    },
  };
}

export function scopedEndpoint<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType>(
  spec: EndpointSpec<B, Q, P> & { access: 'platform' | 'tenant' | 'signed_in' },
  handler: (ctx: ScopedContext<Inferred<B>, Inferred<Q>, Inferred<P>>) => Promise<Reply>,
): Endpoint {
  return {
    spec: spec as AnySpec,
    handle: async (req, deps) => {
      const claims = authenticate(req, deps);
      refuseRestricted(claims, spec);
      if (spec.access === 'platform' && claims.kind !== 'platform') throw new ForbiddenError('Only platform administrators may do this.');
      if (spec.access === 'tenant' && claims.kind !== 'tenant') throw new ForbiddenError('This needs a tenant user; platform administrators work through /tenants.');
      const input = parseRequestParts(spec, req) as { body: Inferred<B>; query: Inferred<Q>; params: Inferred<P> };
      return runAsCaller(deps, claims, req.get('x-tenant'), (scope) => handler(scopedContext(scope, { ...input, req, deps })));
    },
  };
}

/** The handler's context; its logger stays unmade until the handler asks for it (see runAsCaller). */
function scopedContext<B, Q, P>(scope: Scope, input: PublicContext<B, Q, P>): ScopedContext<B, Q, P> {
  return { ...input, tx: scope.tx, actor: scope.actor, get log() { return scope.log; } };
}

/** What an upload endpoint received before its transaction (a file on disk); discarded whatever happens next. */
export interface Upload {
  /** Removes what the request left on disk: the temporary file always, the kept file too unless the transaction committed. */
  discard(committed: boolean): Promise<void>;
}

/**
 * An endpoint with a multipart body: authenticate -> validate params and query -> receive the body (streamed to a
 * temporary file, outside any transaction, so a slow client holds no connection) -> scope -> handler -> commit.
 * Whatever fails, the upload is discarded; a handler that keeps the file does so inside the transaction.
 */
export function uploadEndpoint<U extends Upload, Q extends z.ZodType, P extends z.ZodType>(
  spec: EndpointSpec<z.ZodType, Q, P> & { access: 'tenant'; multipart: MultipartSpec },
  receive: (req: Request, deps: AppDeps) => Promise<U>,
  handler: (ctx: ScopedContext<U, Inferred<Q>, Inferred<P>>) => Promise<Reply>,
): Endpoint {
  return {
    spec: spec as AnySpec,
    handle: async (req, deps) => {
      const claims = authenticate(req, deps);
      refuseRestricted(claims, spec);
      if (claims.kind !== 'tenant') throw new ForbiddenError('This needs a tenant user; platform administrators work through /tenants.');
      // No body schema: a JSON body is still checked as sent (NUL bytes, depth) before it is refused as not multipart.
      const input = parseRequestParts({ query: spec.query, params: spec.params, headers: spec.headers }, req) as { query: Inferred<Q>; params: Inferred<P> };
      const upload = await receive(req, deps);
      let committed = false;
      try {
        const reply = await runAsCaller(deps, claims, req.get('x-tenant'), (scope) =>
          handler(scopedContext(scope, { ...input, body: upload, req, deps })));
        committed = true;
        return reply;
      } finally {
        await upload.discard(committed);
      }
    },
  };
}

/** What a token restricted to changing an administrator-set password may still do. */
const PASSWORD_CHANGE_ONLY = new Set(['post /auth/password', 'post /auth/logout', 'get /auth/me']);

function refuseRestricted(claims: AccessClaims, spec: { method: Method; path: string }): void {
  if (claims.rst === 'password_change' && !PASSWORD_CHANGE_ONLY.has(`${spec.method} ${spec.path}`)) {
    throw new ForbiddenError('An administrator set your password: change it (POST /auth/password), then refresh your tokens.',
      { code: 'auth.password_change_required' });
  }
}

export function authenticate(req: Request, deps: AppDeps): AccessClaims {
  const token = bearerToken(req);
  if (!token) throw new UnauthenticatedError('A bearer access token is required.', { headers: { 'WWW-Authenticate': 'Bearer' } });
  const claims = verifiedAccessClaims(req, token, deps.tokens);
  // Until the actor is loaded, a refusal (a 403 security event) names the token's user and tenant.
  noteCaller({ user_id: claims.sub, role: claims.kind === 'platform' ? 'super_admin' : null, tenant_id: claims.tid ?? null });
  return claims;
}

/** Mounts endpoints; the transaction has committed before the reply is written. */
export function mountEndpoints(router: Router, endpoints: readonly Endpoint[], deps: AppDeps): void {
  // A path without parameters ('/policies/lapse-run') also matches a parametrised one ('/policies/:policy_id'): asked
  // with a method only the latter serves, it would reach that endpoint and fail its params (a 400) instead of a 405.
  for (const [path, allow] of allowedMethods(endpoints)) {
    if (!path.includes(':')) router.all(path, (req, res, next) => (allow.includes(req.method) ? next() : refuseMethod(req, res, allow)));
  }
  for (const endpoint of endpoints) {
    const handler: RequestHandler = async (req: Request, res: Response) => {
      const reply = await endpoint.handle(req, deps);
      if (deps.config.env === 'test') assertReplyMatchesSpec(endpoint.spec, reply);
      reply.afterCommit?.();
      res.status(reply.status ?? 200).set(reply.headers ?? {});
      if (reply.file) await sendFile(res, reply.file);
      else if (reply.body === undefined) res.end();
      else res.json(reply.body);
    };
    const bodyType = endpoint.spec.multipart
      ? requireBodyType(MULTIPART_BODY_TYPES, 'multipart/form-data') : requireBodyType(JSON_BODY_TYPES, 'application/json');
    router[endpoint.spec.method](endpoint.spec.path, bodyType, handler);
  }
  refuseOtherMethods(router, endpoints);
}

/** Streams a stored file as an attachment; the browser must not guess another type (nosniff). */
async function sendFile(res: Response, file: NonNullable<Reply['file']>): Promise<void> {
  const handle = await open(file.path, 'r');
  const { size } = await handle.stat();
  res.attachment(file.fileName).set({ 'Content-Type': file.contentType, 'Content-Length': String(size), 'X-Content-Type-Options': 'nosniff' });
  // A client that hangs up mid-download is no fault of ours; the streams are closed either way.
  await pipeline(handle.createReadStream(), res).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ERR_STREAM_PREMATURE_CLOSE') throw error;
  });
}

/**
 * In tests, every reply must match the response schema its spec declares for that status, as JSON: the OpenAPI
 * document is generated from those schemas, so it cannot drift from what the endpoints really return.
 */
function assertReplyMatchesSpec(spec: AnySpec, reply: Reply): void {
  const status = reply.status ?? 200;
  const declared = spec.responses[status];
  if (!declared) throw new Error(`${spec.method} ${spec.path} answered ${status}, which its spec does not declare`);
  if (!declared.schema) return;
  const sent: unknown = JSON.parse(JSON.stringify(reply.body ?? null));
  const result = declared.schema.safeParse(sent);
  if (!result.success) {
    throw new Error(`${spec.method} ${spec.path} ${status} does not match its response schema: ${result.error.message}`);
  }
  const undeclared = undeclaredFields(sent, result.data, 'body');
  if (undeclared.length) throw new Error(`${spec.method} ${spec.path} ${status} sends undeclared fields: ${undeclared.join(', ')}`);
}

/** Fields in what was sent that parsing dropped: the schema does not declare them (a leaked column, say). */
function undeclaredFields(sent: unknown, declared: unknown, path: string): string[] {
  if (Array.isArray(sent) && Array.isArray(declared)) {
    return sent.flatMap((item, index) => undeclaredFields(item, declared[index], `${path}.${index}`));
  }
  if (!sent || typeof sent !== 'object' || !declared || typeof declared !== 'object') return [];
  return Object.entries(sent).flatMap(([key, value]) => (key in declared
    ? undeclaredFields(value, (declared as Record<string, unknown>)[key], `${path}.${key}`)
    : [`${path}.${key}`]));
}

/** Each path and the methods it answers: those of its endpoints, HEAD with GET, and OPTIONS. */
function allowedMethods(endpoints: readonly Endpoint[]): Map<string, string[]> {
  const methodsByPath = new Map<string, Set<string>>();
  for (const { spec } of endpoints) {
    methodsByPath.set(spec.path, (methodsByPath.get(spec.path) ?? new Set()).add(spec.method.toUpperCase()));
  }
  return new Map([...methodsByPath].map(([path, methods]) => [path, [...methods, ...(methods.has('GET') ? ['HEAD'] : []), 'OPTIONS']]));
}

function refuseMethod(req: Request, res: Response, allowed: readonly string[]): void {
  const allow = allowed.join(', ');
  sendProblem(res, {
    type: 'https://agentmitra.in/problems/405', title: 'Method not allowed', status: 405, code: 'request.method_not_allowed',
    detail: `${req.method} is not served here; use ${allow}.`, instance: req.originalUrl,
  }, { Allow: allow });
}

/** A known path asked with a method it does not serve: 405 naming the ones it does (not a 404 "no route"). */
function refuseOtherMethods(router: Router, endpoints: readonly Endpoint[]): void {
  for (const [path, allowed] of allowedMethods(endpoints)) {
    router.options(path, (_req, res) => void res.status(204).set('Allow', allowed.join(', ')).end());
    router.all(path, (req, res) => refuseMethod(req, res, allowed));
  }
}
