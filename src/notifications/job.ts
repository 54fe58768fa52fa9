import { z } from 'zod';
import { Uuid } from '../../schemas/common.js';
import { NotificationTopic } from '../../schemas/notifications.js';
import { defineJob } from '../jobs/definition.js';

export const NOTIFICATION_QUEUE = 'notifications.deliver';

export const NotificationPayload = z.object({
  user_id: Uuid,
  topic: NotificationTopic,
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
}).strict();

/**
 * Delivers a tenant user's notice after the change it reports has committed (it was written to the tenant's
 * outbox in the change's transaction). The job's id (the outbox row's) is the notice's id: a retry delivers once.
 */
export const notificationJob = defineJob({
  queue: NOTIFICATION_QUEUE, payload: NotificationPayload, retryLimit: 8, retryDelaySeconds: 5, expireInSeconds: 120,
  async run({ data, jobId, deps, inTenant }) {
    await inTenant(({ tx }) => deps.notifier.deliver(tx, 'tenant', { ...data, notification_id: jobId }));
  },
});
