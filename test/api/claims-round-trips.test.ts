import { expect } from 'chai';
import { bearer, createTestTenant, createTestUser, type TestTenant, type TestUser } from '../helpers/actors.js';
import { addTerms, arrangeFamily, consultationClaim, type Family } from '../helpers/claims.js';
import { API, api, testDeps } from '../helpers/context.js';
import { skipBecause } from '../helpers/skip.js';
import { recordStatements } from '../helpers/statement-recorder.js';

// What POST /claims costs in database round trips on PostgreSQL: the scope's opening (BEGIN, settings, caller), the
// reads the claim is decided on in one simple query (the family locked, the dependent, cover and current terms, the
// family's history, the data keys), the claim's insert, COMMIT. claims-concurrency.test.ts shows that the history,
// read in the same round trip as the lock, still sees every claim committed before the lock was granted.

let sent: string[] | undefined;
let stopRecording = (): void => undefined;
const COUNTER = /^INSERT INTO shared\.rate_limit_counters/;

describe('claims: database round trips per submission', () => {
  let tenant: TestTenant;
  let agent: TestUser;
  let family: Family;

  async function roundTripsOf(body: Record<string, unknown>): Promise<string[]> {
    sent = [];
    try {
      const res = await api().post(`${API}/claims`).set(...bearer(agent.token)).send(body);
      expect(res.status, res.text).to.equal(201);
      return sent.map((text) => text.replace(/\s+/g, ' ').trim()).filter((text) => !COUNTER.test(text));
    } finally {
      sent = undefined;
    }
  }

  before(async function () {
    if (testDeps().db.isCitus) skipBecause(this, 'on Citus each read is a round trip of its own (see readTogether in src/db/knex.ts)');
    stopRecording = recordStatements(() => sent);
    tenant = await createTestTenant();
    await addTerms(tenant);
    agent = await createTestUser(tenant, 'junior_agent', { agent: true });
    family = await arrangeFamily(tenant, agent.agent_id as string);
    // The tenant's first claim creates its data keys and this process reads the terms document once: not counted.
    await roundTripsOf(consultationClaim(family.policyholder_id, { treatment_date: '2026-11-02' }));
  });

  after(() => {
    stopRecording();
  });

  it('a claim: the opening, the reads in one round trip, the insert, COMMIT', async () => {
    const statements = await roundTripsOf(consultationClaim(family.policyholder_id));
    expect(statements, statements.join('\n')).to.have.length(4);
    expect(statements[0]).to.match(/^BEGIN; SET LOCAL search_path/);
    expect(statements[1]).to.match(/^SELECT p\.policyholder_id, .* FOR UPDATE OF p FOR KEY SHARE OF a; SELECT c\.policy_id, .* FROM policy_terms .*; SELECT claim_number, .* FROM claims .*; SELECT .* FROM data_keys /);
    expect(statements[2]).to.match(/^insert into "claims"/);
    expect(statements[3]).to.equal('COMMIT;');
  });

  it("a dependent's claim reads the dependent in the same round trip", async () => {
    const dependent = await api().post(`${API}/policyholders/${family.policyholder_id}/dependents`).set(...bearer(agent.token))
      .send({ full_name: 'Asha Kumar', relationship: 'spouse', date_of_birth: '1990-02-01', gender: 'female', pre_existing_conditions: ['Asthma'] });
    expect(dependent.status, dependent.text).to.equal(201);
    const statements = await roundTripsOf(consultationClaim(family.policyholder_id, { dependent_id: dependent.body.dependent_id }));
    expect(statements, statements.join('\n')).to.have.length(4);
    expect(statements[1]).to.match(/FOR UPDATE OF p FOR KEY SHARE OF a; SELECT dependent_id, .* FROM dependents WHERE/);
  });

  it('terms named in the body are looked up by that code in the same round trip', async () => {
    const statements = await roundTripsOf(consultationClaim(family.policyholder_id, { policy_terms_id: 'plum_opd_2024', treatment_date: '2026-11-03' }));
    expect(statements, statements.join('\n')).to.have.length(4);
    expect(statements[1]).to.include("WHERE policy_terms_id = 'PLUM_OPD_2024' AND is_current");
  });
});
