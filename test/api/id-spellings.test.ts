import crypto from 'node:crypto';
import { expect } from 'chai';
import type { Response } from 'supertest';
import type { z } from 'zod';
import { Uuid } from '../../schemas/common.js';
import { API_ENDPOINTS } from '../../src/endpoints.js';
import type { Endpoint } from '../../src/http/endpoint.js';
import {
  bearer, createTestTenant, createTestUser, login, superAdminToken, TEST_PASSWORD, type TestTenant,
} from '../helpers/actors.js';
import { addTerms, arrangeFamily, consultationClaim, PLUM_TERMS } from '../helpers/claims.js';
import { PDF } from '../helpers/documents.js';
import { activePolicy, createPolicy, createTestPolicyholder, pay, policyBody } from '../helpers/policies.js';
import { API, api, testDeps } from '../helpers/context.js';
import { SoftwareAuthenticator } from '../helpers/webauthn-authenticator.js';

// An id is canonical from the moment it is parsed. Built from the router itself: every route whose path takes a
// uuid is called with that uuid spelled in upper case, mixed case, in braces and without dashes, by a caller who
// may and one who may not. Each spelling must get exactly the canonical spelling's status (or a 400), never more.
// Every call gets a fresh target, so a change made by one spelling cannot decide another's answer.

type Spelling = (id: string) => string;
const SPELLINGS: Record<string, Spelling> = {
  'upper case': (id) => id.toUpperCase(),
  // Every other letter, from the first: never the canonical spelling (by position, an id whose odd places held only
  // digits came back unchanged, about one id in 2,500).
  'mixed case': (id) => {
    let letters = 0;
    return [...id].map((char) => (/[a-f]/.test(char) && letters++ % 2 === 0 ? char.toUpperCase() : char)).join('');
  },
  braces: (id) => `{${id}}`,
  'no dashes': (id) => id.replaceAll('-', ''),
};

/** The request body each id-taking route is probed with (a new route without one fails the coverage test). */
const BODIES: Record<string, unknown> = {
  'patch /users/:user_id': { password: 'Taken#Over2026xyz' },
  'put /users/:user_id/roles': { role_ids: [] },
  'patch /roles/:role_id': { role_description: 'changed by an id-spelling probe' },
  'patch /tenants/:tenant_id': { tenant_name: 'Renamed by a probe' },
  'put /tenants/:tenant_id/config/:key': { config_value: 'probe' },
  'patch /providers/:provider_id': { provider_name: 'Renamed by a probe' },
  'patch /agents/:agent_id': { territory: 'Probed' },
  'patch /policyholders/:policyholder_id': { first_name: 'Probed' },
  'post /policyholders/:policyholder_id/dependents': { full_name: 'Probe Kid', relationship: 'child', date_of_birth: '2015-01-01', gender: 'female' },
  'patch /policies/:policy_id': { plan_name: 'Probed plan' },
  'post /policies/:policy_id/status': { status: 'pending_approval', reason: 'probe' },
  'post /payments/:payment_id/reconcile': { reference: 'probe' },
  'post /payments/:payment_id/refund': { reason: 'probe' },
  'post /claims/reviews/:review_id': { final_decision: 'APPROVED', review_notes: 'probe' },
  'post /policyholders/:policyholder_id/consents': { purpose: 'marketing', status: 'given', channel: 'agent' },
};

function uuidParams(endpoint: Endpoint): string[] {
  const shape = (endpoint.spec.params as z.ZodObject | undefined)?.shape ?? {};
  return Object.entries(shape).filter(([, schema]) => schema === Uuid).map(([name]) => name);
}

const ID_ROUTES = API_ENDPOINTS.filter((endpoint) => uuidParams(endpoint).length > 0);

interface Caller {
  readonly name: string;
  readonly token: string;
}

