import { expect } from 'chai';
import { API_ENDPOINTS } from '../../src/endpoints.js';
import { bearer, createTestTenant, createTestUser, type TestTenant, type TestUser } from '../helpers/actors.js';
import { createPolicyholderAs } from '../helpers/book.js';
import { ownerInTenant, ownerQuery } from '../helpers/catalog.js';
import { addTerms, consultationClaim } from '../helpers/claims.js';
import { API, api } from '../helpers/context.js';
import { PDF } from '../helpers/documents.js';
import { createPolicy, policyBody } from '../helpers/policies.js';
import { expectProblem } from '../helpers/problems.js';

// Every read of personal data leaves exactly one read-audit row (one statement), holding one array element per
// record handed out (its id and whose data it is), naming the caller, the personal fields, the endpoint and the purpose.

interface ReadRow { request_id: string; actor_user_id: string | null; purpose: string; endpoint: string; subject: string;
  record_ids: string[]; policyholder_ids: (string | null)[]; fields: string[] }

/** The GET routes that hand out personal data; the walk below must cover each, and no other GET may be left out silently. */
const PERSONAL_READ_ROUTES = ['/policyholders', '/policyholders/:policyholder_id', '/policyholders/:policyholder_id/dependents',
  '/policies', '/policies/:policy_id', '/claims', '/claims/:claim_id', '/claims/reviews', '/claims/:claim_id/documents',
  '/claims/:claim_id/documents/:document_id'];
/** GET routes under the book's prefixes that hand out no personal field (amounts, limits, terms, the DPO's own tools). */
// Amounts and states only: payments, limits, terms, a backtest's report (claim ids and decisions, no names), and a
// person's consent decisions (purpose, status, channel: records of the person's choices, not data about them).
const NOT_PERSONAL = ['/policies/:policy_id/payments', '/policyholders/:policyholder_id/limits', '/claims/policy-terms',
  '/claims/policy-terms/:policy_terms_id', '/claims/policy-terms/:policy_terms_id/backtests/:backtest_id',
  '/policyholders/:policyholder_id/consents'];

