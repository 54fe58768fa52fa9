import crypto from 'node:crypto';
import { expect } from 'chai';
import { type Response } from 'supertest';
import { API_ENDPOINTS } from '../../src/endpoints.js';
import type { Access } from '../../src/http/endpoint.js';
import { MAX_REPORTS } from '../../src/http/validate.js';
import type { JsonSchema } from '../../src/ops/openapi.js';
import { bearer, createTestTenant, login, superAdminToken, type TestTenant } from '../helpers/actors.js';
import { API, api } from '../helpers/context.js';
import { BATCH, sample, bodyText, partSchema, fillPath, paramProbes, queryProbes, bodyProbes, headerProbes, type Spec, type Probe } from '../helpers/hostile-input.js';

// A 500 on client input is a bug. This file walks API_ENDPOINTS (so a new endpoint is covered the day it is added)
// and sends each one hostile path params, queries, bodies and headers as the caller its access asks for. Every
// answer must be below 500, and every 4xx must be application/problem+json. Ids in paths are random uuids or
// garbage, never a real record's: nothing real is deleted or changed.

interface Outcome {
  readonly probe: Probe;
  readonly caller: string;
  readonly res: Response;
}

interface Caller {
  readonly name: string;
  token: string | undefined;
  readonly signIn: () => Promise<string>;
}

async function send(spec: Spec, probe: Probe, caller: Caller): Promise<Outcome> {
  const url = `${API}${probe.path}${probe.query ? `?${probe.query}` : ''}`;
  let request = api()[spec.method](url);
  const auth = probe.auth ?? (caller.token ? `Bearer ${caller.token}` : 'none');
  if (auth !== 'none') request = request.set('Authorization', auth);
  for (const [name, value] of Object.entries(probe.headers ?? {})) request = request.set(name, value);
  if (probe.raw) {
    request = request.set('Content-Type', probe.raw.type);
    if (probe.raw.encoding) request = request.set('Content-Encoding', probe.raw.encoding);
    request = request.send(probe.raw.data);
  } else if (probe.body !== undefined) {
    request = request.set('Content-Type', 'application/json').send(bodyText(probe.body));
  }
  return { probe, caller: caller.name, res: await request };
}

function describeOutcome(spec: Spec, { probe, caller, res }: Outcome): string {
  const body = probe.raw ? probe.raw.data : probe.body === undefined ? '' : JSON.stringify(probe.body);
  return `${spec.method.toUpperCase()} ${probe.path}${probe.query ? `?${probe.query}` : ''} as ${caller} (${probe.what})`
    + `${body ? ` body ${body.slice(0, 200)}` : ''}\n    -> ${res.status} ${res.headers['content-type'] ?? ''} ${res.text.slice(0, 300)}`;
}

/** What is wrong with one answer, if anything. */
function faultOf({ probe, res }: Outcome): string | undefined {
  if (res.status >= 500) return 'a 5xx';
  if (res.status >= 400 && !/^application\/problem\+json(;|$)/.test(res.headers['content-type'] ?? '')) {
    return 'a 4xx that is not application/problem+json';
  }
  if (probe.nulPaths) {
    if (res.status !== 400) return `not a 400 for a NUL at ${probe.nulPaths.join(', ')}`;
    const named = (JSON.parse(res.text).errors ?? []).map((error: { path: string }) => error.path);
    const missing = probe.nulPaths.filter((path) => !named.includes(path));
    // Past MAX_REPORTS field errors the answer stops listing: then every one it names must be a NUL path.
    const capped = named.length >= MAX_REPORTS && named.every((path: string) => probe.nulPaths?.includes(path));
    if (missing.length && !capped) return `a 400 that does not name ${missing.join(', ')}`;
  }
  return undefined;
}

/** FUZZ_DEBUG=1: the answers per endpoint by status; FUZZ_DEBUG=<express path>: every probe of that path too. */
function report(spec: Spec, outcomes: Outcome[]): void {
  const byStatus: Record<string, number> = {};
  for (const { res } of outcomes) byStatus[res.status] = (byStatus[res.status] ?? 0) + 1;
  console.log(`      ${spec.method} ${spec.path}: ${outcomes.length} requests ${JSON.stringify(byStatus)}`);
  if (process.env.FUZZ_DEBUG !== spec.path) return;
  for (const { probe, res } of outcomes) console.log(`        ${res.status} ${probe.what}: ${res.text.slice(0, 160)}`);
}

