import { z } from 'zod';
import {
  ClaimFormatQuery, ClaimIdParams, ClaimListQuery, FhirClaimResponse, ClaimPage, ClaimRecord, DependentBody, DependentPage, DependentRecord, LimitsQuery, LimitsRecord,
  PolicyholderParams, ReviewDecisionBody, ReviewDecisionResult, ReviewListQuery, ReviewPage, ReviewParams, SubmitClaimBody,
} from '../../schemas/claims.js';
import { ListQuery } from '../../schemas/common.js';
import { auditedRead, readPurpose } from '../data-protection/read-audit.js';
import { problemResponse as problem, scopedEndpoint, type Endpoint } from '../http/endpoint.js';
import { getClaim, listClaimPage, submitClaim } from './claims-service.js';
import { claimResponseOf } from './fhir.js';
import { addDependent, limitsOf, listDependentPage } from './members-service.js';
import { decideReview, listReviewQueue } from './review-service.js';

const TAG = 'claims';
const COMMON = { 400: problem('Invalid input; every offending field is listed'), 401: problem('Not signed in'),
  403: problem('Not allowed (or a platform token)') };
const HOLDER = { ...COMMON, 404: problem('policyholder.not_found: no such policyholder in your book') };

export const reviewEndpoints: Endpoint[] = [
  scopedEndpoint({
    method: 'get', path: '/claims/reviews', tag: TAG, access: 'tenant', query: ReviewListQuery,
    summary: 'The manual review queue (?status=PENDING), oldest first, within your book',
    responses: { 200: { description: 'A page of reviews', schema: ReviewPage }, ...COMMON },
  }, async ({ tx, actor, query, req }) => {
    const purpose = readPurpose(req, 'claims_processing');
    const page = await listReviewQueue(tx, actor, query);
    await auditedRead(tx, { endpoint: 'GET /claims/reviews', subject: 'manual_reviews', key: 'review_id', purpose }, page.data);
    return { body: page };
  }),

  scopedEndpoint({
    method: 'post', path: '/claims/reviews/:review_id', tag: TAG, access: 'tenant', params: ReviewParams, body: ReviewDecisionBody,
    summary: "Decide a review: the final decision replaces the engine's; an approval counts against the limits at once",
    responses: { 200: { description: 'The decided review and its claim', schema: ReviewDecisionResult }, ...COMMON,
      403: problem('Not allowed; claims.limit_override_forbidden: an override without the override_limits permission'),
      404: problem('claims.review_not_found'), 409: problem('claims.review_closed'),
      422: problem('claims.review_amount_invalid, claims.limit_exceeded, or claims.override_reason_required') },
  }, async ({ tx, actor, params, body }) => ({ body: await decideReview(tx, actor, params.review_id, body) })),
];

export const claimRecordEndpoints: Endpoint[] = [
  scopedEndpoint({
    method: 'post', path: '/claims', tag: TAG, access: 'tenant', body: SubmitClaimBody,
    summary: 'Submit an OPD claim: adjudicated at once, stored with its decision and trail',
    responses: { 201: { description: 'The stored claim and its decision', schema: ClaimRecord }, ...HOLDER,
      404: problem('policyholder.not_found: no such policyholder in your book; claims.dependent_not_found: no such dependent of this policyholder'),
      409: problem('data_protection.erased: the policyholder has been erased'),
      422: problem('claims.no_cover or claims.terms_not_found: no terms to decide with') },
  }, async ({ tx, actor, body }) => ({ status: 201, body: await submitClaim(tx, actor, body) })),

  scopedEndpoint({
    method: 'get', path: '/claims', tag: TAG, access: 'tenant', query: ClaimListQuery,
    summary: 'Claims in your book, oldest first (?policyholder_id=, ?decision=)',
    responses: { 200: { description: 'A page of claims (without trails)', schema: ClaimPage }, ...COMMON },
  }, async ({ tx, actor, query, req }) => {
    const purpose = readPurpose(req, 'claims_processing');
    const page = await listClaimPage(tx, actor, query);
    await auditedRead(tx, { endpoint: 'GET /claims', subject: 'claims', key: 'claim_id', purpose }, page.data);
    return { body: page };
  }),

  scopedEndpoint({
    method: 'get', path: '/claims/:claim_id', tag: TAG, access: 'tenant', params: ClaimIdParams, query: ClaimFormatQuery,
    summary: 'One claim (by uuid or CLM number) with its decision trail; ?format=fhir answers a FHIR R4 ClaimResponse',
    responses: { 200: { description: 'The claim', schema: z.union([ClaimRecord, FhirClaimResponse]) }, ...COMMON,
      404: problem('claims.not_found') },
  }, async ({ tx, actor, params, query, req }) => {
    const purpose = readPurpose(req, 'claims_processing');
    const claim = await getClaim(tx, actor, params.claim_id);
    await auditedRead(tx, { endpoint: 'GET /claims/:claim_id', subject: 'claims', key: 'claim_id', purpose }, [claim]);
    return query.format === 'fhir' ? { body: claimResponseOf(claim), headers: { 'Content-Type': 'application/fhir+json' } } : { body: claim };
  }),
];

export const memberEndpoints: Endpoint[] = [
  scopedEndpoint({
    method: 'get', path: '/policyholders/:policyholder_id/dependents', tag: TAG, access: 'tenant', params: PolicyholderParams,
    query: ListQuery, summary: "A policyholder's dependents (family members on the cover)",
    responses: { 200: { description: 'A page of dependents', schema: DependentPage }, ...HOLDER },
  }, async ({ tx, actor, params, query, req }) => {
    const purpose = readPurpose(req, 'claims_processing');
    const page = await listDependentPage(tx, actor, params.policyholder_id, query);
    await auditedRead(tx, { endpoint: 'GET /policyholders/:policyholder_id/dependents', subject: 'dependents', key: 'dependent_id', purpose },
      page.data);
    return { body: page };
  }),

  scopedEndpoint({
    method: 'post', path: '/policyholders/:policyholder_id/dependents', tag: TAG, access: 'tenant', params: PolicyholderParams,
    body: DependentBody, summary: 'Add a dependent to a policyholder (joins the family floater)',
    responses: { 201: { description: 'The dependent', schema: DependentRecord }, ...HOLDER,
      409: problem('data_protection.erased: the policyholder has been erased; claims.dependent_exists: the same person (name and date of birth) is already a dependent') },
  }, async ({ tx, actor, params, body }) => ({ status: 201, body: await addDependent(tx, actor, params.policyholder_id, body) })),

  scopedEndpoint({
    method: 'get', path: '/policyholders/:policyholder_id/limits', tag: TAG, access: 'tenant', params: PolicyholderParams,
    query: LimitsQuery, summary: "Used and left of the family's limits in the policy year (?as_of=YYYY-MM-DD), per member and category",
    responses: { 200: { description: 'The limits', schema: LimitsRecord }, ...HOLDER,
      422: problem('claims.no_cover: no health policy naming terms, or as_of outside it (errors names query.as_of)') },
  }, async ({ tx, actor, params, query }) => ({ body: await limitsOf(tx, actor, params.policyholder_id, query.as_of) })),
];
