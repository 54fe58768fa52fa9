import type { PolicyStatusBody } from '../../schemas/policies.js';
import { authorize, can } from '../auth/ability.js';
import type { Actor } from '../auth/actor.js';
import type { Tx } from '../db/scope.js';
import { ConflictError, ForbiddenError } from '../errors.js';
import { businessToday, type IsoDate } from './calendar.js';
import { refusalOfMove, type PolicyFacts, type PolicyStatus } from './lifecycle.js';
import {
  insertStatusChanges, lapseOverdue, updatePolicy, type PolicyRecord, type PolicyValues, type StatusChangeRow,
} from './repository.js';
import { getPolicy, visiblePolicy } from './service.js';

// Status changes: every move is checked against the lifecycle and recorded with who, when, why and through what.

/** Moves an agent makes on its own proposal (submit, take back, drop): an update. Every other move is a decision. */
const PROPOSER_MOVES = new Set(['draft>pending_approval', 'pending_approval>draft', 'draft>cancelled']);

export function policyFacts(policy: PolicyRecord): PolicyFacts {
  return {
    status: policy.status,
    next_payment_date: policy.next_payment_date,
    grace_period_days: policy.grace_period_days,
    revival_period_months: policy.revival_period_months,
    maturity_date: policy.maturity_date,
  };
}

export async function changePolicyStatus(tx: Tx, actor: Actor, policyId: string, body: PolicyStatusBody) {
  if (!can(actor.ability, 'update', 'Policy') && !can(actor.ability, 'change_status', 'Policy')) {
    throw new ForbiddenError('You are not allowed to change the status of policies.');
  }
  const today = businessToday();
  const policy = await visiblePolicy(tx, policyId, today, true);
  const refusal = refusalOfMove(policyFacts(policy), body.status, today);
  if (refusal) throw new ConflictError(refusal.message, { code: refusal.code });
  authorize(actor.ability, PROPOSER_MOVES.has(`${policy.status}>${body.status}`) ? 'update' : 'change_status', 'Policy');
  await moveStatus(tx, policy, body.status, { reason: body.reason ?? null, source: 'api', changed_by: actor.user_id }, today);
  return getPolicy(tx, actor, policyId);
}

type ChangeNote = Pick<StatusChangeRow, 'reason' | 'source' | 'changed_by'>;

/** Writes the new status with the columns that go with it, and its line in the history. The policy is locked. */
export async function moveStatus(tx: Tx, policy: PolicyRecord, to: PolicyStatus, note: ChangeNote, today: IsoDate,
  extra: PolicyValues = {}): Promise<void> {
  const values: PolicyValues = {
    ...extra, status: to, status_changed_at: tx.raw('now()'), updated_by: note.changed_by,
    ...(to === 'approved' ? { approval_date: today, approved_by: note.changed_by } : {}),
    ...(to === 'lapsed' ? { lapsed_on: today } : {}),
    ...(policy.status === 'lapsed' ? { lapsed_on: null } : {}),
  };
  await updatePolicy(tx, policy.policy_id, values);
  await insertStatusChanges(tx, [{
    policy_id: policy.policy_id, agent_id: policy.agent_id, agent_order: policy.agent_order,
    policyholder_id: policy.policyholder_id, from_status: policy.status, to_status: to, ...note,
  }]);
}

export interface LapseRun {
  readonly as_of: IsoDate;
  readonly lapsed: number;
  readonly policy_ids: string[];
}

/**
 * Lapses the active policies of the transaction's tenant whose first unpaid premium is past its grace period on
 * `asOf`. Idempotent: a policy lapses once, and a second run (or a concurrent one, which waits on the row locks
 * and then sees the new status) finds nothing to do.
 */
export async function lapseOverduePoliciesInTenant(tx: Tx, actor: Actor, asOf: IsoDate = businessToday()): Promise<LapseRun> {
  authorize(actor.ability, 'lapse', 'Policy');
  const lapsed = await lapseOverdue(tx, asOf);
  await insertStatusChanges(tx, lapsed.map((policy) => ({
    ...policy, from_status: 'active' as const, to_status: 'lapsed' as const, source: 'lapse_job' as const,
    reason: 'premium unpaid past the grace period', changed_by: actor.user_id,
  })));
  return { as_of: asOf, lapsed: lapsed.length, policy_ids: lapsed.map((policy) => policy.policy_id) };
}
