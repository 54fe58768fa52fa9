import { isDeepStrictEqual } from 'node:util';
import type { PermissionRule } from '../auth/ability.js';
import { SCOPE_WIDTH, type DataScope } from '../auth/actor.js';

// No privilege escalation: a caller may hand out (or take away) only what it holds itself. Rules are compared
// before interpolation, so '${user.agent_id}' in both means the same thing for whoever holds the role.

function isEmpty(conditions: PermissionRule['conditions']): boolean {
  return !conditions || Object.keys(conditions).length === 0;
}

/** True when `held` grants at least everything `wanted` grants. */
export function ruleCovers(held: PermissionRule, wanted: PermissionRule): boolean {
  const action = held.action === 'manage' || held.action === wanted.action;
  const subject = held.subject === 'all' || held.subject === wanted.subject;
  const conditions = isEmpty(held.conditions) || isDeepStrictEqual(held.conditions, wanted.conditions);
  return action && subject && conditions;
}

/** The wanted rules none of the held rules covers. */
export function uncoveredRules(held: readonly PermissionRule[], wanted: readonly PermissionRule[]): PermissionRule[] {
  return wanted.filter((rule) => !held.some((mine) => ruleCovers(mine, rule)));
}

export function holdsManageAll(held: readonly PermissionRule[]): boolean {
  return held.some((rule) => rule.action === 'manage' && rule.subject === 'all' && isEmpty(rule.conditions));
}

/** A role reaching more of the agent book than the caller sees would widen what its holders see. */
export function scopeExceeds(wanted: DataScope, held: DataScope): boolean {
  return SCOPE_WIDTH[wanted] > SCOPE_WIDTH[held];
}

export function describeRule(rule: PermissionRule): string {
  return `${rule.action} ${rule.subject}${isEmpty(rule.conditions) ? '' : ` where ${JSON.stringify(rule.conditions)}`}`;
}
