import type { Notification, NotificationTopic } from '../../schemas/notifications.js';
import type { AccountKind } from '../auth/account-repository.js';
import type { Page } from '../db/pagination.js';
import type { Tx } from '../db/scope.js';
import { timelinePage } from '../db/timeline.js';

// The inboxes (migrations/*/1733002400000_account_notifications.ts): a tenant user's in the tenant's schema, a
// super admin's in shared. Newest first, keyset-paged like the other timelines (src/db/timeline.ts).

const INBOX = { tenant: 'notifications', platform: 'shared.platform_notifications' } as const;

export interface NotificationRow {
  /** The job's id for a tenant notice (a retried delivery writes nothing twice). */
  readonly notification_id: string;
  readonly user_id: string;
  readonly topic: NotificationTopic;
  readonly channel: string;
  readonly subject: string;
  readonly body: string;
  readonly details: Record<string, unknown>;
}

export async function insertNotification(tx: Tx, kind: AccountKind, row: NotificationRow): Promise<void> {
  await tx(INBOX[kind]).insert({ ...row, details: JSON.stringify(row.details) }).onConflict('notification_id').ignore();
}

export function listNotifications(tx: Tx, kind: AccountKind, userId: string, options: { limit: number; cursor?: string | undefined })
  : Promise<Page<Notification>> {
  const select = tx(INBOX[kind]).where({ user_id: userId }).select('notification_id', 'topic', 'channel', 'subject', 'body', 'details',
    tx.raw(`to_json(occurred_at) #>> '{}' AS occurred_at`));
  return timelinePage<Notification>(select, { table: INBOX[kind], id: 'notification_id', ...options });
}