describe('an id spelled differently gets the canonical answer or a 400, on every route that takes one', function () {
  this.timeout(120_000);
  let tenant: TestTenant;
  let platform: string;
  let weak: Caller;
  let providerId: string;
  let agentId: string;
  /** The claim the latest document target belongs to: its route names both. */
  let documentClaimId = '';

  const admin = (): Caller => ({ name: 'provider admin', token: tenant.admin.token });

  /** A fresh record for each param a route names; tenants and providers are shared (their probes are idempotent). */
  const targets: Record<string, () => Promise<string>> = {
    // A user holding the admin role: the weak caller may never change it, whatever the spelling.
    user_id: async () => {
      const roles = await api().get(`${API}/roles?limit=200`).set(...bearer(tenant.admin.token));
      const adminRole = roles.body.data.find((role: { role_name: string }) => role.role_name === 'insurance_provider_admin');
      const res = await api().post(`${API}/users`).set(...bearer(tenant.admin.token)).send({
        email: `target.${crypto.randomBytes(4).toString('hex')}@spell.test`, password: TEST_PASSWORD,
        first_name: 'Target', last_name: 'Admin', role_ids: [adminRole.role_id],
      });
      expect(res.status, res.text).to.equal(201);
      return res.body.user_id;
    },
    // A role granting what the weak caller does not hold.
    role_id: async () => {
      const res = await api().post(`${API}/roles`).set(...bearer(tenant.admin.token)).send({
        role_name: `target_${crypto.randomBytes(4).toString('hex')}`,
        permissions: [{ action: 'manage', subject: 'TenantConfig' }],
      });
      expect(res.status, res.text).to.equal(201);
      return res.body.role_id;
    },
    tenant_id: async () => {
      const res = await api().put(`${API}/tenants/${tenant.tenant_id}/config/spelling.probe`).set(...bearer(platform))
        .send({ config_value: 'probe' });
      expect(res.status, res.text).to.be.oneOf([200, 201]);
      return tenant.tenant_id;
    },
    provider_id: async () => providerId,
    // Another session of the provider admin: the admin may end it, the weak caller may not even see it.
    // The agent's book: fresh records in one agent's book; the weak caller holds no book subject at all.
    agent_id: async () => (await createTestUser(tenant, 'junior_agent', { agent: true })).agent_id as string,
    policyholder_id: async () => createTestPolicyholder(tenant, agentId),
    policy_id: async () => (await createPolicy(tenant.admin.token, policyBody(await createTestPolicyholder(tenant, agentId)))).policy_id,
    payment_id: async () => {
      const policy = await activePolicy(tenant.admin.token, policyBody(await createTestPolicyholder(tenant, agentId)));
      const res = await pay(tenant.admin.token, { policy_id: policy.policy_id, amount: 2500.5, payment_method: 'upi' });
      expect(res.status, res.text).to.equal(201);
      return res.body.payment_id;
    },
    // A claim held for a person: three claims the same day is a fraud signal.
    review_id: async () => {
      const family = await arrangeFamily(tenant, agentId);
      const res = await api().post(`${API}/claims`).set(...bearer(tenant.admin.token))
        .send(consultationClaim(family.policyholder_id, { previous_claims_same_day: 3 }));
      expect(res.status, res.text).to.equal(201);
      return res.body.review.review_id;
    },
    // A bill on a claim held for a person (so it may still be deleted); the route's :claim_id names that claim.
    document_id: async () => {
      const family = await arrangeFamily(tenant, agentId);
      const claim = await api().post(`${API}/claims`).set(...bearer(tenant.admin.token))
        .send(consultationClaim(family.policyholder_id, { previous_claims_same_day: 3 }));
      expect(claim.status, claim.text).to.equal(201);
      documentClaimId = claim.body.claim_id;
      const res = await api().post(`${API}/claims/${documentClaimId}/documents`).set(...bearer(tenant.admin.token))
        .field('document_type', 'bill').attach('file', PDF, { filename: 'bill.pdf', contentType: 'application/pdf' });
      expect(res.status, res.text).to.equal(201);
      return res.body.document_id;
    },
    // A staged import of one customer into the agent's book (no worker runs it here; staging is enough).
    import_id: async () => {
      const id = `SPELL-${crypto.randomBytes(4).toString('hex').toUpperCase()}`;
      const file = Buffer.from(`customer_id,first_name,last_name\n${id},Asha,Verma\n`);
      const res = await api().post(`${API}/imports`).set(...bearer(tenant.admin.token)).field('agent_id', agentId)
        .attach('file', file, { filename: 'book.csv', contentType: 'text/csv' });
      expect(res.status, res.text).to.equal(202);
      return res.body.import_id;
    },
    // A queued backtest of draft terms (no worker runs it here; the run's row is enough); the route names PLUM_OPD_2024.
    backtest_id: async () => {
      const terms = structuredClone(PLUM_TERMS);
      delete terms.policy_id;
      const res = await api().post(`${API}/claims/policy-terms/PLUM_OPD_2024/backtest`).set(...bearer(tenant.admin.token)).send({ terms, limit: 1 });
      expect(res.status, res.text).to.equal(202);
      return res.body.backtest_id;
    },
    // An export request (no worker runs it here: the download answers 409 not ready, the same for every spelling).
    request_id: async () => {
      const res = await api().post(`${API}/data-rights-requests`).set(...bearer(tenant.admin.token))
        .send({ kind: 'export', policyholder_id: await createTestPolicyholder(tenant, agentId) });
      expect(res.status, res.text).to.equal(202);
      return res.body.request_id;
    },
    // A security key of another user: neither caller may remove it (only one's own keys exist for the route).
    credential_id: async () => {
      const owner = await createTestUser(tenant, 'junior_agent');
      const options = await api().post(`${API}/auth/webauthn/registration/options`).set(...bearer(owner.token));
      const { origins, rpId } = testDeps().config.webauthn;
      const key = new SoftwareAuthenticator(origins[0] as string, rpId);
      const res = await api().post(`${API}/auth/webauthn/registration`).set(...bearer(owner.token)).send({ name: 'probe', credential: key.register(options.body) });
      expect(res.status, res.text).to.equal(201);
      return res.body.credential_id;
    },
    session_id: async () => {
      const token = (await login({ tenant: tenant.tenant_code, email: tenant.admin.email, password: tenant.admin.password })).access_token;
      const sessions = await api().get(`${API}/auth/sessions?limit=200`).set(...bearer(token));
      return sessions.body.data.find((session: { current: boolean }) => session.current).session_id;
    },
  };

  async function call(endpoint: Endpoint, caller: Caller, spell: Spelling | undefined): Promise<{ res: Response; ids: string[] }> {
    const ids: string[] = [];
    let path = endpoint.spec.path;
    for (const name of uuidParams(endpoint)) {
      const id = await targets[name]!();
      ids.push(id);
      path = path.replace(`:${name}`, spell ? spell(id) : id);
    }
    path = path.replace(':key', 'spelling.probe').replace(':claim_id', documentClaimId).replace(':policy_terms_id', 'PLUM_OPD_2024');
    const request = api()[endpoint.spec.method](`${API}${path}`).set(...bearer(caller.token));
    const body = BODIES[`${endpoint.spec.method} ${endpoint.spec.path}`];
    return { res: await (body === undefined ? request : request.send(body as object)), ids };
  }

  function callersFor(endpoint: Endpoint): Caller[] {
    if (endpoint.spec.access === 'platform') return [{ name: 'super admin', token: platform }, admin()];
    return [admin(), weak];
  }

  before(async () => {
    tenant = await createTestTenant({ api_rate_limit: 1_000_000 });
    platform = await superAdminToken();
    const role = await api().post(`${API}/roles`).set(...bearer(tenant.admin.token)).send({
      role_name: 'user_keeper',
      permissions: ['read', 'update', 'delete'].flatMap((action) => ['User', 'Role'].map((subject) => ({ action, subject }))),
    });
    expect(role.status, role.text).to.equal(201);
    const email = `keeper.${crypto.randomBytes(4).toString('hex')}@spell.test`;
    const user = await api().post(`${API}/users`).set(...bearer(tenant.admin.token))
      .send({ email, password: TEST_PASSWORD, first_name: 'Keeper', last_name: 'Weak', role_ids: [role.body.role_id] });
    expect(user.status, user.text).to.equal(201);
    weak = { name: 'a user_keeper (read, update, delete User and Role)', token: (await login({ tenant: tenant.tenant_code, email, password: TEST_PASSWORD })).access_token };
    const provider = await api().post(`${API}/providers`).set(...bearer(platform)).send({
      provider_code: `SP${crypto.randomBytes(4).toString('hex').toUpperCase()}`, provider_name: 'Spelling Probe', provider_type: 'composite',
    });
    expect(provider.status, provider.text).to.equal(201);
    providerId = provider.body.provider_id;
    agentId = (await createTestUser(tenant, 'junior_agent', { agent: true })).agent_id as string;
    await addTerms(tenant);
  });

  it('covers every route that takes a uuid, each with a target and (when it takes a body) a probe body', () => {
    expect(ID_ROUTES.length).to.be.greaterThan(10);
    for (const endpoint of ID_ROUTES) {
      for (const name of uuidParams(endpoint)) expect(targets, `a target for :${name}`).to.have.property(name);
      if (endpoint.spec.body) expect(BODIES, `a probe body for ${endpoint.spec.method} ${endpoint.spec.path}`)
        .to.have.property(`${endpoint.spec.method} ${endpoint.spec.path}`);
    }
  });

  for (const endpoint of ID_ROUTES) {
    it(`${endpoint.spec.method.toUpperCase()} ${endpoint.spec.path}`, async () => {
      for (const caller of callersFor(endpoint)) {
        const canonical = await call(endpoint, caller, undefined);
        expect(canonical.res.status, `${caller.name}, canonical: ${canonical.res.text}`).to.be.below(500);
        for (const [spelling, spell] of Object.entries(SPELLINGS)) {
          const { res, ids } = await call(endpoint, caller, spell);
          const text = res.text ?? ''; // a download's bytes are no text
          const where = `${caller.name}, ${spelling}: canonical ${canonical.res.status}, got ${res.status} ${text.slice(0, 200)}`;
          expect([canonical.res.status, 400], where).to.include(res.status);
          // A success names the record by its canonical id, never by the request's spelling.
          if (res.status < 300) for (const id of ids) expect(text.includes(spell(id)), where).to.equal(false);
        }
      }
    });
  }

  it('the weak caller cannot take over an administrator by spelling its id in upper case', async () => {
    const adminId = await targets.user_id!();
    const reset = await api().patch(`${API}/users/${adminId.toUpperCase()}`).set(...bearer(weak.token))
      .send({ password: 'Taken#Over2026xyz' });
    expect(reset.status, reset.text).to.equal(403);
    const stripped = await api().put(`${API}/users/${adminId.toUpperCase()}/roles`).set(...bearer(weak.token)).send({ role_ids: [] });
    expect(stripped.status, stripped.text).to.equal(403);
    const removed = await api().delete(`${API}/users/${adminId.toUpperCase()}`).set(...bearer(weak.token));
    expect(removed.status, removed.text).to.equal(403);
    const shown = await api().get(`${API}/users/${adminId}`).set(...bearer(tenant.admin.token));
    expect(shown.body.status).to.equal('active');
    expect(shown.body.roles.map((role: { role_name: string }) => role.role_name)).to.deep.equal(['insurance_provider_admin']);
  });

  it('a caller cannot get around the self-protection checks by spelling its own id differently', async () => {
    const me = await api().get(`${API}/auth/me`).set(...bearer(tenant.admin.token));
    const ownId = me.body.user_id.toUpperCase();
    expect((await api().delete(`${API}/users/${ownId}`).set(...bearer(tenant.admin.token))).status).to.equal(409);
    expect((await api().put(`${API}/users/${ownId}/roles`).set(...bearer(tenant.admin.token)).send({ role_ids: [] })).status)
      .to.equal(409);
    expect((await api().patch(`${API}/users/${ownId}`).set(...bearer(tenant.admin.token)).send({ status: 'suspended' })).status)
      .to.equal(409);
  });

  it('V13.1.1 e-mails are trimmed and lower-cased where they are parsed, in sign-in as in user creation', async () => {
    const email = `Spaced.${crypto.randomBytes(4).toString('hex')}@Spell.TEST`;
    const created = await api().post(`${API}/users`).set(...bearer(tenant.admin.token))
      .send({ email: `  ${email} `, password: TEST_PASSWORD, first_name: 'Spaced', last_name: 'Out' });
    expect(created.status, created.text).to.equal(201);
    expect(created.body.email).to.equal(email.toLowerCase());
    const signIn = await api().post(`${API}/auth/login`)
      .send({ tenant: ` ${tenant.tenant_code.toLowerCase()} `, email: ` ${email.toUpperCase()} `, password: TEST_PASSWORD });
    expect(signIn.status, signIn.text).to.equal(200);
    expect(signIn.body.user.tenant_code).to.equal(tenant.tenant_code);
  });
});
