import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { bearer, createTestTenant, createTestUser, type TestTenant } from '../helpers/actors.js';
import { API, api } from '../helpers/context.js';

const PLUM = JSON.parse(readFileSync(new URL('../../seeds/policy-terms/PLUM_OPD_2024.json', import.meta.url), 'utf8'));
const RAW_PLUM = JSON.parse(readFileSync(new URL('../../seeds/policy-terms/PLUM_OPD_2024.json', import.meta.url), 'utf8'));
delete RAW_PLUM.adjudication;

describe('claims: policy terms, versioned', () => {
  let tenant: TestTenant;
  before(async () => { tenant = await createTestTenant(); });
  const admin = () => bearer(tenant.admin.token);

  it('a provider admin adds terms in the insurer file shape and reads them back as version 1', async () => {
    const res = await api().post(`${API}/claims/policy-terms`).set(...admin()).send({ ...RAW_PLUM, policy_id: 'PLUM_RAW' });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body).to.include({ policy_terms_id: 'PLUM_RAW', version: 1 });
    expect(res.body.terms.coverage_details.annual_limit).to.equal(50000);
    const read = await api().get(`${API}/claims/policy-terms/plum_raw`).set(...admin());
    expect(read.status).to.equal(200);
    expect(read.body.version_id).to.equal(res.body.version_id);
  });

  it('an edit makes a new version; the old one stays readable; the same document again changes nothing', async () => {
    const created = await api().post(`${API}/claims/policy-terms`).set(...admin()).send({ ...PLUM, policy_id: 'PLUM_V' });
    expect(created.status).to.equal(201);
    const edited = structuredClone(PLUM);
    edited.coverage_details.per_claim_limit = 7500;
    delete edited.policy_id;
    const put = await api().put(`${API}/claims/policy-terms/PLUM_V`).set(...admin()).send(edited);
    expect(put.status, JSON.stringify(put.body)).to.equal(201);
    expect(put.body.version).to.equal(2);
    expect(put.body.terms.coverage_details.per_claim_limit).to.equal(7500);
    const again = await api().put(`${API}/claims/policy-terms/PLUM_V`).set(...admin()).send(edited);
    expect(again.status).to.equal(200);
    expect(again.body.version).to.equal(2);
    const v1 = await api().get(`${API}/claims/policy-terms/PLUM_V?version=1`).set(...admin());
    expect(v1.body.terms.coverage_details.per_claim_limit).to.equal(5000);
    const list = await api().get(`${API}/claims/policy-terms`).set(...admin());
    expect(list.body.data.filter((t: { policy_terms_id: string }) => t.policy_terms_id === 'PLUM_V').map((t: { version: number }) => t.version)).to.deep.equal([2]);
  });

  it('parallel edits of one code each make the next version (none answers 404 for waiting behind another)', async () => {
    expect((await api().post(`${API}/claims/policy-terms`).set(...admin()).send({ ...PLUM, policy_id: 'PLUM_RACE' })).status).to.equal(201);
    const edits = [6000, 7000, 8000, 9000].map((limit) => {
      const edited = structuredClone(PLUM);
      delete edited.policy_id;
      edited.coverage_details.per_claim_limit = limit;
      return edited;
    });
    const results = await Promise.all(edits.map((edited) => api().put(`${API}/claims/policy-terms/PLUM_RACE`).set(...admin()).send(edited)));
    expect(results.map((r) => r.status), JSON.stringify(results.map((r) => r.body.code))).to.deep.equal([201, 201, 201, 201]);
    expect(results.map((r) => r.body.version).sort()).to.deep.equal([2, 3, 4, 5]);
    const same = await Promise.all([0, 1, 2].map(() => api().put(`${API}/claims/policy-terms/PLUM_RACE`).set(...admin()).send(edits[0])));
    expect(same.map((r) => r.status).sort()).to.deep.equal([200, 200, 201]);
    const current = await api().get(`${API}/claims/policy-terms/PLUM_RACE`).set(...admin());
    expect(current.body.version).to.equal(6);
  });

  it('refuses a duplicate code (409), unknown terms (404), a mismatched code and bad amounts (400)', async () => {
    await api().post(`${API}/claims/policy-terms`).set(...admin()).send({ ...PLUM, policy_id: 'PLUM_DUP' });
    const duplicate = await api().post(`${API}/claims/policy-terms`).set(...admin()).send({ ...PLUM, policy_id: 'PLUM_DUP' });
    expect(duplicate.status).to.equal(409);
    expect(duplicate.body.code).to.equal('claims.terms_exists');
    const missing = await api().get(`${API}/claims/policy-terms/NOPE_2024`).set(...admin());
    expect(missing.status).to.equal(404);
    expect(missing.body.code).to.equal('claims.terms_not_found');
    const mismatch = await api().put(`${API}/claims/policy-terms/PLUM_DUP`).set(...admin()).send({ ...PLUM, policy_id: 'OTHER' });
    expect(mismatch.status).to.equal(400);
    const bad = structuredClone(PLUM);
    bad.coverage_details.annual_limit = 100.123;
    bad.policy_id = 'PLUM_BAD';
    const res = await api().post(`${API}/claims/policy-terms`).set(...admin()).send(bad);
    expect(res.status).to.equal(400);
    expect(res.body.errors.map((e: { path: string }) => e.path)).to.include('body.coverage_details.annual_limit');
  });

  it('agents read terms but may not change them', async () => {
    const junior = await createTestUser(tenant, 'junior_agent', { agent: true });
    expect((await api().get(`${API}/claims/policy-terms`).set(...bearer(junior.token))).status).to.equal(200);
    const res = await api().post(`${API}/claims/policy-terms`).set(...bearer(junior.token)).send({ ...PLUM, policy_id: 'PLUM_JR' });
    expect(res.status).to.equal(403);
  });

  it("another tenant's terms are not visible", async () => {
    const other = await createTestTenant();
    await api().post(`${API}/claims/policy-terms`).set(...admin()).send({ ...PLUM, policy_id: 'PLUM_MINE' });
    const res = await api().get(`${API}/claims/policy-terms/PLUM_MINE`).set(...bearer(other.admin.token));
    expect(res.status).to.equal(404);
  });
});
