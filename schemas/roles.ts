import { createMongoAbility, subject as tagSubject } from '@casl/ability';
import { z } from 'zod';
import {
  ACTIONS, BOOK_SUBJECTS, CONDITION_FIELDS, CONDITION_OPERATORS, PLACEHOLDER, SUBJECTS, USER_STATUSES, type Action,
  type ConditionFieldType, type Subject,
} from './access.js';
import { Email, IdParams, ListQuery, page, PhoneNumber, Timestamp, Username, Uuid } from './common.js';
import { CONFIG_KEY_PATTERN, ConfigType } from './tenant-config.js';

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

const SINGLE_VALUE_PLACEHOLDER = /^\$\{user\.(user_id|tenant_id|agent_id)\}$/;
const LIST_PLACEHOLDER = '${user.visible_agent_ids}';
/** Keys that name an object's machinery, not a field; JSON.parse makes them own keys, a merge would follow them. */
const MACHINERY_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const UUID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A single value a field of this type may be compared with: its own scalar kind or a one-value placeholder. */
function fitsField(type: ConditionFieldType, value: unknown): boolean {
  if (type === 'boolean') return typeof value === 'boolean';
  if (typeof value !== 'string') return false;
  if (value.includes('${')) return SINGLE_VALUE_PLACEHOLDER.test(value);
  return type !== 'uuid' || UUID_SHAPE.test(value);
}

/**
 * Fields whose values the database keeps lower-cased (uuids; e-mails and usernames as parsed on users): a condition
 * names them in that spelling, or an upper-case id or a capitalised e-mail would silently match nothing.
 */
const LOWER_CASED_TEXT: Partial<Record<Subject, readonly string[]>> = { User: ['email', 'username'] };

/**
 * Fields that hold phone numbers, which the database keeps in their international spelling (PhoneNumber): a
 * condition's `98123 45678` is stored as `+919812345678`, or it would silently match nothing.
 */
const PHONE_FIELDS: Partial<Record<Subject, readonly string[]>> = { User: ['phone_number'] };

const lowerCase = (text: string) => text.trim().toLowerCase();

function internationalSpelling(text: string): string {
  const parsed = PhoneNumber.safeParse(text);
  return parsed.success ? parsed.data : text;
}

function canonicalOperand(value: unknown, spell: (text: string) => string): unknown {
  if (typeof value === 'string') return value.includes('${') ? value : spell(value);
  if (Array.isArray(value)) return value.map((item) => canonicalOperand(item, spell));
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([op, operand]) => [op, canonicalOperand(operand, spell)]));
  }
  return value;
}

/** The conditions with each value in the spelling the database stores (placeholders are lower-case already). */
function canonicalConditions(subject: Subject, conditions: Record<string, unknown>): Record<string, unknown> {
  const fields = CONDITION_FIELDS[subject] ?? {};
  const lowerCased = LOWER_CASED_TEXT[subject] ?? [];
  const phones = PHONE_FIELDS[subject] ?? [];
  return Object.fromEntries(Object.entries(conditions).map(([field, test]) => [field,
    fields[field] === 'uuid' || lowerCased.includes(field) ? canonicalOperand(test, lowerCase)
      : phones.includes(field) ? canonicalOperand(test, internationalSpelling) : test]));
}

function operandErrors(field: string, type: ConditionFieldType, operator: string, operand: unknown): string[] {
  if (operator === '$eq' || operator === '$ne') {
    return operand === null || fitsField(type, operand) ? [] : [`${field}.${operator} must be a ${type} value or null`];
  }
  if (operator === '$in' || operator === '$nin') {
    if (operand === LIST_PLACEHOLDER && type === 'uuid') return [];
    const fits = Array.isArray(operand) && operand.length <= 100 && operand.every((item) => fitsField(type, item));
    return fits ? [] : [`${field}.${operator} must be a list of at most 100 ${type} values`];
  }
  return [`unsupported operator ${MACHINERY_KEYS.has(operator) ? `key ${operator}` : operator} on ${field} (use ${CONDITION_OPERATORS.join(', ')})`];
}

/**
 * What is wrong with a rule's conditions: only subjects whose endpoints enforce conditions take them, only on their
 * declared fields, with equality and membership on values of the field's type (CONDITION_FIELDS). Exactly what
 * can be checked against a record in memory and, identically, filtered in SQL.
 */
