import { expect } from 'chai';
import { bearer } from '../helpers/actors.js';
import { bolaMatrix, bookFixture, type BookFixture } from '../helpers/book.js';
import { addTerms } from '../helpers/claims.js';
import { API, api } from '../helpers/context.js';
import { PDF } from '../helpers/documents.js';

// Who may upload, list and download the documents of a claim in juniorA's book (a claim on policyholderA, who is
// linked to the policyholder user). Uploading and deleting take the right to submit claims; reading, the right to read them.

describe('BOLA matrix: claim documents', () => {
  let fixture: BookFixture;
  let claimId: string;
  let documentId: string;
  before(async () => {
    fixture = await bookFixture();
    await addTerms(fixture.tenant);
    const claim = await api().post(`${API}/claims`).set(...bearer(fixture.token('juniorA'))).send({
      policyholder_id: fixture.policyholderA, policy_terms_id: 'PLUM_OPD_2024', treatment_date: '2026-11-20', claimed_amount: 1000,
      documents: { prescription: { doctor_name: 'Dr. Rao', doctor_reg: 'KA/45678/2015', diagnosis: 'Fever' }, bill: { consultation_fee: 1000 } },
    });
    expect(claim.status, claim.text).to.equal(201);
    claimId = claim.body.claim_id;
    const doc = await api().post(`${API}/claims/${claimId}/documents`).set(...bearer(fixture.token('juniorA')))
      .field('document_type', 'bill').attach('file', PDF, 'bill.pdf');
    expect(doc.status, doc.text).to.equal(201);
    documentId = doc.body.document_id;
  });

  bolaMatrix(['/claims/:claim_id/documents'], [
    {
      route: 'POST /claims/:claim_id/documents',
      request: () => ({ path: `/claims/${claimId}/documents`, form: { fields: { document_type: 'bill' }, file: { field: 'file', data: PDF, filename: 'b.pdf' } } }),
      expect: { juniorA: 201, juniorB: 404, senior: 201, manager: 201, admin: 201, otherAdmin: 404, policyholder: 403 },
    },
    {
      route: 'GET /claims/:claim_id/documents', request: () => ({ path: `/claims/${claimId}/documents` }),
      expect: { juniorA: 200, juniorB: 404, senior: 200, manager: 200, admin: 200, otherAdmin: 404, policyholder: 200 },
      listed: { id: () => documentId, by: { juniorA: true, juniorB: false, senior: true, manager: true, admin: true, otherAdmin: false, policyholder: true } },
    },
    {
      route: 'GET /claims/:claim_id/documents/:document_id', request: () => ({ path: `/claims/${claimId}/documents/${documentId}` }),
      expect: { juniorA: 200, juniorB: 404, senior: 200, manager: 200, admin: 200, otherAdmin: 404, policyholder: 200 },
    },
    {
      // The claim is decided, so whoever may delete gets 409 (claims.document_locked) and nothing is deleted; the
      // deletion itself is in claims-documents-delete.test.ts.
      route: 'DELETE /claims/:claim_id/documents/:document_id',
      request: () => ({ path: `/claims/${claimId}/documents/${documentId}` }),
      expect: { juniorA: 409, juniorB: 404, senior: 409, manager: 409, admin: 409, otherAdmin: 404, policyholder: 403 },
    },
  ], () => fixture);
});
