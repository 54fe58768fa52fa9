import {
  CreatePolicyholderBody, PatchPolicyholderBody, Policyholder, PolicyholderListQuery, PolicyholderPage, PolicyholderParams,
  PolicyholderReadQuery,
} from '../../schemas/policyholders.js';
import { personalFieldsOf } from '../data-protection/classification.js';
import { auditedRead, readPurpose } from '../data-protection/read-audit.js';
import { problemResponse as problem, scopedEndpoint, type Endpoint } from '../http/endpoint.js';
import {
  createPolicyholder, deactivatePolicyholder, getPolicyholder, listPolicyholders, updatePolicyholder,
} from './service.js';

const COMMON = {
  400: problem('Invalid input; every offending field is listed'),
  401: problem('Not signed in'),
  403: problem('Not allowed (or a platform token)'),
};
const ONE = { ...COMMON, 404: problem('No such policyholder, or not one you can see') };

export const policyholderEndpoints: Endpoint[] = [
  scopedEndpoint({
    method: 'get', path: '/policyholders', tag: 'policyholders', access: 'tenant', query: PolicyholderListQuery,
    summary: 'List the policyholders of the books you can see, newest first; ?q= searches name, phone, e-mail, customer id; ?pan= and ?aadhaar_number= match exactly',
    responses: { 200: { description: 'A page of policyholders', schema: PolicyholderPage }, ...COMMON },
  }, async ({ tx, actor, query, req }) => {
    const purpose = readPurpose(req, 'servicing');
    const page = await listPolicyholders(tx, actor, query);
    await auditedRead(tx, { endpoint: 'GET /policyholders', subject: 'policyholders', key: 'policyholder_id', purpose }, page.data);
    return { body: page };
  }),

  scopedEndpoint({
    method: 'post', path: '/policyholders', tag: 'policyholders', access: 'tenant', body: CreatePolicyholderBody,
    summary: "Add a policyholder to your book (or to the book of an agent you can see, with agent_id)",
    responses: { 201: { description: 'Created', schema: Policyholder }, ...COMMON,
      404: problem('agent_id names an agent you cannot see'),
      409: problem('Customer id taken, or the user is linked to another policyholder'),
      422: problem('No agent to own the record, an inactive agent, or an unknown user') },
  }, async ({ tx, actor, body, req }) => {
    const purpose = readPurpose(req, 'servicing');
    const policyholder = await createPolicyholder(tx, actor, body);
    // The reply echoes the record (conditions in full): a read of personal data like any other.
    await auditedRead(tx, { endpoint: 'POST /policyholders', subject: 'policyholders', key: 'policyholder_id', purpose }, [policyholder]);
    return { status: 201, body: policyholder };
  }),

  scopedEndpoint({
    method: 'get', path: '/policyholders/:policyholder_id', tag: 'policyholders', access: 'tenant', params: PolicyholderParams,
    query: PolicyholderReadQuery,
    summary: 'One policyholder; PAN, Aadhaar and account number masked unless ?reveal= (with reveal on PolicyholderSensitive and a purpose)',
    responses: { 200: { description: 'The policyholder', schema: Policyholder }, ...ONE },
  }, async ({ tx, actor, params, query, req }) => {
    const purpose = readPurpose(req, 'servicing');
    const policyholder = await getPolicyholder(tx, actor, params.policyholder_id, query);
    // Revealed identifiers are answered in full: the read audit names them beside the record's personal columns.
    const fields = [...personalFieldsOf('policyholders', policyholder), ...query.reveal ?? []];
    await auditedRead(tx, { endpoint: 'GET /policyholders/:policyholder_id', subject: 'policyholders', key: 'policyholder_id', purpose,
      fields }, [policyholder]);
    return { body: policyholder };
  }),

  scopedEndpoint({
    method: 'patch', path: '/policyholders/:policyholder_id', tag: 'policyholders', access: 'tenant', params: PolicyholderParams,
    body: PatchPolicyholderBody,
    summary: 'Change a policyholder; agent_id moves it to another book you can see; status deactivates or reactivates',
    responses: { 200: { description: 'The changed policyholder', schema: Policyholder }, ...ONE,
      409: problem('Deactivated, erased (data_protection.erased), customer id taken, or the user is linked elsewhere'),
      422: problem('An inactive agent or an unknown user') },
  }, async ({ tx, actor, params, body, req }) => {
    const purpose = readPurpose(req, 'servicing');
    const policyholder = await updatePolicyholder(tx, actor, params.policyholder_id, body);
    await auditedRead(tx, { endpoint: 'PATCH /policyholders/:policyholder_id', subject: 'policyholders', key: 'policyholder_id', purpose },
      [policyholder]);
    return { body: policyholder };
  }),

  scopedEndpoint({
    method: 'delete', path: '/policyholders/:policyholder_id', tag: 'policyholders', access: 'tenant', params: PolicyholderParams,
    summary: 'Deactivate a policyholder (nothing is hard-deleted)',
    responses: { 204: { description: 'Deactivated' }, ...ONE },
  }, async ({ tx, actor, params }) => {
    await deactivatePolicyholder(tx, actor, params.policyholder_id);
    return { status: 204 };
  }),
];
