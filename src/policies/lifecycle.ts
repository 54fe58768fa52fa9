import type { ErrorCode } from '../../schemas/error-codes.js';
import { POLICY_STATUSES } from '../../schemas/policies.js';
import type { IsoDate } from './calendar.js';
import { isPastGrace, revivalDeadline } from './premium-schedule.js';

// The policy lifecycle: which status may follow which, and the few moves that also depend on dates. Pure: the
// service asks here before it writes, and records every move it makes in policy_status_history.

export { POLICY_STATUSES };
export type PolicyStatus = (typeof POLICY_STATUSES)[number];

/**
 * Every legal move. A proposal is drafted, submitted, reviewed (or sent back) and approved; the first premium
 * makes it active; a missed premium past its grace period lapses it and a payment within the revival window
 * revives it. Surrendered, matured, claimed and cancelled are final.
 */
export const LEGAL_MOVES: Readonly<Record<PolicyStatus, readonly PolicyStatus[]>> = {
  draft: ['pending_approval', 'cancelled'],
  pending_approval: ['under_review', 'approved', 'draft', 'cancelled'],
  under_review: ['approved', 'draft', 'cancelled'],
  approved: ['active', 'cancelled'],
  active: ['lapsed', 'surrendered', 'matured', 'claimed', 'cancelled'],
  lapsed: ['active', 'surrendered', 'cancelled'],
  surrendered: [],
  matured: [],
  claimed: [],
  cancelled: [],
};

/** Statuses in which the proposal's terms (premium, sum assured, dates) may still change. */
export const EDITABLE_STATUSES: readonly PolicyStatus[] = ['draft', 'pending_approval', 'under_review'];

/** Statuses that accept a premium payment. */
export const PAYABLE_STATUSES: readonly PolicyStatus[] = ['approved', 'active', 'lapsed'];

export function isLegalMove(from: PolicyStatus, to: PolicyStatus): boolean {
  return LEGAL_MOVES[from].includes(to);
}

/** What the rules need to know about a policy besides its status. */
export interface PolicyFacts {
  readonly status: PolicyStatus;
  readonly next_payment_date: IsoDate | null;
  readonly grace_period_days: number;
  readonly revival_period_months: number;
  readonly maturity_date: IsoDate;
}

export interface Refusal {
  readonly code: ErrorCode;
  readonly message: string;
}

/** 'A draft policy', 'An active policy': the refusals below open with it. */
function aPolicyIn(status: PolicyStatus): string {
  return `${/^[aeiou]/.test(status) ? 'An' : 'A'} ${status} policy`;
}

/** Why `policy` may not move to `to` on `asOf`, or undefined when it may. */
export function refusalOfMove(policy: PolicyFacts, to: PolicyStatus, asOf: IsoDate): Refusal | undefined {
  if (!isLegalMove(policy.status, to)) {
    const legal = LEGAL_MOVES[policy.status];
    return {
      code: 'policy.illegal_transition',
      message: `${aPolicyIn(policy.status)} cannot become ${to}; ${legal.length ? `it can become ${legal.join(', ')}` : 'that status is final'}.`,
    };
  }
  if (policy.status === 'active' && to === 'lapsed'
    && !isPastGrace(policy.next_payment_date, policy.grace_period_days, asOf)) {
    return { code: 'policy.not_overdue', message: 'The policy is not past the grace period of an unpaid premium; it cannot lapse yet.' };
  }
  if (to === 'matured' && asOf < policy.maturity_date) {
    return { code: 'policy.not_matured', message: `The policy matures on ${policy.maturity_date}.` };
  }
  if (policy.status === 'lapsed' && to === 'active') return refusalOfRevival(policy, asOf);
  return undefined;
}

/** A lapsed policy is reinstated only within its revival window and once the premiums in arrears are paid. */
function refusalOfRevival(policy: PolicyFacts, asOf: IsoDate): Refusal | undefined {
  if (policy.next_payment_date && asOf > revivalDeadline(policy.next_payment_date, policy.revival_period_months)) {
    return { code: 'policy.revival_window_closed', message: 'The revival window of this lapsed policy has closed.' };
  }
  if (isPastGrace(policy.next_payment_date, policy.grace_period_days, asOf)) {
    return { code: 'policy.premium_overdue', message: 'Premiums in arrears must be paid before the policy is revived.' };
  }
  return undefined;
}

/** Why a premium paid on `paidOn` cannot be taken for this policy, or undefined when it can. */
export function refusalOfPayment(policy: PolicyFacts, paidOn: IsoDate): Refusal | undefined {
  if (!PAYABLE_STATUSES.includes(policy.status)) {
    return { code: 'payment.policy_not_payable', message: `${aPolicyIn(policy.status)} takes no premium payments.` };
  }
  if (policy.next_payment_date === null) {
    return { code: 'payment.nothing_due', message: 'Every premium of this policy is paid.' };
  }
  if (policy.status === 'lapsed' && paidOn > revivalDeadline(policy.next_payment_date, policy.revival_period_months)) {
    return { code: 'policy.revival_window_closed', message: 'The revival window of this lapsed policy has closed.' };
  }
  return undefined;
}

/**
 * The status a payment leaves the policy in, given its next due date after the payment: the first premium
 * makes an approved policy active, and clearing the arrears of a lapsed one revives it.
 */
export function statusAfterPayment(policy: PolicyFacts, nextDueAfter: IsoDate | null, asOf: IsoDate): PolicyStatus {
  if (policy.status === 'approved') return 'active';
  if (policy.status === 'lapsed' && !isPastGrace(nextDueAfter, policy.grace_period_days, asOf)) return 'active';
  return policy.status;
}
