import { createMongoAbility, subject as tagSubject, type MongoAbility, type RawRuleOf } from '@casl/ability';
import { PLACEHOLDER, type Action, type Subject } from '../../schemas/access.js';
import { ForbiddenError } from '../errors.js';

export { ACTIONS, SUBJECTS, type Action, type Subject } from '../../schemas/access.js';

export type AppAbility = MongoAbility<[Action, Subject | (Record<string, unknown> & { __caslSubjectType__?: string })]>;

export interface PermissionRule {
  readonly action: Action;
  readonly subject: Subject;
  readonly conditions?: Record<string, unknown> | null;
}

/** Values a rule's conditions may name as '${user.<key>}'. */
export interface RuleContext {
  readonly user_id: string | null;
  readonly tenant_id: string | null;
  readonly agent_id: string | null;
}

/** Thrown when a placeholder names a value the caller lacks (e.g. agent_id of a non-agent). */
class UnresolvedPlaceholder extends Error {}

function interpolate(value: unknown, context: RuleContext): unknown {
  if (typeof value === 'string') {
    const key = value.match(PLACEHOLDER)?.[1] as keyof RuleContext | undefined;
    if (!key) return value;
    if (context[key] === null) throw new UnresolvedPlaceholder(key);
    return context[key];
  }
  if (Array.isArray(value)) return value.map((item) => interpolate(item, context));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolate(item, context)]));
  }
  return value;
}

/** The caller's ability, built per request from the rules its roles grant in the database. */
export function buildAbility(rules: readonly PermissionRule[], context: RuleContext): AppAbility {
  return createMongoAbility<AppAbility>(rules.flatMap((rule) => resolveRule(rule, context)));
}

/**
 * The rule with its placeholders filled in, or nothing when one names a value the caller lacks: `{agent_id: null}`
 * would otherwise match every record without an agent, where the rule means "my own records".
 */
function resolveRule(rule: PermissionRule, context: RuleContext): RawRuleOf<AppAbility>[] {
  if (!rule.conditions) return [{ action: rule.action, subject: rule.subject }];
  try {
    return [{ action: rule.action, subject: rule.subject, conditions: interpolate(rule.conditions, context) as Record<string, unknown> }];
  } catch (error) {
    if (error instanceof UnresolvedPlaceholder) return [];
    throw error;
  }
}

/** Whether the ability allows `action` on the subject type, or on this record of it (its conditions applied). */
export function can(ability: AppAbility, action: Action, subjectType: Subject, record?: object): boolean {
  const target = record ? tagSubject(subjectType, { ...record }) : subjectType;
  return ability.can(action, target as Subject);
}

/** Throws 403 unless the ability allows `action` on the subject type (or on this record of it). */
export function authorize(ability: AppAbility, action: Action, subjectType: Subject, record?: object): void {
  if (!can(ability, action, subjectType, record)) {
    throw new ForbiddenError(`You are not allowed to ${action} ${subjectType}.`);
  }
}

/** Which records of a subject the ability allows an action on: all of them, or those matching any of these conditions. */
export type AllowedRecords = { readonly all: true } | { readonly all: false; readonly anyOf: readonly Record<string, unknown>[] };

/**
 * The ability's rules for `action` on `subjectType` as a filter a list can apply in SQL (db/conditions.ts), so a
 * page holds only what the caller may see and is never short. Roles only grant (no `cannot` rules), so the
 * records allowed are those matching any rule's conditions; a rule without conditions allows every record.
 */
export function allowedRecords(ability: AppAbility, action: Action, subjectType: Subject): AllowedRecords {
  const rules = ability.rulesFor(action, subjectType);
  if (rules.some((rule) => rule.inverted)) throw new Error('inverted rules cannot be turned into a list filter');
  if (rules.some((rule) => !rule.conditions)) return { all: true };
  return { all: false, anyOf: rules.map((rule) => rule.conditions as Record<string, unknown>) };
}
