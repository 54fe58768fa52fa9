import { z } from 'zod';
import { ListQuery, page, Timestamp, Uuid, ZonedTimestamp } from './common.js';

/** Every kind of security event (ASVS V7.1.3, V7.1.4, V7.2.1, V7.2.2). The mfa.* and step-up kinds are written by the MFA module. */
export const SECURITY_EVENT_KINDS = [
  'auth.sign_in_succeeded', 'auth.sign_in_failed', 'auth.locked_out', 'auth.refresh_token_reused',
  'auth.password_changed', 'auth.password_reset', 'auth.step_up_required',
  'mfa.enrolled', 'mfa.failed', 'mfa.recovery_code_used', 'mfa.disabled', 'mfa.reset',
  'session.revoked', 'user.roles_changed', 'user.status_changed', 'user.deactivated', 'role.permissions_changed',
  'tenant.suspended', 'tenant.reactivated', 'access.denied',
] as const;
export const SecurityEventKind = z.enum(SECURITY_EVENT_KINDS);
export type SecurityEventKind = z.infer<typeof SecurityEventKind>;

export const SecurityEventOutcome = z.enum(['success', 'failure', 'denied']);
export type SecurityEventOutcome = z.infer<typeof SecurityEventOutcome>;

export const SecurityEvent = z.object({
  event_id: Uuid,
  kind: SecurityEventKind,
  outcome: SecurityEventOutcome,
  occurred_at: Timestamp,
  tenant_id: Uuid.nullable().describe('null: a platform event (a super admin, or a sign-in naming no known tenant)'),
  actor_user_id: Uuid.nullable().describe('Who acted; null when nobody was signed in (a failed sign-in)'),
  actor_role: z.string().nullable(),
  client_address: z.string().nullable(),
  request_id: z.string().nullable(),
  target_type: z.string().nullable().describe("What was acted on: 'user', 'role', 'session', 'tenant', 'route'"),
  target_id: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
});
export type SecurityEvent = z.infer<typeof SecurityEvent>;
export const SecurityEventPage = page(SecurityEvent);

export const SecurityEventListQuery = ListQuery.extend({
  kind: SecurityEventKind.optional(),
  actor: Uuid.optional().describe('Events of this acting user'),
  since: ZonedTimestamp.optional().describe('At or after this time'),
  until: ZonedTimestamp.optional().describe('Before this time'),
  tenant_id: Uuid.optional().describe("Super admins: one tenant's events (tenant users always see only their own tenant's)"),
}).strict();
export type SecurityEventListQuery = z.infer<typeof SecurityEventListQuery>;
