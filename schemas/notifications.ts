import { z } from 'zod';
import { ListQuery, page, Timestamp, Uuid } from './common.js';

/** What an account's owner is told about (ASVS V2.2.3, V2.5.5, V2.8.5). */
export const NOTIFICATION_TOPICS = [
  'account.password_changed', 'account.password_reset', 'account.locked_out',
  'mfa.enrolled', 'mfa.replaced', 'mfa.disabled', 'mfa.reset', 'mfa.recovery_codes_renewed', 'mfa.recovery_code_used',
  'mfa.code_replayed', 'mfa.security_key_added', 'mfa.security_key_removed', 'session.refresh_token_reused',
] as const;
export const NotificationTopic = z.enum(NOTIFICATION_TOPICS);
export type NotificationTopic = z.infer<typeof NotificationTopic>;

export const Notification = z.object({
  notification_id: Uuid,
  topic: NotificationTopic,
  channel: z.string().describe("How it was sent: 'inbox' (this list) for now; e-mail and SMS later"),
  subject: z.string(),
  body: z.string(),
  details: z.record(z.string(), z.unknown()),
  occurred_at: Timestamp,
});
export type Notification = z.infer<typeof Notification>;
export const NotificationPage = page(Notification);

export const NotificationListQuery = ListQuery.strict();
export type NotificationListQuery = z.infer<typeof NotificationListQuery>;
