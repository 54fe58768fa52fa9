import { PaymentPage, PolicyPaymentListQuery } from '../../schemas/payments.js';
import {
  CreatePolicyBody, LapseRunBody, LapseRunResult, PatchPolicyBody, PolicyListQuery, PolicyPage, PolicyParams,
  PolicyStatusBody, PolicyWithHistory,
} from '../../schemas/policies.js';
import { auditedRead, readPurpose } from '../data-protection/read-audit.js';
import { problemResponse as problem, scopedEndpoint, type Endpoint } from '../http/endpoint.js';
import { listPaymentsOfPolicy } from '../payments/service.js';
import { amendPolicy, createPolicy, getPolicy, listPolicyPage } from './service.js';
import { changePolicyStatus, lapseOverduePoliciesInTenant } from './status.js';

const COMMON = {
  400: problem('Invalid input; every offending field is listed'),
  401: problem('Not signed in'),
  403: problem('Not allowed (or a platform token)'),
};
const ONE_POLICY = { ...COMMON, 404: problem('No such policy, or not in your book') };

export const policyEndpoints: Endpoint[] = [
  scopedEndpoint({
    method: 'get', path: '/policies', tag: 'policies', access: 'tenant', query: PolicyListQuery,
    summary: 'Policies in your book; due=upcoming or due=overdue gives the premiums to chase',
    responses: { 200: { description: 'A page of policies', schema: PolicyPage }, ...COMMON },
  }, async ({ tx, actor, query, req }) => {
    const purpose = readPurpose(req, 'servicing');
    const page = await listPolicyPage(tx, actor, query);
    await auditedRead(tx, { endpoint: 'GET /policies', subject: 'policies', key: 'policy_id', purpose }, page.data);
    return { body: page };
  }),

  scopedEndpoint({
    method: 'post', path: '/policies', tag: 'policies', access: 'tenant', body: CreatePolicyBody,
    summary: "Propose a policy (status draft) in the policyholder's servicing agent's book; its schedule is derived",
    responses: { 201: { description: 'Created, with its derived schedule and history', schema: PolicyWithHistory }, ...COMMON,
      404: problem('No such policyholder in your book'), 409: problem('policy_number taken'),
      422: problem('The policyholder is inactive') },
  }, async ({ tx, actor, body }) => ({ status: 201, body: await createPolicy(tx, actor, body) })),

  scopedEndpoint({
    method: 'post', path: '/policies/lapse-run', tag: 'policies', access: 'tenant', body: LapseRunBody,
    summary: "Lapse the tenant's active policies whose premium is unpaid past the grace period (what the daily job does)",
    responses: { 200: { description: 'What was lapsed; a second run lapses nothing more', schema: LapseRunResult }, ...COMMON },
  }, async ({ tx, actor, body }) => {
    return { body: await lapseOverduePoliciesInTenant(tx, actor, body.as_of) };
  }),

  scopedEndpoint({
    method: 'get', path: '/policies/:policy_id', tag: 'policies', access: 'tenant', params: PolicyParams,
    summary: 'One policy with its schedule, premium account and status history',
    responses: { 200: { description: 'The policy', schema: PolicyWithHistory }, ...ONE_POLICY },
  }, async ({ tx, actor, params, req }) => {
    const purpose = readPurpose(req, 'servicing');
    const policy = await getPolicy(tx, actor, params.policy_id);
    await auditedRead(tx, { endpoint: 'GET /policies/:policy_id', subject: 'policies', key: 'policy_id', purpose }, [policy]);
    return { body: policy };
  }),

  scopedEndpoint({
    method: 'patch', path: '/policies/:policy_id', tag: 'policies', access: 'tenant', params: PolicyParams, body: PatchPolicyBody,
    summary: 'Change a proposal (terms only before approval; number, provider id and nominee at any time)',
    responses: { 200: { description: 'The changed policy', schema: PolicyWithHistory }, ...ONE_POLICY,
      409: problem('policy.terms_locked: the policy is approved; policy_number taken; or data_protection.erased: a nominee or exclusions for an erased person') },
  }, async ({ tx, actor, params, body }) => ({ body: await amendPolicy(tx, actor, params.policy_id, body) })),

  scopedEndpoint({
    method: 'post', path: '/policies/:policy_id/status', tag: 'policies', access: 'tenant', params: PolicyParams,
    body: PolicyStatusBody,
    summary: 'Move the policy along its lifecycle; only legal moves, each recorded with who, when and why',
    responses: { 200: { description: 'The policy in its new status', schema: PolicyWithHistory }, ...ONE_POLICY,
      409: problem('policy.illegal_transition, or a move its dates do not allow yet (policy.not_overdue, ...)') },
  }, async ({ tx, actor, params, body }) => ({ body: await changePolicyStatus(tx, actor, params.policy_id, body) })),

  scopedEndpoint({
    method: 'get', path: '/policies/:policy_id/payments', tag: 'policies', access: 'tenant', params: PolicyParams,
    query: PolicyPaymentListQuery,
    summary: "The policy's premium payments",
    responses: { 200: { description: 'A page of payments', schema: PaymentPage }, ...ONE_POLICY },
  }, async ({ tx, actor, params, query }) => ({ body: await listPaymentsOfPolicy(tx, actor, params.policy_id, query) })),
];
