import type { Logger } from 'pino';
import type { NotificationTopic } from '../../schemas/notifications.js';
import type { AccountKind } from '../auth/account-repository.js';
import type { Tx } from '../db/scope.js';
import { messageFor } from './messages.js';
import { insertNotification } from './repository.js';

/** A notice to one account's owner. `notification_id` makes a delivery idempotent (a retried job writes nothing twice). */
export interface OutgoingNotification {
  readonly notification_id: string;
  readonly user_id: string;
  readonly topic: NotificationTopic;
  readonly details: Record<string, unknown>;
}

/**
 * Sends a notice on the account's channels. Called after the change it reports has committed (from the
 * notification job for tenant users). E-mail or SMS notifiers plug in here (AppDeps.notifier); each also writes
 * the inbox entry, so GET /auth/notifications shows what was sent.
 */
export interface Notifier {
  deliver(tx: Tx, kind: AccountKind, notification: OutgoingNotification): Promise<void>;
}

/** The local notifier: the account's inbox (GET /auth/notifications) and a log line; no outside channel. */
export class InboxNotifier implements Notifier {
  constructor(private readonly log: Logger) {}

  async deliver(tx: Tx, kind: AccountKind, notification: OutgoingNotification): Promise<void> {
    const message = messageFor(notification.topic);
    await insertNotification(tx, kind, { ...notification, ...message, channel: 'inbox' });
    this.log.info({ notification: { notification_id: notification.notification_id, user_id: notification.user_id,
      topic: notification.topic, channel: 'inbox' } }, `notification ${notification.topic}`);
  }
}
