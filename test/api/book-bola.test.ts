import crypto from 'node:crypto';
import { expect } from 'chai';
import { bearer } from '../helpers/actors.js';
import { API, api } from '../helpers/context.js';
import { bolaMatrix, bookFixture, createPolicyholderAs, type BookFixture } from '../helpers/book.js';

// Who may see and change what in the agent book, route by route, for every route the router serves under
// /agents, /policyholders and /audit. Each request aims at juniorA's book. An action a role does not grant at
// all is a 403 whatever the record; a record outside the caller's reach is a 404 for anyone who may act.

const code = () => `AG-${crypto.randomBytes(4).toString('hex').toUpperCase()}`;

describe('BOLA matrix: agents, policyholders, audit', () => {
  let fixture: BookFixture;
  before(async () => {
    fixture = await bookFixture();
  });
  const agentA = (fx: BookFixture) => fx.users.juniorA.agent_id as string;

  bolaMatrix(['/agents', '/policyholders', '/audit'], [
    {
      route: 'GET /agents', request: () => ({ path: '/agents?limit=200' }),
      expect: { juniorA: 200, juniorB: 200, senior: 200, manager: 200, admin: 200, otherAdmin: 200, policyholder: 403 },
      listed: { id: agentA, by: { juniorA: true, juniorB: false, senior: true, manager: true, admin: true, otherAdmin: false, policyholder: false } },
    },
    {
      route: 'POST /agents', request: (fx) => ({ path: '/agents', body: { agent_code: code(), parent_agent_id: agentA(fx) } }),
      expect: { juniorA: 403, juniorB: 403, senior: 403, manager: 201, admin: 201, otherAdmin: 404, policyholder: 403 },
    },
    {
      route: 'GET /agents/:agent_id', request: (fx) => ({ path: `/agents/${agentA(fx)}` }),
      expect: { juniorA: 200, juniorB: 404, senior: 200, manager: 200, admin: 200, otherAdmin: 404, policyholder: 403 },
    },
    {
      route: 'PATCH /agents/:agent_id', request: (fx) => ({ path: `/agents/${agentA(fx)}`, body: { territory: 'Pune West' } }),
      expect: { juniorA: 403, juniorB: 403, senior: 403, manager: 200, admin: 200, otherAdmin: 404, policyholder: 403 },
    },
    {
      route: 'GET /agents/:agent_id/team', request: (fx) => ({ path: `/agents/${agentA(fx)}/team` }),
      expect: { juniorA: 200, juniorB: 404, senior: 200, manager: 200, admin: 200, otherAdmin: 404, policyholder: 403 },
    },
    {
      // policies branch: the agent's dashboard (its figures are tested in dashboard.test.ts)
      route: 'GET /agents/:agent_id/dashboard', request: (fx) => ({ path: `/agents/${agentA(fx)}/dashboard?include_team=true` }),
      expect: { juniorA: 200, juniorB: 404, senior: 200, manager: 200, admin: 200, otherAdmin: 404, policyholder: 403 },
    },
    {
      route: 'GET /policyholders', request: () => ({ path: '/policyholders?limit=200' }),
      expect: { juniorA: 200, juniorB: 200, senior: 200, manager: 200, admin: 200, otherAdmin: 200, policyholder: 200 },
      listed: { id: (fx) => fx.policyholderA,
        by: { juniorA: true, juniorB: false, senior: true, manager: true, admin: true, otherAdmin: false, policyholder: true } },
    },
    {
      route: 'POST /policyholders', request: (fx) => ({ path: '/policyholders', body: { first_name: 'Meera', agent_id: agentA(fx) } }),
      expect: { juniorA: 201, juniorB: 404, senior: 201, manager: 201, admin: 201, otherAdmin: 404, policyholder: 403 },
    },
    {
      route: 'GET /policyholders/:policyholder_id', request: (fx) => ({ path: `/policyholders/${fx.policyholderA}` }),
      expect: { juniorA: 200, juniorB: 404, senior: 200, manager: 200, admin: 200, otherAdmin: 404, policyholder: 200 },
    },
    {
      route: 'PATCH /policyholders/:policyholder_id', request: (fx) => ({ path: `/policyholders/${fx.policyholderA}`, body: { occupation: 'Teacher' } }),
      expect: { juniorA: 200, juniorB: 404, senior: 200, manager: 200, admin: 200, otherAdmin: 404, policyholder: 403 },
    },
    {
      route: 'DELETE /policyholders/:policyholder_id',
      request: async (fx) => ({ path: `/policyholders/${await createPolicyholderAs(fx.token('juniorA'), { first_name: 'Fresh' })}` }),
      expect: { juniorA: 403, juniorB: 403, senior: 403, manager: 204, admin: 204, otherAdmin: 404, policyholder: 403 },
    },
    {
      // claims branch: a policyholder's dependents and limits (POST /claims and the rest: claims.test.ts)
      route: 'GET /policyholders/:policyholder_id/dependents', request: (fx) => ({ path: `/policyholders/${fx.policyholderA}/dependents` }),
      expect: { juniorA: 200, juniorB: 404, senior: 200, manager: 200, admin: 200, otherAdmin: 404, policyholder: 200 },
    },
    {
      route: 'POST /policyholders/:policyholder_id/dependents',
      // A child of each actor's own naming: the same person twice is a 409 claims.dependent_exists.
      request: (fx, actor) => ({ path: `/policyholders/${fx.policyholderA}/dependents`, body: { full_name: `Anu ${actor}`, relationship: 'child', date_of_birth: '2015-06-01' } }),
      expect: { juniorA: 201, juniorB: 404, senior: 201, manager: 201, admin: 201, otherAdmin: 404, policyholder: 403 },
    },
    {
      // Without a health policy the limits have no terms: 422 claims.no_cover for whoever may see the family.
      route: 'GET /policyholders/:policyholder_id/limits', request: (fx) => ({ path: `/policyholders/${fx.policyholderA}/limits` }),
      expect: { juniorA: 422, juniorB: 404, senior: 422, manager: 422, admin: 422, otherAdmin: 404, policyholder: 422 },
    },
    {
      // data protection: a policyholder's consents (read like the record, recorded like a change to it)
      route: 'GET /policyholders/:policyholder_id/consents', request: (fx) => ({ path: `/policyholders/${fx.policyholderA}/consents` }),
      expect: { juniorA: 200, juniorB: 404, senior: 200, manager: 200, admin: 200, otherAdmin: 404, policyholder: 200 },
    },
    {
      route: 'POST /policyholders/:policyholder_id/consents',
      request: (fx) => ({ path: `/policyholders/${fx.policyholderA}/consents`, body: { purpose: 'marketing', status: 'given', channel: 'app' } }),
      // The policyholder user records its own decisions (policyholderA is its record); another's: consent-self-service.test.ts.
      expect: { juniorA: 201, juniorB: 404, senior: 201, manager: 201, admin: 201, otherAdmin: 404, policyholder: 201 },
    },
    {
      route: 'GET /audit', request: (fx) => ({ path: `/audit?table=policyholders&record_id=${fx.policyholderA}` }),
      expect: { juniorA: 403, juniorB: 403, senior: 403, manager: 403, admin: 200, otherAdmin: 200, policyholder: 403 },
      listed: { id: (fx) => fx.policyholderA,
        by: { juniorA: false, juniorB: false, senior: false, manager: false, admin: true, otherAdmin: false, policyholder: false } },
    },
  ], () => fixture);

  // The scope's first round trip sets the book range with set_config: a policyholder user's own-rows range must be
  // narrowed there too, or it would see every customer of its agent (same book number).
  it("shows a policyholder user its own record only, never its agent's other customers", async () => {
    const sibling = await createPolicyholderAs(fixture.token('juniorA'), { first_name: 'Sibling' });
    const list = await api().get(`${API}/policyholders?limit=200`).set(...bearer(fixture.token('policyholder')));
    expect(list.status, list.text).to.equal(200);
    expect(list.body.data.map((row: { policyholder_id: string }) => row.policyholder_id)).to.deep.equal([fixture.policyholderA]);
    expect((await api().get(`${API}/policyholders/${sibling}`).set(...bearer(fixture.token('policyholder')))).status).to.equal(404);
  });
});
