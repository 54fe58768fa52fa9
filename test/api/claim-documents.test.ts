import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'chai';
import { createApp } from '../../src/app.js';
import { inTenantScope } from '../../src/db/scope.js';
import { reserveStorage, storageUsedBytes } from '../../src/limits/storage.js';
import { bearer, createTestTenant, createTestUser, type TestTenant, type TestUser } from '../helpers/actors.js';
import { addTerms, arrangeFamily, consultationClaim } from '../helpers/claims.js';
import { API, api, testDeps } from '../helpers/context.js';
import { ownerInTenant } from '../helpers/catalog.js';
import { asBytes, HTML, PDF, PNG } from '../helpers/documents.js';

// Claim documents through HTTP: upload (multipart), list, download; types judged by the bytes; size and storage
// limits; nothing served across tenants or books; nothing left on disk by a refused upload.

describe('claim documents: upload, list, download', () => {
  let tenant: TestTenant;
  let agent: TestUser;
  let claimId: string;
  let claimNumber: string;
  const root = () => testDeps().config.documents.dir;
  const tenantFiles = async () => readdir(path.join(root(), tenant.tenant_id)).catch(() => [] as string[]);
  const incoming = async () => readdir(path.join(root(), '.incoming')).catch(() => [] as string[]);
  const upload = (token: string, claim: string, file: Buffer, filename: string, options: { type?: string; contentType?: string } = {}) =>
    api().post(`${API}/claims/${claim}/documents`).set(...bearer(token))
      .field('document_type', options.type ?? 'bill')
      .attach('file', file, { filename, contentType: options.contentType ?? 'application/octet-stream' });
  const download = (token: string, claim: string, documentId: string) =>
    api().get(`${API}/claims/${claim}/documents/${documentId}`).set(...bearer(token)).buffer(true).parse(asBytes);

  before(async () => {
    tenant = await createTestTenant();
    await addTerms(tenant);
    agent = await createTestUser(tenant, 'junior_agent', { agent: true });
    const family = await arrangeFamily(tenant, agent.agent_id as string);
    const claim = await api().post(`${API}/claims`).set(...bearer(agent.token)).send(consultationClaim(family.policyholder_id));
    expect(claim.status, claim.text).to.equal(201);
    claimId = claim.body.claim_id;
    claimNumber = claim.body.claim_number;
  });

  it('takes a PDF bill and a PNG prescription, lists them, and gives back the same bytes as attachments that must not be sniffed', async () => {
    const usedBefore = await inTenantScope(testDeps().db, tenant, null, storageUsedBytes);
    const bill = await upload(agent.token, claimId, PDF, 'bill.pdf', { contentType: 'application/pdf' });
    expect(bill.status, bill.text).to.equal(201);
    expect(bill.body).to.include({ claim_id: claimId, document_type: 'bill', media_type: 'application/pdf', size_bytes: PDF.length,
      sha256: crypto.createHash('sha256').update(PDF).digest('hex'), file_name: 'bill.pdf', status: 'stored', extracted_data: null });
    // By claim number too; the client's type (octet-stream) and a path-like name count for nothing.
    const rx = await upload(agent.token, claimNumber.toLowerCase(), PNG, '../../etc/rx photo.jpeg', { type: 'prescription' });
    expect(rx.status, rx.text).to.equal(201);
    expect(rx.body).to.include({ media_type: 'image/png', document_type: 'prescription', file_name: 'rx photo.jpeg' });

    const list = await api().get(`${API}/claims/${claimId}/documents`).set(...bearer(tenant.admin.token));
    expect(list.status, list.text).to.equal(200);
    expect(list.body.data.map((d: { document_id: string }) => d.document_id)).to.deep.equal([bill.body.document_id, rx.body.document_id]);
    expect(list.body.next_cursor).to.equal(null);
    // A list like every other: ?limit= and ?cursor= page it, and a bad limit or cursor is a 400 by its field.
    const first = await api().get(`${API}/claims/${claimId}/documents?limit=1`).set(...bearer(tenant.admin.token));
    expect(first.body.data.map((d: { document_id: string }) => d.document_id)).to.deep.equal([bill.body.document_id]);
    expect(first.body.next_cursor).to.be.a('string');
    const second = await api().get(`${API}/claims/${claimId}/documents?limit=1&cursor=${first.body.next_cursor}`).set(...bearer(tenant.admin.token));
    expect(second.body).to.deep.equal({ data: [list.body.data[1]], next_cursor: null });
    const bad = await api().get(`${API}/claims/${claimId}/documents?limit=0&cursor=nope`).set(...bearer(tenant.admin.token));
    expect(bad.status).to.equal(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path)).to.include('query.limit');

    const pdf = await download(agent.token, claimId, bill.body.document_id);
    expect(pdf.status).to.equal(200);
    expect(pdf.headers['content-type']).to.equal('application/pdf');
    expect(pdf.headers['content-disposition']).to.match(/^attachment; filename="?bill\.pdf"?$/);
    expect(pdf.headers['x-content-type-options']).to.equal('nosniff');
    expect(Buffer.compare(pdf.body as Buffer, PDF)).to.equal(0);
    const png = await download(tenant.admin.token, claimNumber, rx.body.document_id);
    expect(png.headers['content-type']).to.equal('image/png');
    expect(png.headers['content-disposition']).to.equal('attachment; filename="rx photo.png"');
    expect(Buffer.compare(png.body as Buffer, PNG)).to.equal(0);

    // Kept in the tenant's folder under the document's id, and counted against the storage limit.
    expect((await tenantFiles()).sort()).to.deep.equal([bill.body.document_id, rx.body.document_id].sort());
    expect(await inTenantScope(testDeps().db, tenant, null, storageUsedBytes)).to.equal(usedBefore + PDF.length + PNG.length);
  });

  it('refuses bytes that are not a PDF or image whatever the Content-Type and name say, and keeps nothing', async () => {
    const before = { kept: await tenantFiles(), incoming: await incoming() };
    const res = await upload(agent.token, claimId, HTML, 'scan.png', { contentType: 'image/png' });
    expect(res.status, res.text).to.equal(422);
    expect(res.body.code).to.equal('claims.document_type_unsupported');
    expect(res.body.errors).to.deep.equal([{ path: 'body.file', message: 'must be a PDF, JPEG, PNG or WebP' }]);
    const pdfName = await upload(agent.token, claimId, Buffer.from('MZ\x90\x00 not a pdf'), 'bill.pdf', { contentType: 'application/pdf' });
    expect(pdfName.body.code).to.equal('claims.document_type_unsupported');
    expect(await tenantFiles()).to.deep.equal(before.kept);
    expect(await incoming()).to.deep.equal(before.incoming);
  });

  it('refuses a file over DOCUMENT_MAX_BYTES with 413, and keeps nothing', async () => {
    const before = { kept: await tenantFiles(), incoming: await incoming() };
    const big = Buffer.concat([PDF, Buffer.alloc(testDeps().config.documents.maxBytes + 1 - PDF.length, 0x20)]);
    const res = await upload(agent.token, claimId, big, 'big.pdf');
    expect(res.status, res.text).to.equal(413);
    expect(res.body.code).to.equal('claims.document_too_large');
    // Exactly at the limit is taken.
    const atLimit = await upload(agent.token, claimId, big.subarray(0, testDeps().config.documents.maxBytes), 'limit.pdf');
    expect(atLimit.status, atLimit.text).to.equal(201);
    expect(await incoming()).to.deep.equal(before.incoming);
    expect((await tenantFiles()).sort()).to.deep.equal([...before.kept, atLimit.body.document_id].sort());
  });

  it('answers malformed uploads with 400/415 naming the fault', async () => {
    const json = await api().post(`${API}/claims/${claimId}/documents`).set(...bearer(agent.token)).send({ document_type: 'bill' });
    expect(json.status).to.equal(415);
    expect(json.body.code).to.equal('request.unsupported_media_type');
    const noFile = await api().post(`${API}/claims/${claimId}/documents`).set(...bearer(agent.token)).field('document_type', 'bill');
    expect(noFile.status).to.equal(400);
    expect(noFile.body.errors).to.deep.equal([{ path: 'body.file', message: 'is required: one file part named file' }]);
    const badType = await upload(agent.token, claimId, PDF, 'x.pdf', { type: 'selfie' });
    expect(badType.status).to.equal(400);
    expect(badType.body.errors.map((e: { path: string }) => e.path)).to.deep.equal(['body.document_type']);
    const twoFiles = await api().post(`${API}/claims/${claimId}/documents`).set(...bearer(agent.token)).field('document_type', 'bill')
      .attach('file', PDF, 'a.pdf').attach('other', PDF, 'b.pdf');
    expect(twoFiles.status).to.equal(400);
    const raw = (contentType: string, body: string) => api().post(`${API}/claims/${claimId}/documents`).set(...bearer(agent.token))
      .set('Content-Type', contentType).send(body);
    expect((await raw('multipart/form-data', '--x\r\n')).status).to.equal(400);
    const truncated = await raw('multipart/form-data; boundary=x',
      '--x\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF-1.4 and then nothing');
    expect(truncated.status, truncated.text).to.equal(400);
    expect(truncated.body.errors).to.deep.equal([{ path: 'body', message: 'is not a well-formed multipart/form-data body' }]);
    const nul = await upload(agent.token, claimId, PDF, 'x.pdf', { type: 'bi\u0000ll' });
    expect(nul.status).to.equal(400);
    expect(nul.body.errors.map((e: { path: string }) => e.path)).to.deep.equal(['body.document_type']);
    const unknownClaim = await upload(agent.token, crypto.randomUUID(), PDF, 'x.pdf');
    expect(unknownClaim.status).to.equal(404);
    expect(unknownClaim.body.code).to.equal('claims.not_found');
  });

  it("another tenant's admin and an agent outside the claim's book get 404 on upload, list and download", async () => {
    const doc = await upload(agent.token, claimId, PDF, 'mine.pdf');
    expect(doc.status).to.equal(201);
    const stranger = await createTestTenant();
    const outsider = await createTestUser(tenant, 'junior_agent', { agent: true });
    const kept = await tenantFiles();
    for (const token of [stranger.admin.token, outsider.token]) {
      const up = await upload(token, claimId, PDF, 'theirs.pdf');
      expect(up.status, up.text).to.equal(404);
      expect(up.body.code).to.equal('claims.not_found');
      expect((await api().get(`${API}/claims/${claimId}/documents`).set(...bearer(token))).status).to.equal(404);
      const file = await download(token, claimId, doc.body.document_id);
      expect(file.status).to.equal(404);
      expect(file.headers['content-type']).to.match(/^application\/problem\+json/);
    }
    expect(await tenantFiles()).to.deep.equal(kept);
    // A document id of another claim is no way in either.
    const other = await arrangeFamily(tenant, outsider.agent_id as string);
    const theirs = await api().post(`${API}/claims`).set(...bearer(outsider.token)).send(consultationClaim(other.policyholder_id));
    const crossed = await download(tenant.admin.token, theirs.body.claim_id, doc.body.document_id);
    expect(crossed.status).to.equal(404);
    expect(JSON.parse(crossed.body.toString()).code).to.equal('claims.document_not_found');
  });

  it('queues the reading of each kept document (claims.extract_document) through the outbox in the upload\'s transaction', async () => {
    const res = await upload(agent.token, claimId, PNG, 'rx.png', { type: 'prescription' });
    expect(res.status, res.text).to.equal(201);
    expect(res.body).to.include({ status: 'stored', extracted_data: null });
    const queued = await ownerInTenant(tenant, async (client) => (await client.query(
      "SELECT queue, payload FROM outbox WHERE queue = 'claims.extract_document' AND payload->>'document_id' = $1", [res.body.document_id])).rows);
    expect(queued).to.deep.equal([{ queue: 'claims.extract_document', payload: { document_id: res.body.document_id } }]);
    // A refused upload queues nothing (the row goes with the transaction).
    const queuedCount = () => ownerInTenant(tenant, async (client) =>
      (await client.query("SELECT count(*)::int AS n FROM outbox WHERE queue = 'claims.extract_document'")).rows[0].n as number);
    const before = await queuedCount();
    const refused = await upload(agent.token, claimId, PDF, 'bill.pdf', { type: 'no_such_type' });
    expect(refused.status).to.equal(400);
    expect(await queuedCount()).to.equal(before);
  });

  it('leaves nothing on disk when the client goes away mid-upload', async () => {
    const before = await incoming();
    const server = createApp(testDeps()).listen(0);
    try {
      const { port } = server.address() as AddressInfo;
      const request = http.request({ port, method: 'POST', path: `${API}/claims/${claimId}/documents`, headers: {
        Authorization: `Bearer ${agent.token}`, 'Content-Type': 'multipart/form-data; boundary=x', 'Content-Length': '1000000' } });
      request.on('error', () => undefined);
      request.write(`--x\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n${PDF.toString('latin1')}${' '.repeat(50_000)}`);
      let started = false;
      for (let wait = 0; wait < 50 && !started; wait += 1) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        started = (await incoming()).length > before.length;
      }
      expect(started, 'the upload reached the disk').to.equal(true);
      request.destroy();
      let left = await incoming();
      for (let wait = 0; wait < 100 && left.length > before.length; wait += 1) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        left = await incoming();
      }
      expect(left).to.deep.equal(before);
    } finally {
      server.close();
    }
  });

  it('is described in /openapi.json as a multipart form with a binary file part, and its download as bytes', async () => {
    const doc = (await api().get('/openapi.json')).body;
    const form = doc.paths['/claims/{claim_id}/documents'].post.requestBody.content['multipart/form-data'];
    expect(form.schema.required).to.deep.equal(['document_type', 'file']);
    expect(form.encoding.file.contentType).to.equal('application/pdf, image/jpeg, image/png, image/webp');
    expect(Object.keys(doc.paths['/claims/{claim_id}/documents/{document_id}'].get.responses['200'].content))
      .to.deep.equal(['application/pdf', 'image/jpeg', 'image/png', 'image/webp']);
  });

  it("refuses an upload past the tenant's storage_limit_gb with 422 naming the limit, and keeps nothing", async () => {
    const record = (await testDeps().tenants.byId(tenant.tenant_id))!;
    await inTenantScope(testDeps().db, tenant, null, async (tx) => {
      const left = record.storage_limit_gb * 1024 ** 3 - await storageUsedBytes(tx);
      await reserveStorage(tx, record, { purpose: 'test_fill', file_name: 'fill', content_type: 'application/octet-stream', byte_size: left - 10 });
    });
    const before = { kept: await tenantFiles(), incoming: await incoming(), used: await inTenantScope(testDeps().db, tenant, null, storageUsedBytes) };
    const res = await upload(agent.token, claimId, PNG, 'over-limit.png', { type: 'prescription' });
    expect(res.status, res.text).to.equal(422);
    expect(res.body.code).to.equal('tenant.storage_limit');
    expect(res.body.errors).to.deep.equal([{ path: 'file', message: `exceeds the tenant's storage_limit_gb of ${record.storage_limit_gb}` }]);
    expect(await tenantFiles()).to.deep.equal(before.kept);
    expect(await incoming()).to.deep.equal(before.incoming);
    expect(await inTenantScope(testDeps().db, tenant, null, storageUsedBytes)).to.equal(before.used);
    const list = await api().get(`${API}/claims/${claimId}/documents`).set(...bearer(agent.token));
    expect(list.body.data.map((d: { file_name: string }) => d.file_name)).to.not.include('over-limit.png');
  });
});
