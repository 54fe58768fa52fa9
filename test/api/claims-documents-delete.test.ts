import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { inTenantScope } from '../../src/db/scope.js';
import { storageUsedBytes } from '../../src/limits/storage.js';
import { bearer, createTestTenant, createTestUser, type TestTenant, type TestUser } from '../helpers/actors.js';
import { addTerms, arrangeFamily, consultationClaim } from '../helpers/claims.js';
import { API, api, testDeps } from '../helpers/context.js';
import { PDF, PNG } from '../helpers/documents.js';

// DELETE /claims/{id}/documents/{id}: only while the claim is not finally decided (in review, or awaiting its
// paperwork), under the book's visibility, with the right to submit claims; the storage is released and the file
// removed after the commit.

describe('claim documents: deleting one', () => {
  let tenant: TestTenant;
  let agent: TestUser;
  let reviewClaim: string;
  let decidedClaim: string;
  const tenantFiles = async () => readdir(path.join(testDeps().config.documents.dir, tenant.tenant_id)).catch(() => [] as string[]);
  const used = () => inTenantScope(testDeps().db, tenant, null, storageUsedBytes);
  const upload = async (claim: string, file: Buffer, type = 'bill') => {
    const res = await api().post(`${API}/claims/${claim}/documents`).set(...bearer(agent.token)).field('document_type', type)
      .attach('file', file, { filename: `${type}.bin`, contentType: 'application/octet-stream' });
    expect(res.status, res.text).to.equal(201);
    return res.body.document_id as string;
  };
  const remove = (token: string, claim: string, documentId: string) =>
    api().delete(`${API}/claims/${claim}/documents/${documentId}`).set(...bearer(token));

  before(async () => {
    tenant = await createTestTenant();
    await addTerms(tenant);
    agent = await createTestUser(tenant, 'junior_agent', { agent: true });
    const family = await arrangeFamily(tenant, agent.agent_id as string);
    // Three other claims the same day is a fraud signal: the claim waits for a person.
    const inReview = await api().post(`${API}/claims`).set(...bearer(agent.token)).send(consultationClaim(family.policyholder_id, { previous_claims_same_day: 3 }));
    expect(inReview.body.status, inReview.text).to.equal('in_review');
    reviewClaim = inReview.body.claim_number;
    const decided = await api().post(`${API}/claims`).set(...bearer(agent.token))
      .send(consultationClaim(family.policyholder_id, { treatment_date: '2026-11-10' }));
    expect(decided.body.status, decided.text).to.equal('decided');
    decidedClaim = decided.body.claim_id;
  });

  it('deletes a document of a claim in review: gone from the list, the disk and the storage count; a second delete is a 404', async () => {
    const keep = await upload(reviewClaim, PNG, 'prescription');
    const doomed = await upload(reviewClaim, PDF);
    const before = { used: await used(), files: await tenantFiles() };
    expect(before.files).to.include(doomed);

    const res = await remove(agent.token, reviewClaim.toLowerCase(), doomed);
    expect(res.status, res.text).to.equal(204);
    const list = await api().get(`${API}/claims/${reviewClaim}/documents`).set(...bearer(agent.token));
    expect(list.body.data.map((d: { document_id: string }) => d.document_id)).to.deep.equal([keep]);
    expect(await used()).to.equal(before.used - PDF.length);
    expect((await tenantFiles()).sort()).to.deep.equal(before.files.filter((name) => name !== doomed).sort());
    const download = await api().get(`${API}/claims/${reviewClaim}/documents/${doomed}`).set(...bearer(agent.token));
    expect(download.status).to.equal(404);

    const again = await remove(agent.token, reviewClaim, doomed);
    expect(again.status, again.text).to.equal(404);
    expect(again.body.code).to.equal('claims.document_not_found');
    // The trail keeps who deleted what.
    const audit = await api().get(`${API}/audit?table=claim_documents&record_id=${doomed}`).set(...bearer(tenant.admin.token));
    expect(audit.status, audit.text).to.equal(200);
    expect(audit.body.data.map((entry: { action: string }) => entry.action)).to.include('delete');
  });

  it('refuses with 409 claims.document_locked once the claim is finally decided, and keeps the document and its file', async () => {
    const documentId = await upload(decidedClaim, PDF);
    const before = await used();
    const res = await remove(tenant.admin.token, decidedClaim, documentId);
    expect(res.status, res.text).to.equal(409);
    expect(res.body.code).to.equal('claims.document_locked');
    expect(await tenantFiles()).to.include(documentId);
    expect(await used()).to.equal(before);
  });

  it("answers 404 to another tenant and to an agent outside the claim's book, and deletes nothing", async () => {
    const documentId = await upload(reviewClaim, PDF);
    const stranger = await createTestTenant();
    const outsider = await createTestUser(tenant, 'junior_agent', { agent: true });
    for (const token of [stranger.admin.token, outsider.token]) {
      const res = await remove(token, reviewClaim, documentId);
      expect(res.status, res.text).to.equal(404);
      expect(res.body.code).to.equal('claims.not_found');
    }
    // A document id under another claim is no way in either.
    const crossed = await remove(tenant.admin.token, decidedClaim, documentId);
    expect(crossed.status).to.equal(404);
    expect(crossed.body.code).to.equal('claims.document_not_found');
    expect(await tenantFiles()).to.include(documentId);
  });
});
