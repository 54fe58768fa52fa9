import { expect } from 'chai';
import type { DocumentExtractor, DocumentToExtract } from '../../src/claims/documents/extractor.js';
import { EXTRACT_RETRIES, extractDocumentJob } from '../../src/claims/documents/extract-job.js';
import type { JobContext } from '../../src/jobs/definition.js';
import { inTenantAsSystem } from '../../src/jobs/tenant-entry.js';
import { bearer, createTestTenant, createTestUser, type TestTenant, type TestUser } from '../helpers/actors.js';
import { addTerms, arrangeFamily, consultationClaim } from '../helpers/claims.js';
import { ownerInTenant } from '../helpers/catalog.js';
import { API, api, testDeps } from '../helpers/context.js';
import { PDF, PNG } from '../helpers/documents.js';
import { jobProcess, waitFor, type JobProcess } from '../helpers/jobs.js';

// OCR behind the outbox: an upload queues claims.extract_document in its transaction; the job reads the file with
// the (here fake) extractor, stores what was read, and decides a claim that was submitted without documents once a
// prescription and a bill have been read.

const READINGS: Record<string, Record<string, unknown>> = {
  prescription: { prescription: { doctor_name: 'Dr. Sharma', doctor_reg: 'KA/45678/2015', diagnosis: 'Viral fever',
    medicines_prescribed: ['Paracetamol 650mg'], tests_prescribed: ['CBC'], quality_score: 0.93 } },
  bill: { bill: { consultation_fee: 1000, diagnostic_tests: 500, test_names: ['CBC'] } },
  test_report: { lab: 'not a field of claim documents' },
};

