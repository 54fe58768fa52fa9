import { expect } from 'chai';
import type { Response } from 'supertest';
import { API_ENDPOINTS } from '../../src/endpoints.js';
import { bearer, createTestTenant, createTestUser, type TestTenant, type TestUser } from './actors.js';
import { API, api } from './context.js';

// The agent book's cast for visibility tests, and a BOLA matrix over the router's own endpoint list. Other
// modules (policies, payments, claims) add their routes with cases of their own: bookFixture() builds the cast,
// bolaMatrix() runs the cases and fails when a route under the given prefixes has none.
//
//   tenant:  manager > senior > { juniorA, juniorB }; admin (provider admin); policyholder (a user linked to
//            juniorA's policyholder `policyholderA`); otherAdmin is another tenant's provider admin.

export const BOOK_ACTORS = ['juniorA', 'juniorB', 'senior', 'manager', 'admin', 'otherAdmin', 'policyholder'] as const;
export type BookActor = (typeof BOOK_ACTORS)[number];

export interface BookFixture {
  readonly tenant: TestTenant;
  readonly otherTenant: TestTenant;
  readonly users: Record<BookActor, { token: string; user_id: string; agent_id: string | null }>;
  /** A policyholder in juniorA's book, linked to the policyholder user; and one in juniorB's book. */
  readonly policyholderA: string;
  readonly policyholderB: string;
  token(actor: BookActor): string;
}

export async function createPolicyholderAs(token: string, body: Record<string, unknown> = {}): Promise<string> {
  const res = await api().post(`${API}/policyholders`).set(...bearer(token))
    .send({ first_name: 'Asha', last_name: 'Verma', phone_number: `+9198${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`, ...body });
  expect(res.status, res.text).to.equal(201);
  return res.body.policyholder_id;
}

export async function bookFixture(): Promise<BookFixture> {
  const tenant = await createTestTenant();
  const otherTenant = await createTestTenant();
  const manager = await createTestUser(tenant, 'regional_manager', { agent: true });
  const senior = await createTestUser(tenant, 'senior_agent', { agent: true, parentAgentId: manager.agent_id });
  const juniorA = await createTestUser(tenant, 'junior_agent', { agent: true, parentAgentId: senior.agent_id });
  const juniorB = await createTestUser(tenant, 'junior_agent', { agent: true, parentAgentId: senior.agent_id });
  const holder = await createTestUser(tenant, 'policyholder');
  const policyholderA = await createPolicyholderAs(juniorA.token, { first_name: 'Kavya', email: `kavya.${tenant.tenant_code.toLowerCase()}@example.in` });
  const policyholderB = await createPolicyholderAs(juniorB.token, { first_name: 'Bharat' });
  const link = await api().patch(`${API}/policyholders/${policyholderA}`).set(...bearer(tenant.admin.token)).send({ user_id: holder.user_id });
  expect(link.status, link.text).to.equal(200);
  const asUser = (user: TestUser) => ({ token: user.token, user_id: user.user_id, agent_id: user.agent_id });
  const users: BookFixture['users'] = {
    juniorA: asUser(juniorA), juniorB: asUser(juniorB), senior: asUser(senior), manager: asUser(manager),
    admin: { token: tenant.admin.token, user_id: '', agent_id: null },
    otherAdmin: { token: otherTenant.admin.token, user_id: '', agent_id: null },
    policyholder: asUser(holder),
  };
  return { tenant, otherTenant, users, policyholderA, policyholderB, token: (actor) => users[actor].token };
}

export interface BolaRequest {
  readonly path: string;
  readonly body?: Record<string, unknown>;
  /** A multipart/form-data body instead (uploads): text fields and one file. */
  readonly form?: { fields: Record<string, string>; file: { field: string; data: Buffer; filename: string } };
}

/** One route: a request aimed at juniorA's book (built fresh per actor), and what each actor must get. */
export interface BolaCase {
  /** As the endpoint spec spells it: 'GET /policyholders/:policyholder_id'. */
  readonly route: string;
  readonly request: (fixture: BookFixture, actor: BookActor) => Promise<BolaRequest> | BolaRequest;
  readonly expect: Record<BookActor, number>;
  /** For lists: the id of juniorA's record that must be listed exactly for the actors marked true. */
  readonly listed?: { id: (fixture: BookFixture) => string; by: Record<BookActor, boolean> };
}

export function routesUnder(prefixes: readonly string[]): string[] {
  return API_ENDPOINTS.map(({ spec }) => `${spec.method.toUpperCase()} ${spec.path}`)
    .filter((route) => prefixes.some((prefix) => route.split(' ')[1]?.startsWith(prefix)));
}

function send(method: string, request: BolaRequest, token: string): Promise<Response> {
  const call = api()[method.toLowerCase() as 'get' | 'post' | 'patch' | 'put' | 'delete'](`${API}${request.path}`).set(...bearer(token));
  if (request.form) {
    const { fields, file } = request.form;
    const form = Object.entries(fields).reduce((sending, [name, value]) => sending.field(name, value), call);
    return form.attach(file.field, file.data, file.filename);
  }
  return request.body ? call.send(request.body) : call;
}

/** Declares the matrix: one test per route and actor, and one that every route under `prefixes` has a case. */
export function bolaMatrix(prefixes: readonly string[], cases: readonly BolaCase[], fixture: () => BookFixture): void {
  it(`has a case for every route under ${prefixes.join(', ')} in the router`, () => {
    expect(cases.map((c) => c.route).sort()).to.deep.equal(routesUnder(prefixes).sort());
  });
  for (const bolaCase of cases) {
    describe(bolaCase.route, () => {
      for (const actor of BOOK_ACTORS) {
        const status = bolaCase.expect[actor];
        it(`${actor}: ${status}${bolaCase.listed ? (bolaCase.listed.by[actor] ? ', listed' : ', not listed') : ''}`, async () => {
          const request = await bolaCase.request(fixture(), actor);
          const res = await send(bolaCase.route.split(' ')[0] as string, request, fixture().token(actor));
          expect(res.status, `${actor} ${bolaCase.route}: ${res.text}`).to.equal(status);
          if (bolaCase.listed && status === 200) {
            const ids = JSON.stringify(res.body.data);
            expect(ids.includes(bolaCase.listed.id(fixture())), `${actor} listing`).to.equal(bolaCase.listed.by[actor]);
          }
        });
      }
    });
  }
}