function conditionErrors(subject: Subject, conditions: Record<string, unknown>): string[] {
  const fields = CONDITION_FIELDS[subject];
  if (!fields) return [`${subject} takes no conditions: its endpoints cannot enforce them`];
  return Object.entries(conditions).flatMap(([field, test]) => {
    const type = Object.hasOwn(fields, field) ? fields[field] : undefined;
    if (!type) {
      return [`unknown field ${MACHINERY_KEYS.has(field) ? `key ${field}` : field} (conditions on ${subject} may test ${Object.keys(fields).join(', ')})`];
    }
    if (!isPlainObject(test)) return test === null || fitsField(type, test) ? [] : [`${field} must be a ${type} value or null`];
    const operators = Object.entries(test);
    if (!operators.length) return [`${field} needs an operator`];
    return operators.flatMap(([operator, operand]) => operandErrors(field, type, operator, operand));
  });
}

/** A field's test against the values its records can hold: a value they never hold would silently match nothing. */
interface ValueRule { readonly fits: (value: string) => boolean; readonly says: string }

const oneOf = (values: readonly string[]): ValueRule => ({ fits: (value) => values.includes(value), says: `one of ${values.join(', ')}` });
const parsedBy = (schema: z.ZodType, says: string): ValueRule => ({ fits: (value) => schema.safeParse(value).success, says });

/** Fields with a closed set of values ('Active', 'user') or a shape the records always have (`Guest` for a role name). */
const VALUE_RULES: Partial<Record<Subject, Readonly<Record<string, ValueRule>>>> = {
  User: {
    status: oneOf(USER_STATUSES),
    email: parsedBy(Email, 'an e-mail address'),
    username: parsedBy(Username, 'a username of 3 to 100 letters, digits, dots, dashes or underscores'),
    phone_number: parsedBy(PhoneNumber, 'a phone number of 10 to 14 digits, optionally with a leading +'),
  },
  Role: { data_scope: oneOf(DataScope.options), role_name: parsedBy(RoleName, 'a role name matching ^[a-z][a-z0-9_]{1,49}$') },
  Permission: { action: oneOf(ACTIONS), subject: oneOf(SUBJECTS) },
  TenantConfig: { config_type: oneOf(ConfigType.options), config_key: parsedBy(z.string().regex(CONFIG_KEY_PATTERN), 'a key matching ^[a-z][a-z0-9_.-]{0,99}$') },
};

/** The strings a field's test compares with: the value itself, or its operators' operands. */
function comparedStrings(test: unknown): string[] {
  const operands = isPlainObject(test) ? Object.values(test) : [test];
  return operands.flat().filter((value): value is string => typeof value === 'string' && !value.includes('${'));
}

function valueErrors(subject: Subject, conditions: Record<string, unknown>): string[] {
  const rules = VALUE_RULES[subject] ?? {};
  return Object.entries(conditions).flatMap(([field, test]) => {
    const rule = Object.hasOwn(rules, field) ? rules[field] : undefined;
    if (!rule) return [];
    return comparedStrings(test).filter((value) => !rule.fits(value))
      .map((value) => `${field} never holds ${JSON.stringify(value)} (it must be ${rule.says})`);
  });
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
    .describe("MongoDB-style query on the record, for User, Role, Permission and TenantConfig only: field: value, or "
      + "field: { $eq | $ne: value, $in | $nin: [values] }; values may be '${user.user_id}', '${user.agent_id}' or "
      + "'${user.tenant_id}'. The agent book's subjects take none: the role's data_scope decides their rows"),
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
  const invalid = conditionErrors(rule.subject, rule.conditions);
  if (!invalid.length) invalid.push(...valueErrors(rule.subject, rule.conditions));
  for (const message of invalid) ctx.addIssue({ code: 'custom', path: ['conditions'], message });
  if (invalid.length) return;
  const compileError = conditionsCompileError({ ...rule, conditions: rule.conditions });
  if (compileError) ctx.addIssue({ code: 'custom', path: ['conditions'], message: compileError });
}).transform((rule) => (rule.conditions ? { ...rule, conditions: canonicalConditions(rule.subject, rule.conditions) } : rule));
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