describe('read audit of personal data', () => {
  let tenant: TestTenant;
  let agent: TestUser;
  let holder: string;
  let policyId: string;
  let claimId: string;
  let documentId: string;
  let dependentId: string;

  // The owner is under forced RLS as well: it names the tenant first.
  const rows = (): Promise<ReadRow[]> => ownerInTenant(tenant, async (client) => {
    return (await client.query<ReadRow>(`SELECT request_id, actor_user_id, purpose, endpoint, subject, record_ids, policyholder_ids, fields
       FROM "${tenant.schema_name}".personal_data_reads ORDER BY occurred_at, read_id`)).rows;
  });

  /** The rows one request added: at most one (a read is one row). */
  async function readBy(path: string, headers: Record<string, string> = {}): Promise<{ body: unknown; added: ReadRow[] }> {
    const before = (await rows()).length;
    const req = api().get(`${API}${path}`).set(...bearer(agent.token));
    for (const [name, value] of Object.entries(headers)) req.set(name, value);
    const res = await req;
    expect(res.status, `${path}: ${res.text}`).to.equal(200);
    const added = (await rows()).slice(before);
    expect(added.length, `${path}: one row per read`).to.be.at.most(1);
    expect(added.every((row) => row.record_ids.length === row.policyholder_ids.length), `${path}: parallel arrays`).to.equal(true);
    expect(added.every((row) => row.actor_user_id === agent.user_id), `${path}: the caller`).to.equal(true);
    return { body: res.body, added };
  }

  before(async () => {
    tenant = await createTestTenant();
    agent = await createTestUser(tenant, 'regional_manager', { agent: true });
    await addTerms(tenant);
    holder = await createPolicyholderAs(agent.token, { first_name: 'Meera', email: 'meera@example.in',
      pre_existing_conditions: [{ condition: 'Asthma' }] });
    for (let i = 0; i < 3; i += 1) await createPolicyholderAs(agent.token, { first_name: `Other${i}` });
    policyId = (await createPolicy(agent.token, policyBody(holder, { nominee_details: { name: 'Ravi', relationship: 'spouse', share_percent: 100 } }))).policy_id;
    const dependent = await api().post(`${API}/policyholders/${holder}/dependents`).set(...bearer(agent.token))
      .send({ full_name: 'Anu', relationship: 'child', date_of_birth: '2015-01-01' });
    expect(dependent.status, dependent.text).to.equal(201);
    dependentId = dependent.body.dependent_id;
    const claim = await api().post(`${API}/claims`).set(...bearer(agent.token)).send(consultationClaim(holder, { policy_terms_id: 'PLUM_OPD_2024' }));
    expect(claim.status, claim.text).to.equal(201);
    claimId = claim.body.claim_id;
    const upload = await api().post(`${API}/claims/${claimId}/documents`).set(...bearer(agent.token))
      .field('document_type', 'bill').attach('file', PDF, 'bill.pdf');
    expect(upload.status, upload.text).to.equal(201);
    documentId = upload.body.document_id;
  });

  it('declares every GET route of the book as a personal read or not', () => {
    const gets = API_ENDPOINTS.filter((e) => e.spec.method === 'get' && /^\/(policyholders|policies|claims)/.test(e.spec.path)).map((e) => e.spec.path);
    expect(gets.filter((path) => !PERSONAL_READ_ROUTES.includes(path) && !NOT_PERSONAL.includes(path))).to.deep.equal([]);
  });

  it('a list records one row, with one element per record handed out in reply order, and the personal fields', async () => {
    const { body, added } = await readBy('/policyholders?limit=200');
    const listed = (body as { data: { policyholder_id: string }[] }).data.map((p) => p.policyholder_id);
    expect(listed).to.have.length(4);
    expect(added).to.have.length(1);
    expect(added[0]).to.deep.include({ record_ids: listed, policyholder_ids: listed, endpoint: 'GET /policyholders',
      purpose: 'servicing', subject: 'policyholders' });
    expect(added[0]?.fields).to.include.members(['first_name', 'email', 'pre_existing_conditions', 'annual_income'])
      .and.not.include('status');
    const search = await readBy('/policyholders?q=meera');
    expect(search.added.map((row) => row.record_ids)).to.deep.equal([[holder]]);
  });

  it('every personal-data read endpoint leaves exactly one row set naming whose data it was', async () => {
    const walk: [string, string, number][] = [
      [`/policyholders/${holder}`, 'policyholders', 1],
      [`/policyholders/${holder}/dependents`, 'dependents', 1],
      [`/policies?limit=50`, 'policies', 1],
      [`/policies/${policyId}`, 'policies', 1],
      [`/claims`, 'claims', 1],
      [`/claims/${claimId}`, 'claims', 1],
      [`/claims/${claimId}/documents`, 'claim_documents', 1],
      [`/claims/${claimId}/documents/${documentId}`, 'claim_documents', 1],
    ];
    const walked = new Set<string>();
    for (const [path, subject, count] of walk) {
      const { added } = await readBy(path);
      expect(added, path).to.have.length(count);
      expect(added.every((row) => row.subject === subject && row.policyholder_ids.every((id) => id === holder) && row.fields.length > 0), path).to.equal(true);
      walked.add(added[0]?.endpoint.replace(/^GET /, '') ?? '');
    }
    expect((await readBy(`/policyholders/${holder}/dependents`)).added[0]?.record_ids).to.deep.equal([dependentId]);
    // The review queue is empty for a plain approved claim: nothing handed out, nothing recorded.
    expect((await readBy('/claims/reviews')).added).to.have.length(0);
    walked.add('/claims/reviews').add('/policyholders');
    expect([...walked].sort()).to.deep.equal([...PERSONAL_READ_ROUTES].sort());
  });

  it('takes the purpose from X-Purpose, and refuses one it does not know', async () => {
    const { added } = await readBy(`/claims/${claimId}`, { 'X-Purpose': 'Dispute_Resolution' });
    expect(added[0]?.purpose).to.equal('dispute_resolution');
    expectProblem(await api().get(`${API}/policyholders/${holder}`).set(...bearer(agent.token)).set('X-Purpose', 'curiosity'), 400,
      ['headers.x-purpose']);
  });

  it('is listed for tenant admins with filters, and insert-only for the runtime role', async () => {
    // The filter takes the purpose in any case, as X-Purpose does.
    const res = await api().get(`${API}/personal-data-reads`).query({ policyholder_id: holder, purpose: 'Dispute_Resolution' })
      .set(...bearer(tenant.admin.token));
    expect(res.status, res.text).to.equal(200);
    expect(res.body.data).to.have.length(1);
    expect(res.body.data[0]).to.deep.include({ endpoint: 'GET /claims/:claim_id', actor_user_id: agent.user_id,
      records: [{ record_id: claimId, policyholder_id: holder }] });
    // A page of four people is one read; filtered by one of them, it shows that person's record only.
    const listed = await api().get(`${API}/personal-data-reads`).query({ policyholder_id: holder }).set(...bearer(tenant.admin.token));
    const page = (listed.body.data as { endpoint: string; records: unknown[] }[]).filter((read) => read.endpoint === 'GET /policyholders');
    expect(page.length).to.be.greaterThan(0);
    expect(page.every((read) => JSON.stringify(read.records) === JSON.stringify([{ record_id: holder, policyholder_id: holder }]))).to.equal(true);
    const unfiltered = await api().get(`${API}/personal-data-reads`).query({ limit: 200 }).set(...bearer(tenant.admin.token));
    expect((unfiltered.body.data as { endpoint: string; records: unknown[] }[])
      .some((read) => read.endpoint === 'GET /policyholders' && read.records.length === 4)).to.equal(true);
    const byRecord = await api().get(`${API}/personal-data-reads`).query({ record_id: dependentId }).set(...bearer(tenant.admin.token));
    expect(byRecord.body.data.length).to.be.greaterThan(0);
    expect((byRecord.body.data as { subject: string; records: unknown[] }[]).every((read) => read.subject === 'dependents'
      && JSON.stringify(read.records) === JSON.stringify([{ record_id: dependentId, policyholder_id: holder }]))).to.equal(true);
    const paged = await api().get(`${API}/personal-data-reads`).query({ limit: 2 }).set(...bearer(tenant.admin.token));
    expect(paged.body.next_cursor).to.be.a('string');
    expectProblem(await api().get(`${API}/personal-data-reads`).set(...bearer(agent.token)), 403);
    const grants = await ownerQuery(async (client) => (await client.query<{ privilege_type: string }>(
      `SELECT privilege_type FROM information_schema.role_table_grants
        WHERE table_schema = $1 AND table_name = 'personal_data_reads' AND grantee = 'agent_mitra_runtime' ORDER BY 1`,
      [tenant.schema_name])).rows.map((row) => row.privilege_type));
    expect(grants).to.deep.equal(['INSERT', 'SELECT']);
  });
});
