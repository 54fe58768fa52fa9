import { z } from 'zod';
import { IdParams, ListQuery, page, Password, PhoneNumber, Timestamp, Uuid } from './common.js';
import { normalisePassword } from './passwords.js';

export const LoginBody = z.object({
  tenant: z.string().trim().toUpperCase().min(2).max(20).optional().describe('Tenant code, e.g. LIC; may come from X-Tenant or the subdomain instead. Absent: platform login.'),
  // Canonical as parsed, but not format-checked: a malformed address answers like any unknown account (401).
  email: z.string().trim().toLowerCase().max(255).optional(),
  phone_number: PhoneNumber.optional(),
  username: z.string().trim().toLowerCase().max(100).optional(),
  password: z.string().min(1, 'is required').max(512).transform(normalisePassword),
}).strict().refine((body) => body.email ?? body.phone_number ?? body.username, {
  message: 'one of email, phone_number or username is required',
  path: ['email'],
  // Report this together with any other bad field, not only once the rest is valid.
  when: (payload) => typeof payload.value === 'object' && payload.value !== null,
});
export type LoginBody = z.infer<typeof LoginBody>;

export const RefreshBody = z.object({ refresh_token: z.string().min(1, 'is required').max(300) }).strict();

export const TokenPair = z.object({
  access_token: z.string(),
  refresh_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int(),
  user: z.object({ user_id: Uuid, role: z.string(), tenant_code: z.string().nullable() }),
  password_change_required: z.boolean().optional()
    .describe('An administrator set the password: this access token only allows POST /auth/password; refresh afterwards'),
});
export type TokenPair = z.infer<typeof TokenPair>;

export const Me = z.object({
  user_id: Uuid,
  email: z.string().nullable(),
  role: z.string(),
  roles: z.array(z.string()),
  tenant_id: Uuid.nullable(),
  tenant_code: z.string().nullable(),
  agent_id: Uuid.nullable(),
  data_scope: z.enum(['tenant', 'team', 'own', 'none']),
  permissions: z.array(z.object({
    action: z.string(), subject: z.string(), conditions: z.record(z.string(), z.unknown()).nullable().optional(),
  })),
});

export const ChangePasswordBody = z.object({
  current_password: z.string().min(1, 'is required').max(512).transform(normalisePassword),
  new_password: Password,
}).strict().superRefine((body, ctx) => {
  // Compared as hashed (NFKC): "changing" to the same password would clear a required change (V2.3.1) and end the
  // other sessions without anything having changed.
  if (body.new_password === body.current_password) {
    ctx.addIssue({ code: 'custom', path: ['new_password'], message: 'must differ from the current password' });
  }
});
export type ChangePasswordBody = z.infer<typeof ChangePasswordBody>;

export const SessionParams = IdParams('session_id');
export const SessionListQuery = ListQuery;

export const Session = z.object({
  session_id: Uuid,
  created_at: Timestamp,
  last_activity_at: Timestamp,
  expires_at: Timestamp,
  ip_address: z.string().nullable(),
  user_agent: z.string().nullable(),
  current: z.boolean().describe('The session this request is made in'),
});
export const SessionPage = page(Session);