describe('no 500 on hostile input, for every endpoint in API_ENDPOINTS', function () {
  this.timeout(120_000);
  let tenant: TestTenant;
  const callers: Record<'platform' | 'tenant' | 'public', Caller> = {
    platform: { name: 'super admin', token: undefined, signIn: superAdminToken },
    tenant: {
      name: 'provider admin', token: undefined,
      signIn: async () => (await login({ tenant: tenant.tenant_code, email: tenant.admin.email, password: tenant.admin.password }))
        .access_token,
    },
    public: { name: 'anonymous', token: undefined, signIn: async () => '' },
  };

  const callersFor = (access: Access): Caller[] => ({
    public: [callers.public],
    platform: [callers.platform],
    tenant: [callers.tenant],
    signed_in: [callers.tenant, callers.platform],
  })[access];

  const wrongKindFor = (access: Access): Caller | undefined =>
    (access === 'platform' ? callers.tenant : access === 'tenant' ? callers.platform : undefined);

  before(async () => {
    // Thousands of probes in a minute: far past the default quota of 1,000 requests a minute.
    tenant = await createTestTenant({ api_rate_limit: 1_000_000 });
    callers.tenant.token = tenant.admin.token;
    callers.platform.token = await superAdminToken();
  });

  // A probe may end the caller's session (logout) or change it: sign in again whenever a token stopped working.
  afterEach(async () => {
    for (const caller of [callers.platform, callers.tenant]) {
      if ((await api().get(`${API}/auth/me`).set(...bearer(caller.token as string))).status === 401) {
        caller.token = await caller.signIn();
      }
    }
  });

  it('covers every endpoint (the list is not empty and each has a method, path and access)', () => {
    expect(API_ENDPOINTS.length).to.be.greaterThan(10);
    for (const { spec } of API_ENDPOINTS) expect(spec).to.include.keys('method', 'path', 'access');
  });

  for (const { spec } of API_ENDPOINTS) {
    it(`V7.4.2 ${spec.method.toUpperCase()} ${spec.path} (${spec.access}) answers hostile input with 4xx problem+json, never 5xx`,
      async () => {
        const outcomes: Outcome[] = [];
        for (const caller of callersFor(spec.access)) {
          // Plausible params (random uuids, a fresh config key) so the other parts' probes get past the path.
          const params = (spec.params ? sample(partSchema(spec.params) as JsonSchema) : {}) as Record<string, unknown>;
          const path = fillPath(spec.path, (name) => encodeURIComponent(String(params[name] ?? crypto.randomUUID())));
          const probes = [
            ...paramProbes(spec), ...queryProbes(spec, path), ...bodyProbes(spec, path),
            ...headerProbes(spec, path, caller.token, wrongKindFor(spec.access)?.token),
          ];
          // Probes whose answer is pinned (a NUL: 400) go first, before any probe could end the caller's session.
          const ordered = [...probes.filter((probe) => probe.nulPaths), ...probes.filter((probe) => !probe.nulPaths)];
          for (let start = 0; start < ordered.length; start += BATCH) {
            outcomes.push(...await Promise.all(ordered.slice(start, start + BATCH).map((probe) => send(spec, probe, caller))));
          }
        }
        if (process.env.FUZZ_DEBUG) report(spec, outcomes);
        const faults = outcomes.flatMap((outcome) => {
          const fault = faultOf(outcome);
          return fault ? [`${fault}: ${describeOutcome(spec, outcome)}`] : [];
        });
        expect(faults, `\n${faults.join('\n')}\n`).to.deep.equal([]);
        // The right caller got past authentication at least once: the probes reached validation and the handler.
        if (spec.access !== 'public') {
          expect(outcomes.some(({ res }) => res.status !== 401 && res.status !== 403),
            'every probe was refused as unauthenticated or forbidden').to.equal(true);
        }
      });
  }
});
