import { z } from 'zod';
import { ListQuery, page, Timestamp, Uuid, ZonedTimestamp } from './common.js';

export const AuditEntry = z.object({
  audit_id: Uuid,
  table_name: z.string(),
  record_id: z.string(),
  action: z.enum(['insert', 'update', 'delete']),
  actor_user_id: Uuid.nullable().describe('The signed-in user who made the change; null for jobs and onboarding'),
  actor: z.string().describe("'user', 'system:<job>' or 'anonymous' (e.g. sign-in bookkeeping)"),
  old_values: z.record(z.string(), z.unknown()).nullable(),
  new_values: z.record(z.string(), z.unknown()).nullable(),
  changed_columns: z.array(z.string()),
  occurred_at: Timestamp,
});
export type AuditEntry = z.infer<typeof AuditEntry>;
export const AuditPage = page(AuditEntry);

export const AuditListQuery = ListQuery.extend({
  table: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'must be a table name').optional(),
  record_id: z.string().trim().min(1).max(100).optional(),
  user_id: Uuid.optional().describe('Changes made by this user'),
  from: ZonedTimestamp.optional().describe('At or after this time'),
  to: ZonedTimestamp.optional().describe('Before this time'),
}).strict();
export type AuditListQuery = z.infer<typeof AuditListQuery>;
