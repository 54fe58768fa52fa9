import crypto from 'node:crypto';
import { expect } from 'chai';
import { COLUMN_CLASSES, isPersonalClass } from '../../src/data-protection/classification.js';
import { rightsJob } from '../../src/data-protection/rights-job.js';
import { bearer, createTestTenant, createTestUser, type TestTenant, type TestUser } from '../helpers/actors.js';
import { createPolicyholderAs } from '../helpers/book.js';
import { ownerInTenant } from '../helpers/catalog.js';
import { addTerms, consultationClaim } from '../helpers/claims.js';
import { API, api, testDeps } from '../helpers/context.js';
import { PDF } from '../helpers/documents.js';
import { jobProcess, waitFor, type JobProcess } from '../helpers/jobs.js';
import { createPolicy, policyBody } from '../helpers/policies.js';
import { expectProblem } from '../helpers/problems.js';
import { SoftwareAuthenticator } from '../helpers/webauthn-authenticator.js';

// Export and erasure of one policyholder through the API and the durable job. Each person's values carry a token
// of their own, so a scan can tell whose data a cell holds.

interface Person { id: string; token: string; policyId: string; claimId: string }

/** Every personal, sensitive or health column of the tenant's schema, as the classification names them. */
const PERSONAL_COLUMNS = Object.entries(COLUMN_CLASSES)
  .flatMap(([table, columns]) => Object.entries(columns).filter(([, dataClass]) => isPersonalClass(dataClass)).map(([column]) => [table, column]));

