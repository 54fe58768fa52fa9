import { NotificationListQuery, NotificationPage } from '../../schemas/notifications.js';
import { userIdOf } from '../auth/actor.js';
import { ForbiddenError } from '../errors.js';
import { problemResponse as problem, scopedEndpoint, type Endpoint } from '../http/endpoint.js';
import { listNotifications } from './repository.js';

export const notificationEndpoints: Endpoint[] = [
  scopedEndpoint({
    method: 'get', path: '/auth/notifications', tag: 'auth', access: 'signed_in', query: NotificationListQuery,
    summary: 'Your notices, newest first: password and MFA changes, lockouts, a replayed code, a reused refresh token',
    responses: { 200: { description: 'A page of your notices', schema: NotificationPage }, 400: problem('Invalid query'),
      401: problem('Not signed in') },
  }, async ({ tx, actor, query }) => {
    if (actor.kind === 'system') throw new ForbiddenError('This needs a signed-in user.');
    return { body: await listNotifications(tx, actor.kind, userIdOf(actor), query) };
  }),
];
