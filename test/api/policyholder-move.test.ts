import { expect } from 'chai';
import { POLICYHOLDER_BOOK_TABLES } from '../../src/policyholders/repository.js';
import { bearer, createTestTenant, createTestUser, type TestTenant, type TestUser } from '../helpers/actors.js';
import { ownerQuery } from '../helpers/catalog.js';
import { addTerms, arrangeFamily, consultationClaim } from '../helpers/claims.js';
import { inOwnerTransaction } from '../../src/db/privileged.js';
import { enterTenant, type Tx } from '../../src/db/scope.js';
import { API, api, testDeps } from '../helpers/context.js';
import { createPolicy, moveTo, pay, policyBody } from '../helpers/policies.js';

// A policyholder moved to another agent takes its whole book along (policies, their history, payments, dependents,
// claims, claim documents), in the same transaction and audited; an agent moved to another manager takes its book
// along too. Both ends of a move must be in the caller's range.
//
//   managerOne > senior > { juniorA, juniorB };  managerTwo (no team yet)

describe('moving a policyholder or an agent carries its book', () => {
  let tenant: TestTenant;
  let managerOne: TestUser;
  let managerTwo: TestUser;
  let senior: TestUser;
  let juniorA: TestUser;
  let juniorB: TestUser;
  let holderId: string;
  let policyId: string;
  let paymentId: string;
  let claimId: string;
  let documentId: string;
  let dependentId: string;
  const as = (user: { token: string }) => bearer(user.token);
  const get = (user: { token: string }, path: string) => api().get(`${API}${path}`).set(...as(user));

  /** What `user` sees of the moved customer's book: each record's status, and whether the lists hold it. */
  async function seenBy(user: { token: string }) {
    const status = async (path: string) => (await get(user, path)).status;
    const listed = async (path: string, key: string, id: string) => {
      const res = await get(user, path);
      return res.status === 200 && (res.body.data as Record<string, string>[]).some((row) => row[key] === id);
    };
    return {
      policyholder: await status(`/policyholders/${holderId}`),
      policy: await status(`/policies/${policyId}`),
      payment: await status(`/payments/${paymentId}`),
      claim: await status(`/claims/${claimId}`),
      document: await status(`/claims/${claimId}/documents/${documentId}`),
      dependents: await status(`/policyholders/${holderId}/dependents`),
      policyListed: await listed('/policies', 'policy_id', policyId),
      paymentListed: await listed('/payments', 'payment_id', paymentId),
      claimListed: await listed('/claims', 'claim_id', claimId),
    };
  }
  const VISIBLE = { policyholder: 200, policy: 200, payment: 200, claim: 200, document: 200, dependents: 200,
    policyListed: true, paymentListed: true, claimListed: true };
  const HIDDEN = { policyholder: 404, policy: 404, payment: 404, claim: 404, document: 404, dependents: 404,
    policyListed: false, paymentListed: false, claimListed: false };

  /** As the owner with the whole tenant in scope (RLS is forced on the owner too). */
  const wholeTenant = <T>(work: (tx: Tx) => Promise<T>) => inOwnerTransaction(testDeps().db, async (tx) => {
    await enterTenant(tx, tenant);
    return work(tx);
  });

  async function bookRowsOf(policyholderId: string): Promise<Record<string, string[]>> {
    return wholeTenant(async (tx) => {
      const owners: Record<string, string[]> = {};
      for (const table of ['policyholders', ...POLICYHOLDER_BOOK_TABLES]) {
        owners[table] = (await tx(table).distinct('agent_id').where({ policyholder_id: policyholderId })).map((row) => row.agent_id);
      }
      return owners;
    });
  }

  /** Every row of the customer, in every book table, is in `agentId`'s book (a claim that needed no review has none). */
  async function expectBookOf(policyholderId: string, agentId: string): Promise<void> {
    const owners = await bookRowsOf(policyholderId);
    for (const [table, agents] of Object.entries(owners)) {
      expect(agents, table).to.deep.equal(table === 'manual_reviews' && agents.length === 0 ? [] : [agentId]);
    }
  }

  before(async () => {
    tenant = await createTestTenant();
    await addTerms(tenant);
    managerOne = await createTestUser(tenant, 'regional_manager', { agent: true });
    managerTwo = await createTestUser(tenant, 'regional_manager', { agent: true });
    senior = await createTestUser(tenant, 'senior_agent', { agent: true, parentAgentId: managerOne.agent_id });
    juniorA = await createTestUser(tenant, 'junior_agent', { agent: true, parentAgentId: senior.agent_id });
    juniorB = await createTestUser(tenant, 'junior_agent', { agent: true, parentAgentId: senior.agent_id });
    const family = await arrangeFamily(tenant, juniorA.agent_id as string);
    holderId = family.policyholder_id;
    const consent = await api().post(`${API}/policyholders/${holderId}/consents`).set(...as(juniorA))
      .send({ purpose: 'marketing', status: 'given', channel: 'app' });
    expect(consent.status, consent.text).to.equal(201);
    const proposal = await createPolicy(juniorA.token, policyBody(holderId));
    policyId = (await moveTo(managerOne.token, proposal.policy_id, 'pending_approval', 'approved')).policy_id;
    const payment = await pay(juniorA.token, { policy_id: policyId, amount: 2500.5, payment_method: 'upi' }, 'move-test-1');
    expect(payment.status, payment.text).to.equal(201);
    paymentId = payment.body.payment_id;
    const dependent = await api().post(`${API}/policyholders/${holderId}/dependents`).set(...as(juniorA))
      .send({ full_name: 'Priya Kumar', relationship: 'spouse', date_of_birth: '1990-02-01', gender: 'female' });
    expect(dependent.status, dependent.text).to.equal(201);
    dependentId = dependent.body.dependent_id;
    const claim = await api().post(`${API}/claims`).set(...as(juniorA)).send(consultationClaim(holderId));
    expect(claim.status, claim.text).to.equal(201);
    claimId = claim.body.claim_id;
    const document = await api().post(`${API}/claims/${claimId}/documents`).set(...as(juniorA)).field('document_type', 'bill')
      .attach('file', Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n'), { filename: 'bill.pdf', contentType: 'application/pdf' });
    expect(document.status, document.text).to.equal(201);
    documentId = document.body.document_id;
    expect(await seenBy(juniorA)).to.deep.equal(VISIBLE);
    expect(await seenBy(juniorB)).to.deep.equal(HIDDEN);
  });

  it('every table with rows of a policyholder is carried by a move (the list matches the catalog)', async () => {
    const tables = await ownerQuery(async (client) => (await client.query<{ table_name: string }>(`
      SELECT table_name FROM information_schema.columns WHERE table_schema = $1 AND column_name = 'policyholder_id'
         AND table_name IN (SELECT table_name FROM information_schema.columns WHERE table_schema = $1 AND column_name = 'agent_order')
         AND table_name NOT IN ('policyholders', 'users') ORDER BY table_name`, [tenant.schema_name])).rows.map((row) => row.table_name));
    expect(tables).to.deep.equal([...POLICYHOLDER_BOOK_TABLES].sort());
  });

  it('a junior cannot hand its customer to an agent outside its range, nor take one from outside: 404, nothing moves', async () => {
    const give = await api().patch(`${API}/policyholders/${holderId}`).set(...as(juniorA)).send({ agent_id: juniorB.agent_id });
    expect(give.status, give.text).to.equal(404);
    expect(give.body.code).to.equal('agent.not_found');
    const take = await api().patch(`${API}/policyholders/${holderId}`).set(...as(juniorB)).send({ agent_id: juniorB.agent_id });
    expect(take.status, take.text).to.equal(404);
    expect(take.body.code).to.equal('policyholder.not_found');
    const elsewhere = await api().patch(`${API}/policyholders/${holderId}`).set(...as(managerTwo)).send({ agent_id: managerTwo.agent_id });
    expect(elsewhere.status, elsewhere.text).to.equal(404);
    const outOfReach = await api().patch(`${API}/policyholders/${holderId}`).set(...as(senior)).send({ agent_id: managerTwo.agent_id });
    expect(outOfReach.status, outOfReach.text).to.equal(404);
    expect(outOfReach.body.code).to.equal('agent.not_found');
    await expectBookOf(holderId, juniorA.agent_id as string);
  });

  it('the senior moves the customer from junior A to junior B: every book row follows, in one transaction, audited', async () => {
    const moved = await api().patch(`${API}/policyholders/${holderId}`).set(...as(senior)).send({ agent_id: juniorB.agent_id });
    expect(moved.status, moved.text).to.equal(200);
    expect(moved.body.agent_id).to.equal(juniorB.agent_id);
    await expectBookOf(holderId, juniorB.agent_id as string);
    expect(await seenBy(juniorB)).to.deep.equal(VISIBLE);
    expect(await seenBy(juniorA)).to.deep.equal(HIDDEN);
    const dependents = await get(juniorB, `/policyholders/${holderId}/dependents`);
    expect(dependents.body.data.map((d: { dependent_id: string }) => d.dependent_id)).to.deep.equal([dependentId]);

    const dashboardA = await get(juniorA, `/agents/${juniorA.agent_id}/dashboard`);
    const dashboardB = await get(juniorB, `/agents/${juniorB.agent_id}/dashboard`);
    expect([dashboardA.body.policies.total, dashboardA.body.premium_collected.payments_this_year]).to.deep.equal([0, 0]);
    expect(dashboardB.body.policies.total).to.equal(2);
    expect(dashboardB.body.policyholders).to.equal(1);

    for (const [table, recordId] of [['policies', policyId], ['premium_payments', paymentId], ['claims', claimId]]) {
      const audit = await get(tenant.admin, `/audit?table=${table}&record_id=${recordId}`);
      const move = (audit.body.data as { operation: string; changed_columns: string[]; new_values: { agent_id: string } }[])
        .find((entry) => entry.changed_columns.includes('agent_id'));
      expect(move, `${table} audited`).to.not.equal(undefined);
      expect(move?.new_values.agent_id).to.equal(juniorB.agent_id);
    }
  });

  it('junior B now writes on the moved policy: its new payments land in its own book', async () => {
    const res = await pay(juniorB.token, { policy_id: policyId, amount: 2500.5, payment_method: 'cash' }, 'move-test-2');
    expect(res.status, res.text).to.equal(201);
    expect(res.body.agent_id).to.equal(juniorB.agent_id);
    expect((await get(juniorA, `/payments/${res.body.payment_id}`)).status).to.equal(404);
  });

  it('an admin moves junior B to the other manager: the book goes with it, the old manager loses it', async () => {
    expect(await seenBy(managerOne)).to.deep.equal(VISIBLE);
    expect(await seenBy(managerTwo)).to.deep.equal(HIDDEN);
    const teamBefore = await get(managerOne, `/agents/${managerOne.agent_id}/dashboard?include_team=true`);
    const moved = await api().patch(`${API}/agents/${juniorB.agent_id}`).set(...as(tenant.admin)).send({ parent_agent_id: managerTwo.agent_id });
    expect(moved.status, moved.text).to.equal(200);
    expect(await seenBy(managerTwo)).to.deep.equal(VISIBLE);
    expect(await seenBy(managerOne)).to.deep.equal(HIDDEN);
    expect(await seenBy(senior)).to.deep.equal(HIDDEN);
    expect(await seenBy(juniorB)).to.deep.equal(VISIBLE);
    const teamOne = await get(managerOne, `/agents/${managerOne.agent_id}/dashboard?include_team=true`);
    const teamTwo = await get(managerTwo, `/agents/${managerTwo.agent_id}/dashboard?include_team=true`);
    expect(teamOne.body.policies.total).to.equal(teamBefore.body.policies.total - 2);
    expect(teamTwo.body.policies.total).to.equal(2);
    expect(teamTwo.body.premium_collected.payments_this_year).to.equal(teamBefore.body.premium_collected.payments_this_year);
    // Every book row's number is its agent's number again.
    const numbers = await wholeTenant(async (tx) => {
      const counts: Record<string, { rows: number; stale: number }> = {};
      for (const table of ['policyholders', ...POLICYHOLDER_BOOK_TABLES]) {
        const { rows } = await tx.raw(`SELECT count(*)::int AS rows, count(*) FILTER (WHERE t.agent_order <> a.pre_order)::int AS stale
          FROM ${table} t JOIN agents a ON a.agent_id = t.agent_id`);
        counts[table] = rows[0];
      }
      return counts;
    });
    for (const [table, count] of Object.entries(numbers)) {
      expect(count.stale, table).to.equal(0);
      if (table !== 'manual_reviews') expect(count.rows, table).to.be.greaterThan(0);
    }
  });

  it('a manager cannot move an agent of its own out to a manager it cannot see, nor pull one in', async () => {
    const out = await api().patch(`${API}/agents/${juniorB.agent_id}`).set(...as(managerTwo)).send({ parent_agent_id: managerOne.agent_id });
    expect(out.status, out.text).to.equal(404);
    const pull = await api().patch(`${API}/agents/${juniorA.agent_id}`).set(...as(managerTwo)).send({ parent_agent_id: managerTwo.agent_id });
    expect(pull.status, pull.text).to.equal(404);
    expect(await seenBy(managerTwo)).to.deep.equal(VISIBLE);
  });
});
