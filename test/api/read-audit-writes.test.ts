import { expect } from 'chai';
import { dataKeyring } from '../../src/data-protection/encryption/keyring.js';
import { bearer, createTestTenant, createTestUser, type TestTenant, type TestUser } from '../helpers/actors.js';
import { createPolicyholderAs } from '../helpers/book.js';
import { ownerInTenant } from '../helpers/catalog.js';
import { API, api } from '../helpers/context.js';

// Replies that echo personal data are reads too: POST and PATCH of a policyholder answer the record, GET /audit
// answers old and new values. Each leaves one row set in the read audit. And a PATCH that changes no sensitive
// field of a record without sealed values does not read the tenant's data keys.

interface ReadRow { request_id: string; actor_user_id: string | null; purpose: string; endpoint: string; subject: string;
  record_ids: string[]; policyholder_ids: (string | null)[]; fields: string[] }

describe('read audit of replies to writes and of the change audit', () => {
  let tenant: TestTenant;
  let agent: TestUser;

  const rows = (): Promise<ReadRow[]> => ownerInTenant(tenant, async (client) => (await client.query<ReadRow>(
    `SELECT request_id, actor_user_id, purpose, endpoint, subject, record_ids, policyholder_ids, fields
       FROM "${tenant.schema_name}".personal_data_reads ORDER BY occurred_at, read_id`)).rows);

  before(async function () {
    this.timeout(180_000);
    tenant = await createTestTenant();
    agent = await createTestUser(tenant, 'regional_manager', { agent: true });
  });

  it('POST /policyholders records the echoed record as a read by the writer', async () => {
    const before = (await rows()).length;
    const res = await api().post(`${API}/policyholders`).set(...bearer(agent.token))
      .send({ first_name: 'Kavya', email: 'kavya@example.in', pre_existing_conditions: [{ condition: 'Asthma' }] });
    expect(res.status, res.text).to.equal(201);
    const added = (await rows()).slice(before);
    expect(added).to.have.length(1);
    expect(added[0]).to.deep.include({ endpoint: 'POST /policyholders', record_ids: [res.body.policyholder_id],
      policyholder_ids: [res.body.policyholder_id], actor_user_id: agent.user_id, purpose: 'servicing' });
    expect(added[0]?.fields).to.include.members(['first_name', 'email', 'pre_existing_conditions']);
  });

  it('PATCH /policyholders/{id} records the echoed record, with the declared purpose', async () => {
    const id = await createPolicyholderAs(agent.token, { first_name: 'Ravi' });
    const before = (await rows()).length;
    const res = await api().patch(`${API}/policyholders/${id}`).set(...bearer(agent.token)).set('X-Purpose', 'customer_request')
      .send({ occupation: 'Farmer' });
    expect(res.status, res.text).to.equal(200);
    const added = (await rows()).slice(before);
    expect(added.map((row) => [row.endpoint, row.record_ids, row.purpose])).to.deep.equal([['PATCH /policyholders/:policyholder_id', [id], 'customer_request']]);
  });

  it('GET /audit records one row per distinct field set, one element per entry carrying personal values, naming whose data it was', async () => {
    const id = await createPolicyholderAs(agent.token, { first_name: 'Audited', email: 'audited@example.in' });
    for (const email of ['audited2@example.in', 'audited3@example.in']) {
      expect((await api().patch(`${API}/policyholders/${id}`).set(...bearer(agent.token)).send({ email })).status).to.equal(200);
    }
    const before = (await rows()).length;
    const res = await api().get(`${API}/audit`).query({ table: 'policyholders', record_id: id }).set(...bearer(tenant.admin.token));
    expect(res.status, res.text).to.equal(200);
    expect(res.body.data.length).to.be.greaterThan(0);
    const added = (await rows()).slice(before);
    const entries = res.body.data as { audit_id: string; record_id: string }[];
    // Entries are grouped by their field sets (a create carries more personal columns than an update of one).
    expect(added.flatMap((row) => row.record_ids).sort()).to.deep.equal(entries.map((entry) => entry.record_id).sort());
    expect(new Set(added.map((row) => JSON.stringify([row.subject, row.fields]))).size).to.equal(added.length);
    expect(entries).to.have.length(3);
    expect(added.length, 'entries with the same personal fields are one read').to.be.lessThan(entries.length);
    expect(new Set(added.map((row) => row.request_id)).size).to.equal(1);
    expect(added.every((row) => row.endpoint === 'GET /audit' && row.policyholder_ids.every((holder) => holder === id)
      && row.purpose === 'compliance' && row.actor_user_id !== null)).to.equal(true);
    expect(added.flatMap((row) => row.fields)).to.include.members(['email', 'first_name']);
  });

  it('GET /audit of entries without personal values records nothing', async () => {
    const before = (await rows()).length;
    const res = await api().get(`${API}/audit`).query({ table: 'no_such_table' }).set(...bearer(tenant.admin.token));
    expect(res.status, res.text).to.equal(200);
    expect(res.body.data).to.have.length(0);
    expect((await rows()).slice(before)).to.have.length(0);
  });

  it('PATCH without a sensitive change, on a record without sealed values, never reads the data keys', async () => {
    const id = await createPolicyholderAs(agent.token, { first_name: 'Plain' });
    const keyring = dataKeyring();
    const original = keyring.existingKeys.bind(keyring);
    let reads = 0;
    keyring.existingKeys = (tx) => { reads += 1; return original(tx); };
    try {
      const res = await api().patch(`${API}/policyholders/${id}`).set(...bearer(agent.token)).send({ occupation: 'Teacher' });
      expect(res.status, res.text).to.equal(200);
      expect(reads).to.equal(0);
      const sensitive = await api().patch(`${API}/policyholders/${id}`).set(...bearer(agent.token)).send({ pan: 'ABCDE1234F' });
      expect(sensitive.status, sensitive.text).to.equal(200);
      expect(reads).to.be.greaterThan(0);
    } finally {
      keyring.existingKeys = original;
    }
  });
});