describe('claim documents read by a job (OCR), and claims that wait for their paperwork', function () {
  this.timeout(60_000);
  let tenant: TestTenant;
  let agent: TestUser;
  let worker: JobProcess | undefined;
  const read: string[] = [];
  const fakeExtractor: DocumentExtractor = {
    async extract(document: DocumentToExtract) {
      read.push(document.document_type);
      if (document.document_type === 'other') throw new Error('OCR service down');
      return READINGS[document.document_type] ?? null;
    },
  };
  const as = (user: { token: string }) => bearer(user.token);
  const upload = async (claim: string, type: string, file = PDF) => {
    const res = await api().post(`${API}/claims/${claim}/documents`).set(...as(agent)).field('document_type', type).attach('file', file, `${type}.bin`);
    expect(res.status, res.text).to.equal(201);
    expect(res.body).to.include({ status: 'stored', extracted_data: null });
    return res.body.document_id as string;
  };
  const documentOf = async (claim: string, id: string) => {
    const list = await api().get(`${API}/claims/${claim}/documents`).set(...as(agent));
    return (list.body.data as { document_id: string; status: string; extracted_data: unknown }[]).find((d) => d.document_id === id);
  };
  const claimOf = async (claim: string) => (await api().get(`${API}/claims/${claim}`).set(...as(agent))).body;

  before(async () => {
    tenant = await createTestTenant();
    await addTerms(tenant);
    agent = await createTestUser(tenant, 'junior_agent', { agent: true });
    worker = await jobProcess([extractDocumentJob], { workers: true, deps: { documentExtractor: fakeExtractor } });
  });
  after(async () => { await worker?.stop(); });

  it('a claim without documents waits; it is decided from what was read off its prescription and bill', async () => {
    const family = await arrangeFamily(tenant, agent.agent_id as string);
    const { documents: _documents, ...withoutDocuments } = consultationClaim(family.policyholder_id);
    const submitted = await api().post(`${API}/claims`).set(...as(agent)).send(withoutDocuments);
    expect(submitted.status, submitted.text).to.equal(201);
    expect(submitted.body).to.include({ status: 'awaiting_documents', decision: 'REJECTED', approved_amount: 0 });
    expect(submitted.body.rejection_reasons).to.include('MISSING_DOCUMENTS');
    expect(submitted.body.next_steps).to.match(/Upload the prescription and the bill/);
    const claimId = submitted.body.claim_id as string;
    // It counts against no limit meanwhile.
    const limits = await api().get(`${API}/policyholders/${family.policyholder_id}/limits`).set(...as(agent));
    expect(JSON.stringify(limits.body)).to.not.include('1350');

    const rx = await upload(claimId, 'prescription', PNG);
    await waitFor(async () => (await documentOf(claimId, rx))?.status === 'processed', 20_000, 'the prescription read');
    expect((await documentOf(claimId, rx))?.extracted_data).to.deep.equal(READINGS.prescription);
    // What was read (the diagnosis among it) is stored sealed, answered opened.
    const read = await ownerInTenant(tenant, async (client) => (await client.query(
      'SELECT extracted_data, extracted_data_sealed FROM claim_documents WHERE document_id = $1', [rx])).rows[0]);
    expect(read.extracted_data).to.equal(null);
    expect(read.extracted_data_sealed).to.match(/^k\d+z:/);
    expect(await claimOf(claimId)).to.include({ status: 'awaiting_documents', decision: 'REJECTED' });

    await upload(claimId, 'bill');
    await waitFor(async () => (await claimOf(claimId)).status !== 'awaiting_documents', 20_000, 'the claim decided');
    const decided = await claimOf(claimId);
    expect(decided).to.include({ status: 'decided', decision: 'APPROVED', engine_decision: 'APPROVED', approved_amount: 1350, claimed_amount: 1500 });
    expect(decided.rejection_reasons).to.deep.equal([]);
    expect(decided.trail.length).to.be.greaterThan(10);
    // The new decision is stored sealed like a submitted one: no diagnosis in the plaintext columns.
    const stored = await ownerInTenant(tenant, async (client) => (await client.query(
      'SELECT request::text AS request, trail::text AS trail, request_sealed IS NOT NULL AS sealed FROM claims WHERE claim_id = $1', [claimId])).rows[0]);
    expect(stored).to.deep.equal({ request: '{}', trail: '[]', sealed: true });
    // Decided, its documents are the record: no longer deletable.
    const locked = await api().delete(`${API}/claims/${claimId}/documents/${rx}`).set(...as(agent));
    expect(locked.status, locked.text).to.equal(409);
  });

  it('a claim submitted with documents is not decided again when its uploads are read', async () => {
    const family = await arrangeFamily(tenant, agent.agent_id as string);
    const submitted = await api().post(`${API}/claims`).set(...as(agent))
      .send(consultationClaim(family.policyholder_id, { documents: { prescription: { doctor_name: 'Dr. Sharma', diagnosis: 'Viral fever' },
        bill: { consultation_fee: 1500 } } }));
    expect(submitted.body).to.include({ status: 'decided' });
    const bill = await upload(submitted.body.claim_id, 'bill');
    await waitFor(async () => (await documentOf(submitted.body.claim_id, bill))?.status === 'processed', 20_000, 'the bill read');
    const after = await claimOf(submitted.body.claim_id);
    expect(after).to.include({ status: 'decided', decision: submitted.body.decision, approved_amount: submitted.body.approved_amount,
      updated_at: submitted.body.updated_at });
  });

  it('output not in the shape of claim documents fails the document at once; a failing extractor is retried, then fails it', async () => {
    const family = await arrangeFamily(tenant, agent.agent_id as string);
    const claim = (await api().post(`${API}/claims`).set(...as(agent)).send(consultationClaim(family.policyholder_id))).body;
    const report = await upload(claim.claim_id, 'test_report');
    await waitFor(async () => (await documentOf(claim.claim_id, report))?.status === 'failed', 20_000, 'the report failed');

    const other = await upload(claim.claim_id, 'other');
    await waitFor(() => read.filter((type) => type === 'other').length >= 1, 20_000, 'the first attempt');
    // Not the last attempt: the document stays as it was, and pg-boss retries it later (30 s, doubling).
    expect((await documentOf(claim.claim_id, other))?.status).to.equal('stored');
    // The last attempt, run directly: it records the failure and still throws (the job ends failed).
    const record = (await testDeps().tenants.byId(tenant.tenant_id))!;
    const ctx = {
      data: { document_id: other }, jobId: 'test', attempt: EXTRACT_RETRIES, tenant: record, deps: { ...testDeps(), documentExtractor: fakeExtractor },
      log: testDeps().log, signal: new AbortController().signal,
      inTenant: <T>(work: Parameters<JobContext<unknown>['inTenant']>[0]) => inTenantAsSystem(testDeps(), record, extractDocumentJob.queue, work) as Promise<T>,
    } as unknown as JobContext<unknown>;
    let thrown: unknown;
    await extractDocumentJob.run(ctx).catch((error: unknown) => { thrown = error; });
    expect(String(thrown)).to.match(/OCR service down/);
    expect(await documentOf(claim.claim_id, other)).to.include({ status: 'failed', extracted_data: null });
  });
});
