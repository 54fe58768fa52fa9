import { z } from 'zod';
import { USER_STATUSES } from './access.js';
import { Email, IdParams, ListQuery, page, Password, PhoneNumber, Timestamp, Username, Uuid } from './common.js';
import { RoleSummary } from './roles.js';

export const UserStatus = z.enum(USER_STATUSES);
/** What PATCH may set; 'deactivated' is reached only through DELETE. */
export const SettableUserStatus = z.enum(['active', 'inactive', 'suspended']);

const PersonName = z.string().trim().min(1, 'must not be empty').max(100);
const DisplayName = z.string().trim().min(1, 'must not be empty').max(255);
const LanguagePreference = z.string().regex(/^[a-z]{2,3}(-[A-Za-z]{2,4})?$/, 'must be a language tag such as en or hi-IN');
const Timezone = z.string().max(50).refine(isTimeZone, 'must be an IANA time zone such as Asia/Kolkata');
const RoleIds = z.array(Uuid).max(50).refine((ids) => new Set(ids).size === ids.length, 'must not repeat a role');

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export const CreateUserBody = z.object({
  email: Email.optional(),
  phone_number: PhoneNumber.optional(),
  username: Username.optional(),
  password: Password,
  first_name: PersonName,
  last_name: PersonName,
  display_name: DisplayName.optional(),
  language_preference: LanguagePreference.optional(),
  timezone: Timezone.optional(),
  role_ids: RoleIds.default([]).describe('Roles to assign; none by default'),
}).strict().refine((body) => body.email ?? body.phone_number ?? body.username, {
  message: 'one of email, phone_number or username is required',
  path: ['email'],
  // Reported together with any other bad field, not only once the rest is valid.
  when: (payload) => typeof payload.value === 'object' && payload.value !== null,
});
export type CreateUserBody = z.infer<typeof CreateUserBody>;

export const PatchUserBody = z.object({
  email: Email.nullable().optional(),
  phone_number: PhoneNumber.nullable().optional(),
  username: Username.nullable().optional(),
  first_name: PersonName.optional(),
  last_name: PersonName.optional(),
  display_name: DisplayName.nullable().optional(),
  status: SettableUserStatus.optional(),
  password: Password.optional().describe('Sets a new password and ends all of the user\'s sessions'),
  language_preference: LanguagePreference.optional(),
  timezone: Timezone.optional(),
}).strict().refine((body) => Object.keys(body).length > 0, { message: 'at least one field is required' });
export type PatchUserBody = z.infer<typeof PatchUserBody>;

export const ReplaceUserRolesBody = z.object({ role_ids: RoleIds }).strict();
export type ReplaceUserRolesBody = z.infer<typeof ReplaceUserRolesBody>;

export const UserParams = IdParams('user_id');

export const UserListQuery = ListQuery.extend({
  status: UserStatus.optional(),
  q: z.string().trim().min(1).max(100).optional().describe('Searches e-mail, names, phone number and username'),
});
export type UserListQuery = z.infer<typeof UserListQuery>;

export const User = z.object({
  user_id: Uuid,
  tenant_id: Uuid,
  email: z.string().nullable(),
  phone_number: z.string().nullable(),
  username: z.string().nullable(),
  first_name: z.string().nullable(),
  last_name: z.string().nullable(),
  display_name: z.string().nullable(),
  language_preference: z.string(),
  timezone: z.string(),
  status: UserStatus,
  agent_id: Uuid.nullable().describe('The agent record of this user, if it is an agent'),
  last_login_at: Timestamp.nullable(),
  created_at: Timestamp,
  updated_at: Timestamp,
  deactivated_at: Timestamp.nullable(),
  roles: z.array(RoleSummary),
});
export type User = z.infer<typeof User>;

export const UserPage = page(User);
