import { z } from 'zod';
import { BacktestBody, BacktestParams, BacktestRun } from '../../schemas/claims.js';
import { ListQuery } from '../../schemas/common.js';
import {
  PolicyTermsDocument, PolicyTermsPage, PolicyTermsParams, PolicyTermsRecord, PutPolicyTermsBody,
} from '../../schemas/policy-terms.js';
import { problemResponse as problem, scopedEndpoint, type Endpoint } from '../http/endpoint.js';
import { getBacktest, requestBacktest } from './backtest-service.js';
import { createPolicyTerms, listPolicyTerms, readPolicyTerms, replacePolicyTerms } from './terms-service.js';

const TAG = 'claims';
const COMMON = { 400: problem('Invalid input; every offending field is listed'), 401: problem('Not signed in'),
  403: problem('Not allowed (or a platform token)') };
const VersionQuery = z.object({
  version: z.string().regex(/^[1-9][0-9]{0,5}$/, 'must be a version number').transform(Number).optional(),
}).strict();

export const termsEndpoints: Endpoint[] = [
  scopedEndpoint({
    method: 'get', path: '/claims/policy-terms', tag: TAG, access: 'tenant', query: ListQuery,
    summary: "The tenant's policy terms, each at its current version",
    responses: { 200: { description: 'A page of policy terms', schema: PolicyTermsPage }, ...COMMON },
  }, async ({ tx, actor, query }) => ({ body: await listPolicyTerms(tx, actor, query) })),

  scopedEndpoint({
    method: 'post', path: '/claims/policy-terms', tag: TAG, access: 'tenant', body: PolicyTermsDocument,
    summary: 'Add policy terms (version 1), in the shape of policy_terms_PLUM_OPD_2024.json',
    responses: { 201: { description: 'Created', schema: PolicyTermsRecord }, ...COMMON,
      409: problem('claims.terms_exists: terms with this code exist') },
  }, async ({ tx, actor, body }) => ({ status: 201, body: await createPolicyTerms(tx, actor, body) })),

  scopedEndpoint({
    method: 'get', path: '/claims/policy-terms/:policy_terms_id', tag: TAG, access: 'tenant', params: PolicyTermsParams,
    query: VersionQuery, summary: 'Policy terms at their current version, or ?version=n',
    responses: { 200: { description: 'The terms', schema: PolicyTermsRecord }, ...COMMON, 404: problem('claims.terms_not_found') },
  }, async ({ tx, actor, params, query }) => ({ body: await readPolicyTerms(tx, actor, params.policy_terms_id, query.version) })),

  scopedEndpoint({
    method: 'put', path: '/claims/policy-terms/:policy_terms_id', tag: TAG, access: 'tenant', params: PolicyTermsParams,
    body: PutPolicyTermsBody,
    summary: 'Replace policy terms: a new version (201); the same document again changes nothing (200)',
    responses: { 200: { description: 'Unchanged: the current version', schema: PolicyTermsRecord },
      201: { description: 'The new version', schema: PolicyTermsRecord }, ...COMMON, 404: problem('claims.terms_not_found') },
  }, async ({ tx, actor, params, body }) => {
    const { record, created } = await replacePolicyTerms(tx, actor, params.policy_terms_id, body);
    return { status: created ? 201 : 200, body: record };
  }),

  scopedEndpoint({
    method: 'post', path: '/claims/policy-terms/:policy_terms_id/backtest', tag: TAG, access: 'tenant', params: PolicyTermsParams,
    body: BacktestBody, summary: 'Try draft terms on the past claims decided under these terms, as a job: which decisions and amounts '
      + 'would change (nothing but the report is written); follow it with GET …/backtests/{backtest_id}',
    responses: { 202: { description: 'Queued: the run, without its report yet', schema: BacktestRun }, ...COMMON,
      404: problem('claims.terms_not_found') },
  }, async ({ tx, actor, params, body }) => ({ status: 202, body: await requestBacktest(tx, actor, params.policy_terms_id, body) })),

  scopedEndpoint({
    method: 'get', path: '/claims/policy-terms/:policy_terms_id/backtests/:backtest_id', tag: TAG, access: 'tenant', params: BacktestParams,
    summary: 'A backtest of draft terms: its status and, once completed, its report',
    responses: { 200: { description: 'The run', schema: BacktestRun }, ...COMMON, 404: problem('claims.backtest_not_found') },
  }, async ({ tx, actor, params }) => ({ body: await getBacktest(tx, actor, params.policy_terms_id, params.backtest_id) })),
];
