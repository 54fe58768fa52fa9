import {
  ConsentBody, ConsentNotice, ConsentNoticeBody, ConsentNoticeList, ConsentNoticeQuery, PolicyholderConsents,
} from '../../schemas/data-protection.js';
import { PolicyholderParams } from '../../schemas/policyholders.js';
import { authorize } from '../auth/ability.js';
import type { Tx } from '../db/scope.js';
import type { Actor } from '../auth/actor.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { problemResponse as problem, scopedEndpoint, type Endpoint } from '../http/endpoint.js';
import { authorizeDataProtection } from './access.js';
import { consentHistory, currentConsents, listNotices, noticeView, publishNotice, recordConsent } from './consent.js';
import { refuseIfErased } from './erased.js';

const COMMON = { 400: problem('Invalid input; every offending field is listed'), 401: problem('Not signed in'),
  403: problem('Not allowed (or a platform token)') };
const HOLDER = { ...COMMON, 404: problem('policyholder.not_found: no such policyholder in your book') };

/** The policyholder as the caller's book sees it (RLS): a record outside it is a 404. */
async function visibleHolder(tx: Tx, policyholderId: string): Promise<{ erased_at: Date | null }> {
  const holder = await tx('policyholders').where({ policyholder_id: policyholderId }).first<{ erased_at: Date | null } | undefined>('erased_at');
  if (!holder) throw new NotFoundError('No such policyholder.', { code: 'policyholder.not_found' });
  return holder;
}

/** Channels through which a person decides by themselves (the others are staff recording what the person said). */
const SELF_SERVICE_CHANNELS: readonly string[] = ['app', 'web'];

/**
 * Staff with update on Policyholder record decisions within their book; a policyholder user records its own, and
 * only its own (its linked record, the one the scope narrowed its book to), through the app or the web.
 */
function authorizeConsentDecision(actor: Actor, policyholderId: string, body: ConsentBody): void {
  if (actor.ability.can('update', 'Policyholder')) return;
  const own = actor.book.policyholder_id !== null && actor.book.policyholder_id === policyholderId;
  if (!own || !actor.ability.can('read', 'Policyholder')) {
    authorize(actor.ability, 'update', 'Policyholder');
  }
  if (!SELF_SERVICE_CHANNELS.includes(body.channel)) {
    throw new ValidationError([{ path: 'body.channel', message: `must be ${SELF_SERVICE_CHANNELS.join(' or ')} when a person records their own decision` }],
      'The request has invalid fields.', { code: 'data_protection.channel_not_self_service' });
  }
}

async function consentsOf(tx: Tx, policyholderId: string) {
  const history = await consentHistory(tx, policyholderId);
  return { current: currentConsents(history), history };
}

export const consentEndpoints: Endpoint[] = [
  scopedEndpoint({
    method: 'post', path: '/consent-notices', tag: 'data-protection', access: 'tenant', body: ConsentNoticeBody,
    summary: 'Publish a consent notice: the next version for its purpose (earlier versions stay, as consents point at them)',
    responses: { 201: { description: 'The notice', schema: ConsentNotice }, ...COMMON },
  }, async ({ tx, actor, body }) => {
    authorizeDataProtection(actor, 'manage');
    return { status: 201, body: noticeView(await publishNotice(tx, body)) };
  }),

  scopedEndpoint({
    method: 'get', path: '/consent-notices', tag: 'data-protection', access: 'tenant', query: ConsentNoticeQuery,
    summary: "The tenant's consent notices, every version, newest first per purpose",
    responses: { 200: { description: 'The notices', schema: ConsentNoticeList }, ...COMMON },
  }, async ({ tx, query }) => ({ body: { data: (await listNotices(tx, query.purpose)).map(noticeView) } })),

  scopedEndpoint({
    method: 'get', path: '/policyholders/:policyholder_id/consents', tag: 'data-protection', access: 'tenant', params: PolicyholderParams,
    summary: "A policyholder's consents: the one in force per purpose and every decision",
    responses: { 200: { description: 'The consents', schema: PolicyholderConsents }, ...HOLDER },
  }, async ({ tx, actor, params }) => {
    authorize(actor.ability, 'read', 'Policyholder');
    await visibleHolder(tx, params.policyholder_id);
    return { body: await consentsOf(tx, params.policyholder_id) };
  }),

  scopedEndpoint({
    method: 'post', path: '/policyholders/:policyholder_id/consents', tag: 'data-protection', access: 'tenant', params: PolicyholderParams,
    body: ConsentBody, summary: 'Record a consent given or withdrawn (with its channel); processing that needs it follows at once',
    responses: { 201: { description: 'The consents after the decision', schema: PolicyholderConsents }, ...HOLDER,
      409: problem('data_protection.erased'), 422: problem('data_protection.notice_not_found') },
  }, async ({ tx, actor, params, body }) => {
    authorizeConsentDecision(actor, params.policyholder_id, body);
    const holder = await visibleHolder(tx, params.policyholder_id);
    refuseIfErased(holder.erased_at);
    await recordConsent(tx, params.policyholder_id, body);
    return { status: 201, body: await consentsOf(tx, params.policyholder_id) };
  }),
];
