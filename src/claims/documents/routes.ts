import { DOCUMENT_MEDIA_TYPES, DocumentList, DocumentParams, DocumentRecord, DocumentUploadFields } from '../../../schemas/claim-documents.js';
import { ClaimIdParams } from '../../../schemas/claims.js';
import { ListQuery } from '../../../schemas/common.js';
import { auditedRead, readPurpose, recordPersonalDataRead } from '../../data-protection/read-audit.js';
import { problemResponse as problem, scopedEndpoint, uploadEndpoint, type Endpoint } from '../../http/endpoint.js';
import { receiveDocument } from './receive.js';
import { removeFile } from './files.js';
import { deleteDocument, documentFile, listClaimDocuments, uploadDocument } from './service.js';

const TAG = 'claims';
const COMMON = { 400: problem('Invalid input; every offending field is listed'), 401: problem('Not signed in'),
  403: problem('Not allowed (or a platform token)'), 404: problem('claims.not_found: no such claim in your book') };

export const documentEndpoints: Endpoint[] = [
  uploadEndpoint({
    method: 'post', path: '/claims/:claim_id/documents', tag: TAG, access: 'tenant', params: ClaimIdParams,
    multipart: { fields: DocumentUploadFields, file: { name: 'file', mediaTypes: DOCUMENT_MEDIA_TYPES,
      description: 'The bill, prescription or test report: a PDF, JPEG, PNG or WebP (judged by its bytes), at most DOCUMENT_MAX_BYTES' } },
    summary: 'Upload a document of a claim (multipart/form-data: document_type and one file)',
    responses: { 201: { description: 'The stored document', schema: DocumentRecord }, ...COMMON,
      409: problem("data_protection.erased: the claim is an erased person's"),
      413: problem('claims.document_too_large: larger than DOCUMENT_MAX_BYTES'),
      415: problem('request.unsupported_media_type: the body is not multipart/form-data'),
      422: problem("claims.document_type_unsupported (not a PDF, JPEG, PNG or WebP) or tenant.storage_limit (past the tenant's storage_limit_gb)") },
  }, (req, deps) => receiveDocument(req, deps.config), async ({ tx, actor, log, deps, params, body }) => ({
    status: 201,
    body: await uploadDocument({ tx, actor, log, root: deps.config.documents.dir }, params.claim_id, body),
  })),

  scopedEndpoint({
    method: 'get', path: '/claims/:claim_id/documents', tag: TAG, access: 'tenant', params: ClaimIdParams, query: ListQuery,
    summary: "A claim's documents (metadata, oldest first)",
    responses: { 200: { description: 'The documents', schema: DocumentList }, ...COMMON },
  }, async ({ tx, actor, params, query, req }) => {
    const purpose = readPurpose(req, 'claims_processing');
    const documents = await listClaimDocuments(tx, actor, params.claim_id, query);
    const claim = documents.data[0] && await tx('claims').where({ claim_id: documents.data[0].claim_id }).first<{ policyholder_id: string }>('policyholder_id');
    await auditedRead(tx, { endpoint: 'GET /claims/:claim_id/documents', subject: 'claim_documents', key: 'document_id', purpose,
      policyholderId: claim?.policyholder_id, fields: ['file_name', 'extracted_data'] }, documents.data);
    return { body: documents };
  }),

  scopedEndpoint({
    method: 'get', path: '/claims/:claim_id/documents/:document_id', tag: TAG, access: 'tenant', params: DocumentParams,
    summary: "Download a document's bytes (as an attachment, with the type sniffed at upload)",
    responses: { 200: { description: 'The file', binary: DOCUMENT_MEDIA_TYPES }, ...COMMON,
      404: problem('claims.not_found or claims.document_not_found') },
  }, async ({ tx, actor, log, deps, params, req }) => {
    const purpose = readPurpose(req, 'claims_processing');
    const file = await documentFile({ tx, actor, log, root: deps.config.documents.dir }, params.claim_id, params.document_id);
    const owner = await tx('claim_documents').where({ document_id: params.document_id }).first<{ policyholder_id: string }>('policyholder_id');
    await recordPersonalDataRead(tx, { endpoint: 'GET /claims/:claim_id/documents/:document_id', subject: 'claim_documents', purpose,
      fields: ['file'], records: [{ record_id: params.document_id, policyholder_id: owner?.policyholder_id ?? null }] });
    return { file };
  }),

  scopedEndpoint({
    method: 'delete', path: '/claims/:claim_id/documents/:document_id', tag: TAG, access: 'tenant', params: DocumentParams,
    summary: 'Delete a document of a claim that is not finally decided (in review or awaiting its documents); its storage is released',
    responses: { 204: { description: 'Deleted; the file is removed once the change has committed' }, ...COMMON,
      404: problem('claims.not_found or claims.document_not_found'),
      409: problem('claims.document_locked: the claim is finally decided, its documents are the record of that decision') },
  }, async ({ tx, actor, log, deps, params }) => {
    const file = await deleteDocument({ tx, actor, log, root: deps.config.documents.dir }, params.claim_id, params.document_id);
    return { status: 204, afterCommit: () => {
      removeFile(file).catch((error: unknown) => log.error({ err: error, document_id: params.document_id }, 'removing a deleted document failed'));
    } };
  }),
];
