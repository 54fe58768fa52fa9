import { createMongoAbility, subject as tagSubject } from '@casl/ability';
import { z } from 'zod';
import { ACTIONS, BOOK_SUBJECTS, PLACEHOLDER, SUBJECTS, type Action, type Subject } from './access.js';
import { IdParams, ListQuery, page, Timestamp, Uuid } from './common.js';

export const RoleName = z.string().regex(/^[a-z][a-z0-9_]{1,49}$/, 'must match ^[a-z][a-z0-9_]{1,49}$');
export const DataScope = z.enum(['tenant', 'team', 'own', 'none'])
  .describe('Which part of the agent book the role sees: tenant (all), team (own and below), own, none');

const MAX_CONDITIONS_CHARS = 2000;

/** Strings that look like placeholders but are not one of the four known ones (typos would silently match nothing). */
function unknownPlaceholders(value: unknown): string[] {
  if (typeof value === 'string') return value.includes('${') && !PLACEHOLDER.test(value) ? [value] : [];
  if (Array.isArray(value)) return value.flatMap(unknownPlaceholders);
  if (value && typeof value === 'object') return Object.values(value).flatMap(unknownPlaceholders);
  return [];
}

// The operators CASL's mongo matcher evaluates; it reads any other $key (even $or) as a field, matching nothing.
// No $regex: a role author's pattern would run against every record checked (catastrophic backtracking).
const OPERATORS = new Set(['$eq', '$ne', '$lt', '$lte', '$gt', '$gte', '$in', '$nin', '$all', '$size', '$elemMatch', '$exists']);

function unknownOperators(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(unknownOperators);
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, item]) => [
    ...(key.startsWith('$') && !OPERATORS.has(key) ? [key] : []),
    ...unknownOperators(item),
  ]);
}

/** CASL compiles conditions lazily; compiling once here keeps a bad operator from failing every later request. */
function conditionsCompileError(rule: { action: Action; subject: Subject; conditions: Record<string, unknown> }): string | undefined {
  try {
    createMongoAbility([rule]).can(rule.action, tagSubject(rule.subject, {}) as never);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : 'is not a valid condition';
  }
}

export const PermissionRuleInput = z.object({
  action: z.enum(ACTIONS),
  subject: z.enum(SUBJECTS),
  conditions: z.record(z.string(), z.unknown()).nullable().optional()
    .describe("MongoDB-style query on the record; values may be '${user.user_id}', '${user.agent_id}' or "
      + "'${user.tenant_id}'. Not allowed on the agent book's subjects, whose rows the role's data_scope decides"),
}).strict().superRefine((rule, ctx) => {
  if (!rule.conditions) return;
  if ((BOOK_SUBJECTS as readonly string[]).includes(rule.subject)) {
    ctx.addIssue({ code: 'custom', path: ['conditions'],
      message: `${rule.subject} rows are scoped by the role's data_scope in the database; conditions are not supported` });
    return;
  }
  if (JSON.stringify(rule.conditions).length > MAX_CONDITIONS_CHARS) {
    ctx.addIssue({ code: 'custom', path: ['conditions'], message: `must be at most ${MAX_CONDITIONS_CHARS} characters as JSON` });
    return;
  }
  for (const bad of unknownPlaceholders(rule.conditions)) {
    ctx.addIssue({ code: 'custom', path: ['conditions'], message: `unknown placeholder ${bad}` });
  }
  for (const bad of unknownOperators(rule.conditions)) {
    ctx.addIssue({ code: 'custom', path: ['conditions'], message: `unsupported operator ${bad}` });
  }
  const compileError = conditionsCompileError({ ...rule, conditions: rule.conditions });
  if (compileError) ctx.addIssue({ code: 'custom', path: ['conditions'], message: compileError });
});
export type PermissionRuleInput = z.infer<typeof PermissionRuleInput>;

const Permissions = z.array(PermissionRuleInput).max(100);
const RoleDescription = z.string().trim().max(1000).nullable();

export const CreateRoleBody = z.object({
  role_name: RoleName,
  role_description: RoleDescription.optional(),
  data_scope: DataScope.default('own'),
  permissions: Permissions,
}).strict();
export type CreateRoleBody = z.infer<typeof CreateRoleBody>;

export const PatchRoleBody = z.object({
  role_description: RoleDescription.optional(),
  data_scope: DataScope.optional(),
  permissions: Permissions.optional().describe('Replaces all of the role\'s permissions'),
}).strict().refine((body) => Object.keys(body).length > 0, { message: 'at least one field is required' });
export type PatchRoleBody = z.infer<typeof PatchRoleBody>;

export const RoleParams = IdParams('role_id');
export const RoleListQuery = ListQuery;
export const PermissionListQuery = ListQuery;

export const Permission = z.object({
  permission_id: Uuid,
  action: z.enum(ACTIONS),
  subject: z.enum(SUBJECTS),
  conditions: z.record(z.string(), z.unknown()).nullable(),
  permission_name: z.string().describe('action:subject'),
});
export type Permission = z.infer<typeof Permission>;

export const Role = z.object({
  role_id: Uuid,
  role_name: RoleName,
  role_description: z.string().nullable(),
  is_system_role: z.boolean(),
  data_scope: DataScope,
  created_at: Timestamp,
  updated_at: Timestamp,
  permissions: z.array(Permission),
});
export type Role = z.infer<typeof Role>;

/** A role as shown on a user. */
export const RoleSummary = Role.pick({ role_id: true, role_name: true, is_system_role: true, data_scope: true });
export type RoleSummary = z.infer<typeof RoleSummary>;

export const RolePage = page(Role);
export const PermissionPage = page(Permission);