describe('data rights: export and erasure', function () {
  this.timeout(120_000);
  let tenant: TestTenant;
  let agent: TestUser;
  let worker: JobProcess;
  let a: Person;
  let b: Person;

  async function person(label: string): Promise<Person> {
    const token = `${label}${crypto.randomBytes(4).toString('hex')}`;
    const id = await createPolicyholderAs(agent.token, {
      first_name: `First${token}`, last_name: `Last${token}`, email: `${token.toLowerCase()}@example.in`, customer_id: `CUST-${token}`,
      address: { line1: `12 Road ${token}`, city: 'Pune', state: 'Maharashtra', pincode: '411001' }, occupation: `Job${token}`,
      pre_existing_conditions: [{ condition: `Condition${token}` }],
      nominee_details: { name: `Nominee${token}`, relationship: 'spouse', share_percent: 100 },
    });
    const policyId = (await createPolicy(agent.token, policyBody(id, { nominee_details: { name: `PolicyNominee${token}`, relationship: 'spouse', share_percent: 100 } }))).policy_id;
    const dependent = await api().post(`${API}/policyholders/${id}/dependents`).set(...bearer(agent.token))
      .send({ full_name: `Child${token}`, relationship: 'child', date_of_birth: '2015-01-01' });
    expect(dependent.status, dependent.text).to.equal(201);
    const claim = await api().post(`${API}/claims`).set(...bearer(agent.token)).send(consultationClaim(id, { policy_terms_id: 'PLUM_OPD_2024',
      hospital: `Hospital${token}`, documents: { prescription: { doctor_name: 'Dr. Rao', doctor_reg: 'KA/1/2015', diagnosis: `Diagnosis${token}`,
        medicines_prescribed: ['Paracetamol'], tests_prescribed: [] }, bill: { consultation_fee: 800 } } }));
    expect(claim.status, claim.text).to.equal(201);
    const upload = await api().post(`${API}/claims/${claim.body.claim_id}/documents`).set(...bearer(agent.token))
      .field('document_type', 'bill').attach('file', PDF, `bill-${token}.pdf`);
    expect(upload.status, upload.text).to.equal(201);
    expect((await api().get(`${API}/policyholders/${id}`).set(...bearer(agent.token))).status).to.equal(200);
    return { id, token, policyId, claimId: claim.body.claim_id };
  }

  async function request(kind: 'export' | 'erasure', who: Person): Promise<{ request_id: string; summary: Record<string, unknown> }> {
    const res = await api().post(`${API}/data-rights-requests`).set(...bearer(tenant.admin.token)).send({ kind, policyholder_id: who.id, reason: 'by e-mail' });
    expect(res.status, res.text).to.equal(202);
    expect(res.body.status).to.equal('queued');
    let done: { status: string; request_id: string; summary: Record<string, unknown> } = res.body;
    await waitFor(async () => {
      done = (await api().get(`${API}/data-rights-requests/${res.body.request_id}`).set(...bearer(tenant.admin.token))).body;
      return done.status === 'completed';
    }, 30_000, `${kind} to complete`);
    return done;
  }

  /** Cells of personal columns anywhere in the tenant's schema that hold the token. */
  async function cellsHolding(token: string): Promise<string[]> {
    return ownerInTenant(tenant, async (client) => {
      const found: string[] = [];
      for (const [table, column] of PERSONAL_COLUMNS) {
        const { rows } = await client.query(`SELECT count(*)::int AS n FROM "${tenant.schema_name}"."${table}" WHERE "${column}"::text ILIKE $1`, [`%${token}%`]);
        if (rows[0].n > 0) found.push(`${table}.${column}`);
      }
      return found;
    });
  }

  before(async () => {
    tenant = await createTestTenant();
    agent = await createTestUser(tenant, 'regional_manager', { agent: true });
    await addTerms(tenant);
    a = await person('Alpha');
    b = await person('Bravo');
    worker = await jobProcess([rightsJob], { workers: true });
  });

  after(async () => {
    await worker?.stop();
  });

  it('exports all and only the person’s data, downloadable once', async () => {
    // One read of a page holding both people: the export shows it with the person's own record only.
    expect((await api().get(`${API}/policyholders`).set(...bearer(agent.token))).status).to.equal(200);
    const done = await request('export', a);
    expect(done.summary).to.include({ policies: 1, dependents: 1, claims: 1, claim_documents: 1 });
    const download = await api().get(`${API}/data-rights-requests/${done.request_id}/download`).set(...bearer(tenant.admin.token));
    expect(download.status, download.text).to.equal(200);
    const text = JSON.stringify(download.body);
    for (const value of [`First${a.token}`, `Condition${a.token}`, `PolicyNominee${a.token}`, `Child${a.token}`, `Diagnosis${a.token}`, `Hospital${a.token}`]) {
      expect(text, value).to.include(value);
    }
    expect(text).to.not.include(b.token);
    expect(text).to.not.include('password_hash');
    const reads = download.body.sections.personal_data_reads as { endpoint: string; record_ids: string[] }[];
    expect(reads.find((read) => read.endpoint === 'GET /policyholders')?.record_ids).to.deep.equal([a.id]);
    expect(reads.every((read) => read.record_ids.length > 0)).to.equal(true);
    expect(text).to.not.include(b.id);
    expectProblem(await api().get(`${API}/data-rights-requests/${done.request_id}/download`).set(...bearer(tenant.admin.token)), 409);
    expect(await cellsHolding(a.token), 'the export is gone from the database once downloaded').to.not.include('data_rights_requests.result');
  });

  it('exports the linked login with its sessions and the names of its security keys', async () => {
    const login = await createTestUser(tenant, 'policyholder');
    const link = await api().patch(`${API}/policyholders/${b.id}`).set(...bearer(tenant.admin.token)).send({ user_id: login.user_id });
    expect(link.status, link.text).to.equal(200);
    const { origins: [origin], rpId } = testDeps().config.webauthn;
    const key = new SoftwareAuthenticator(origin as string, rpId);
    const options = await api().post(`${API}/auth/webauthn/registration/options`).set(...bearer(login.token));
    expect(options.status, options.text).to.equal(200);
    const name = `Phone of ${b.token}`;
    const registered = await api().post(`${API}/auth/webauthn/registration`).set(...bearer(login.token)).send({ name, credential: key.register(options.body) });
    expect(registered.status, registered.text).to.equal(201);
    const done = await request('export', b);
    const res = await api().get(`${API}/data-rights-requests/${done.request_id}/download`).set(...bearer(tenant.admin.token));
    expect(res.status, res.text).to.equal(200);
    expect(res.body.sections.user_account.map((user: { user_id: string }) => user.user_id)).to.deep.equal([login.user_id]);
    expect(res.body.sections.sessions).to.have.length.greaterThan(0);
    expect(res.body.sections.security_keys).to.have.length(1);
    expect(res.body.sections.security_keys[0]).to.include({ credential_id: registered.body.credential_id, user_id: login.user_id, name });
    expect(res.body.sections.security_keys[0]).to.not.have.property('public_key');
  });

  it('is for tenant-wide administrators only', async () => {
    expectProblem(await api().post(`${API}/data-rights-requests`).set(...bearer(agent.token)).send({ kind: 'export', policyholder_id: a.id }), 403);
    expectProblem(await api().post(`${API}/data-rights-requests`).set(...bearer(tenant.admin.token))
      .send({ kind: 'export', policyholder_id: crypto.randomUUID() }), 404);
  });

  it('erasure leaves no personal value of the person in any personal column, keeps the financial records and is audited', async () => {
    const pending = await request('export', a);
    const login = await createTestUser(tenant, 'policyholder');
    const link = await api().patch(`${API}/policyholders/${a.id}`).set(...bearer(tenant.admin.token)).send({ user_id: login.user_id });
    expect(link.status, link.text).to.equal(200);
    const before = await cellsHolding(a.token);
    expect(before, 'before').to.include.members(['policyholders.first_name', 'claims.hospital', 'audit_log.new_values']);
    // The claim's diagnosis is sealed (claims.request_sealed): no plaintext of it anywhere, even before erasure.
    expect(before, 'the diagnosis is sealed').to.not.include('claims.request');
    const done = await request('erasure', a);
    expect(done.summary).to.have.property('rows');
    expect(await cellsHolding(a.token)).to.deep.equal([]);
    expect(await cellsHolding(b.token), 'the other person is untouched').to.include.members(['policyholders.first_name', 'claims.hospital']);
    const policy = await api().get(`${API}/policies/${a.policyId}`).set(...bearer(agent.token));
    expect(policy.status, policy.text).to.equal(200);
    expect(policy.body).to.include({ policyholder_id: a.id, nominee_details: null });
    const claim = await api().get(`${API}/claims/${a.claimId}`).set(...bearer(agent.token));
    expect(claim.status, claim.text).to.equal(200);
    const holder = await api().get(`${API}/policyholders/${a.id}`).set(...bearer(agent.token));
    expect(holder.body).to.include({ first_name: 'Erased', email: null, status: 'inactive' });
    const audit = await api().get(`${API}/audit`).query({ table: 'policyholders', record_id: a.id, limit: 1 }).set(...bearer(tenant.admin.token));
    expect(audit.body.data[0]).to.include({ action: 'update', actor: 'system:data-protection:rights' });
    expect(audit.body.data[0].changed_columns).to.include('erased_at');
    expectProblem(await api().post(`${API}/data-rights-requests`).set(...bearer(tenant.admin.token)).send({ kind: 'export', policyholder_id: a.id }), 409);
    // The person's login is deactivated for good, as DELETE /users does: no reactivation or new name for it.
    const user = await api().get(`${API}/users/${login.user_id}`).set(...bearer(tenant.admin.token));
    expect(user.body).to.include({ status: 'deactivated', first_name: null });
    expectProblem(await api().patch(`${API}/users/${login.user_id}`).set(...bearer(tenant.admin.token))
      .send({ status: 'active', first_name: 'Again', email: `again.${a.token.toLowerCase()}@example.in` }), 409);
    expect((await api().post(`${API}/auth/login`).send({ tenant: tenant.tenant_code, email: login.email, password: login.password })).status).to.equal(401);
    // An export made before and not yet downloaded went with the rest: its download is refused, not an empty 200.
    const download = await api().get(`${API}/data-rights-requests/${pending.request_id}/download`).set(...bearer(tenant.admin.token));
    expectProblem(download, 409, [], 'data_protection.erased');
  });

  it('an erased person takes no new personal data: no reactivation, refill, nominee, dependent, claim or document (each 409, nothing written)', async () => {
    // Runs after the erasure above (a is erased). Whatever were written now could be neither exported nor erased.
    const token = `Again${crypto.randomBytes(4).toString('hex')}`;
    for (const body of [{ status: 'active' }, { first_name: `First${token}`, email: `${token.toLowerCase()}@example.in` },
      { status: 'active', pan: 'ABCDE1234F' }]) {
      const patch = await api().patch(`${API}/policyholders/${a.id.toUpperCase()}`).set(...bearer(tenant.admin.token)).send(body);
      expectProblem(patch, 409, [], 'data_protection.erased');
    }
    const nominee = await api().patch(`${API}/policies/${a.policyId}`).set(...bearer(agent.token))
      .send({ nominee_details: { name: `Nominee${token}`, relationship: 'spouse', share_percent: 100 } });
    expectProblem(nominee, 409, [], 'data_protection.erased');
    const dependent = await api().post(`${API}/policyholders/${a.id}/dependents`).set(...bearer(agent.token))
      .send({ full_name: `Child${token}`, relationship: 'child', date_of_birth: '2016-01-01', pre_existing_conditions: ['asthma'] });
    expectProblem(dependent, 409, [], 'data_protection.erased');
    const claim = await api().post(`${API}/claims`).set(...bearer(agent.token)).send(consultationClaim(a.id, { policy_terms_id: 'PLUM_OPD_2024',
      hospital: `Hospital${token}`, documents: { prescription: { doctor_name: 'Dr. Rao', doctor_reg: 'KA/1/2015', diagnosis: `Diagnosis${token}`,
        medicines_prescribed: ['Paracetamol'], tests_prescribed: [] }, bill: { consultation_fee: 800 } } }));
    expectProblem(claim, 409, [], 'data_protection.erased');
    const upload = await api().post(`${API}/claims/${a.claimId}/documents`).set(...bearer(agent.token))
      .field('document_type', 'prescription').attach('file', PDF, `prescription-${token}.pdf`);
    expectProblem(upload, 409, [], 'data_protection.erased');
    const holder = await api().get(`${API}/policyholders/${a.id}`).set(...bearer(tenant.admin.token));
    expect(holder.body).to.include({ first_name: 'Erased', email: null, pan: null, status: 'inactive' });
    expect(await cellsHolding(token)).to.deep.equal([]);
    const claims = await api().get(`${API}/claims`).query({ policyholder_id: a.id }).set(...bearer(agent.token));
    expect(claims.body.data.map((row: { claim_id: string }) => row.claim_id)).to.deep.equal([a.claimId]);
  });
});
