import { expect } from 'chai';
import { inOwnerTransaction } from '../../src/db/privileged.js';
import { enterTenant } from '../../src/db/scope.js';
import { lapseOverduePolicies } from '../../src/policies/lapse-job.js';
import { bearer, createTestTenant, createTestUser, type TestTenant, type TestUser } from '../helpers/actors.js';
import { activePolicy, createPolicy, createTestPolicyholder, daysAgo, pay, policyBody, today } from '../helpers/policies.js';
import { API, api, testDeps } from '../helpers/context.js';
import { expectProblem } from '../helpers/problems.js';

describe('grace period and lapse: the daily job and the admin run', () => {
  interface Book { tenant: TestTenant; agent: TestUser; overdue: string; inGrace: string; paidUp: string; draft: string }
  const books: Book[] = [];

  /** A tenant with one policy of each kind: past grace, within grace, paid up, and an overdue-looking proposal. */
  async function arrangeBook(): Promise<Book> {
    const tenant = await createTestTenant();
    const agent = await createTestUser(tenant, 'junior_agent', { agent: true });
    const holder = await createTestPolicyholder(tenant, agent.agent_id as string);
    const admin = tenant.admin.token;
    const monthly = (startDaysAgo: number) => policyBody(holder, { start_date: daysAgo(startDaysAgo), premium_amount: 800 });
    const overdue = await activePolicy(admin, monthly(16)); // monthly grace is 15 days
    const inGrace = await activePolicy(admin, monthly(15));
    const paidUp = await activePolicy(admin, monthly(16));
    expect((await pay(agent.token, { policy_id: paidUp.policy_id, amount: 800, payment_method: 'upi' })).status).to.equal(201);
    const draft = await createPolicy(admin, monthly(400));
    return { tenant, agent, overdue: overdue.policy_id, inGrace: inGrace.policy_id, paidUp: paidUp.policy_id, draft: draft.policy_id };
  }

  async function statuses(book: Book): Promise<Record<string, unknown>[]> {
    return Promise.all([book.overdue, book.inGrace, book.paidUp, book.draft].map(async (id) => {
      const res = await api().get(`${API}/policies/${id}`).set(...bearer(book.tenant.admin.token));
      return res.body;
    }));
  }

  before(async () => {
    books.push(await arrangeBook(), await arrangeBook());
  });

  it('lapses, in every tenant, exactly the active policies past their grace period, as the system', async () => {
    const results = await lapseOverduePolicies(testDeps());
    for (const book of books) {
      expect(results).to.deep.include({ tenant_code: book.tenant.tenant_code, lapsed: 1 });
      const [overdue, inGrace, paidUp, draft] = await statuses(book);
      expect(overdue).to.include({ status: 'lapsed', lapsed_on: today() });
      expect((overdue?.status_history as Record<string, unknown>[]).at(-1)).to.include({
        from_status: 'active', to_status: 'lapsed', source: 'lapse_job', changed_by: null,
      });
      expect([inGrace?.status, paidUp?.status, draft?.status]).to.deep.equal(['active', 'active', 'draft']);
    }
    const audit = await inOwnerTransaction(testDeps().db, async (tx) => {
      await enterTenant(tx, books[0]!.tenant);
      return tx('audit_log').first('actor', 'actor_user_id').where({ table_name: 'policies', record_id: books[0]!.overdue, action: 'update' })
        .orderBy('occurred_at', 'desc');
    });
    expect(audit).to.deep.equal({ actor: 'system:lapse', actor_user_id: null });
  });

  it('a second run changes nothing: the same statuses, histories and dates', async () => {
    const before = await Promise.all(books.map(statuses));
    const results = await lapseOverduePolicies(testDeps());
    for (const book of books) expect(results).to.deep.include({ tenant_code: book.tenant.tenant_code, lapsed: 0 });
    expect(await Promise.all(books.map(statuses))).to.deep.equal(before);
  });

  it('the admin endpoint runs it for its own tenant only; agents and managers may not, and it never runs ahead of today', async () => {
    const book = books[1] as Book;
    const lateHolder = await createTestPolicyholder(book.tenant, book.agent.agent_id as string, 'Late');
    const late = await activePolicy(book.tenant.admin.token, policyBody(lateHolder, { start_date: daysAgo(40), premium_frequency: 'quarterly' }));
    const other = await activePolicy(books[0]!.tenant.admin.token, policyBody(
      await createTestPolicyholder(books[0]!.tenant, books[0]!.agent.agent_id as string), { start_date: daysAgo(40), premium_frequency: 'quarterly' }));
    expectProblem(await api().post(`${API}/policies/lapse-run`).set(...bearer(book.agent.token)).send({}), 403, [], 'access.forbidden');
    const manager = await createTestUser(book.tenant, 'regional_manager', { agent: true });
    expectProblem(await api().post(`${API}/policies/lapse-run`).set(...bearer(manager.token)).send({}), 403, [], 'access.forbidden');
    expectProblem(await api().post(`${API}/policies/lapse-run`).set(...bearer(book.tenant.admin.token)).send({ as_of: '2999-01-01' }),
      400, ['body.as_of']);
    const run = await api().post(`${API}/policies/lapse-run`).set(...bearer(book.tenant.admin.token)).send({});
    expect(run.status, run.text).to.equal(200);
    expect(run.body).to.deep.equal({ as_of: today(), lapsed: 1, policy_ids: [late.policy_id] });
    const untouched = await api().get(`${API}/policies/${other.policy_id}`).set(...bearer(books[0]!.tenant.admin.token));
    expect(untouched.body.status).to.equal('active');
    const again = await api().post(`${API}/policies/lapse-run`).set(...bearer(book.tenant.admin.token)).send({});
    expect(again.body).to.deep.equal({ as_of: today(), lapsed: 0, policy_ids: [] });
  });
});
