import crypto from 'node:crypto';
import type { CreatePaymentBody, Payment, PaymentListQuery, ReconcileBody, RefundBody } from '../../schemas/payments.js';
import { authorize } from '../auth/ability.js';
import type { Actor } from '../auth/actor.js';
import type { Page } from '../db/pagination.js';
import type { Tx } from '../db/scope.js';
import { BusinessRuleError, ConflictError, NotFoundError } from '../errors.js';
import { toNumeric, toPaise } from '../money.js';
import { businessToday, type IsoDate } from '../policies/calendar.js';
import { refusalOfPayment, statusAfterPayment } from '../policies/lifecycle.js';
import { installmentsPaidBy, nextDueDate, renewalDate, type PremiumTerms } from '../policies/premium-schedule.js';
import { updatePolicy, type PolicyRecord, type PolicyValues } from '../policies/repository.js';
import { visiblePolicy } from '../policies/service.js';
import { moveStatus, policyFacts } from '../policies/status.js';
import {
  findPayment, findPaymentByRetryKeys, insertPaymentOnce, lastCompletedPaymentDate, listPayments, updatePayment,
  type PaymentRow,
} from './repository.js';
import { paymentView } from './view.js';

// Premium payments. Recording one is exactly-once per Idempotency-Key or gateway_transaction_id: the policy's
// row lock serialises payments of a policy, a retry finds the first payment and gets it back, and the unique
// keys settle races between policies. A completed payment moves the policy's account in the same transaction;
// a refund moves it back.

export interface RecordedPayment {
  readonly payment: Payment;
  /** True when this request repeated an earlier one and got the first payment back. */
  readonly replayed: boolean;
}

/** The body as a stable fingerprint: a retry must send the same payment, field for field. */
function fingerprint(body: CreatePaymentBody): string {
  const canonical = JSON.stringify(Object.keys(body).sort().map((key) => [key, body[key as keyof CreatePaymentBody]]));
  return crypto.createHash('sha256').update(canonical).digest('hex');
}

function replayOf(existing: PaymentRow, print: string): RecordedPayment {
  if (existing.request_fingerprint !== print) {
    throw new BusinessRuleError('This Idempotency-Key or gateway_transaction_id was used for a different payment.', [],
      { code: 'payment.idempotency_conflict' });
  }
  return { payment: paymentView(existing), replayed: true };
}

const SETTLED_STATUSES: readonly string[] = ['surrendered', 'matured', 'claimed'];

function termsOf(policy: PolicyRecord): PremiumTerms {
  return {
    start_date: policy.start_date,
    premium_frequency: policy.premium_frequency as PremiumTerms['premium_frequency'],
    policy_term_years: policy.policy_term_years,
    premium_paying_term_years: policy.premium_paying_term_years,
  };
}

export async function recordPayment(tx: Tx, actor: Actor, body: CreatePaymentBody, idempotencyKey: string | null):
  Promise<RecordedPayment> {
  authorize(actor.ability, 'create', 'Payment');
  const today = businessToday();
  const paidOn = body.payment_date ?? today; // not in the future: the schema checks it
  const print = fingerprint(body);
  const retryKeys = { idempotency_key: idempotencyKey, gateway_transaction_id: body.gateway_transaction_id ?? null };
  const policy = await visiblePolicy(tx, body.policy_id, today, true);
  const earlier = await findPaymentByRetryKeys(tx, retryKeys);
  if (earlier) return replayOf(earlier, print);

  const refusal = refusalOfPayment(policyFacts(policy), paidOn);
  if (refusal) throw new BusinessRuleError(refusal.message, [], { code: refusal.code });
  // A first premium may come with the proposal, and a policy entered after the fact (application today, start in the
  // past) has premiums from its start: before both is a typing error (a 2001 receipt for a 2026 policy).
  const earliest = policy.application_date < policy.start_date ? policy.application_date : policy.start_date;
  if (paidOn < earliest) {
    throw new BusinessRuleError(`A premium of this policy cannot be received before ${earliest}, its application or start date.`,
      [{ path: 'body.payment_date', message: `must not be before ${earliest} (the policy's application or start date, the earlier)` }],
      { code: 'payment.before_application' });
  }
  // Instalments are paid in order, so the one this payment pays first is the policy's next due; a due_date naming
  // another would record the payment against an instalment it did not pay.
  if (body.due_date !== undefined && body.due_date !== policy.next_payment_date) {
    throw new BusinessRuleError(`This payment pays the instalment due on ${policy.next_payment_date} first, not one due on ${body.due_date}.`,
      [{ path: 'body.due_date', message: `must be ${policy.next_payment_date}, the policy's next due date (or left out)` }],
      { code: 'payment.due_date_mismatch' });
  }
  const premium = toPaise(policy.premium_amount);
  const remaining = policy.installments_total - policy.installments_paid;
  const covered = installmentsPaidBy(toPaise(body.amount), premium, remaining);
  if (covered === undefined) {
    throw new BusinessRuleError(`The amount must be a whole number of premiums of ${toNumeric(premium)}, at most ${remaining}.`,
      [{ path: 'body.amount', message: `must be a multiple of ${toNumeric(premium)} up to ${toNumeric(premium * remaining)}` }],
      { code: 'payment.amount_mismatch' });
  }
  const inserted = await insertPaymentOnce(tx, {
    ...retryKeys, request_fingerprint: print,
    policy_id: policy.policy_id, policyholder_id: policy.policyholder_id, agent_id: policy.agent_id, agent_order: policy.agent_order,
    amount: toNumeric(toPaise(body.amount)), payment_date: paidOn, due_date: body.due_date ?? policy.next_payment_date,
    installments_covered: covered, payment_method: body.payment_method, payment_gateway: body.payment_gateway ?? null,
    status: 'completed', created_by: actor.user_id,
  });
  if (!inserted) {
    // The key was taken between our look and our insert, for another policy or out of the caller's sight.
    const taken = await findPaymentByRetryKeys(tx, retryKeys);
    if (taken) return replayOf(taken, print);
    throw new BusinessRuleError('This Idempotency-Key or gateway_transaction_id is already in use.', [],
      { code: 'payment.idempotency_conflict' });
  }
  await creditPolicy(tx, actor, policy, inserted, today);
  return { payment: paymentView(inserted), replayed: false };
}

/** A completed payment: more instalments paid, the next due date moves on; the first premium or a revival activates. */
async function creditPolicy(tx: Tx, actor: Actor, policy: PolicyRecord, payment: PaymentRow, today: IsoDate): Promise<void> {
  const paid = policy.installments_paid + payment.installments_covered;
  const nextDue = nextDueDate(termsOf(policy), paid);
  const values: PolicyValues = {
    installments_paid: paid,
    total_payments: policy.total_payments + 1,
    total_premium_paid: toNumeric(toPaise(policy.total_premium_paid) + toPaise(payment.amount)),
    last_payment_date: policy.last_payment_date && policy.last_payment_date > payment.payment_date
      ? policy.last_payment_date : payment.payment_date,
    next_payment_date: nextDue,
    renewal_date: renewalDate(termsOf(policy), paid),
  };
  const status = statusAfterPayment(policyFacts(policy), nextDue, today);
  if (status === policy.status) {
    await updatePolicy(tx, policy.policy_id, { ...values, updated_by: actor.user_id });
    return;
  }
  const reason = policy.status === 'lapsed' ? 'revived by payment' : 'first premium received';
  await moveStatus(tx, policy, status, { reason, source: 'payment', changed_by: actor.user_id }, today, values);
}

/** A payment the caller can see, or 404. */
async function visiblePayment(tx: Tx, paymentId: string, forUpdate = false): Promise<PaymentRow> {
  const payment = await findPayment(tx, paymentId, { forUpdate });
  if (!payment) throw new NotFoundError('No such payment.', { code: 'payment.not_found' });
  return payment;
}

export async function getPayment(tx: Tx, actor: Actor, paymentId: string): Promise<Payment> {
  authorize(actor.ability, 'read', 'Payment');
  return paymentView(await visiblePayment(tx, paymentId));
}

export async function listPaymentPage(tx: Tx, actor: Actor, query: PaymentListQuery): Promise<Page<Payment>> {
  authorize(actor.ability, 'read', 'Payment');
  const page = await listPayments(tx, query);
  return { data: page.data.map(paymentView), next_cursor: page.next_cursor };
}

export async function listPaymentsOfPolicy(tx: Tx, actor: Actor, policyId: string, query: { limit: number; cursor?: string | undefined }):
  Promise<Page<Payment>> {
  authorize(actor.ability, 'read', 'Payment');
  await visiblePolicy(tx, policyId, businessToday());
  const page = await listPayments(tx, { ...query, policy_id: policyId });
  return { data: page.data.map(paymentView), next_cursor: page.next_cursor };
}

/** Marks a completed payment as matched with the bank's or gateway's settlement; a repeat changes nothing. */
export async function reconcilePayment(tx: Tx, actor: Actor, paymentId: string, body: ReconcileBody): Promise<Payment> {
  authorize(actor.ability, 'reconcile', 'Payment');
  const payment = await visiblePayment(tx, paymentId, true);
  if (payment.reconciled) return paymentView(payment);
  if (payment.status !== 'completed') {
    throw new ConflictError(`A ${payment.status} payment cannot be reconciled.`, { code: 'payment.not_reconcilable' });
  }
  return paymentView(await updatePayment(tx, paymentId, {
    reconciled: true, reconciled_at: tx.fn.now(), reconciled_by: actor.user_id, reconciliation_reference: body.reference ?? null,
  }));
}

/**
 * Refunds a completed payment and takes its effect off the policy: its instalments are unpaid again, the totals
 * and next due date move back. The status is left alone; if premiums are now overdue past grace, the lapse job acts.
 */
export async function refundPayment(tx: Tx, actor: Actor, paymentId: string, body: RefundBody): Promise<Payment> {
  authorize(actor.ability, 'refund', 'Payment');
  const seen = await visiblePayment(tx, paymentId);
  // Policy first, then payment: the order recordPayment locks in, so the two cannot deadlock.
  const today = businessToday();
  const policy = await visiblePolicy(tx, seen.policy_id, today, true);
  const payment = await visiblePayment(tx, paymentId, true);
  if (payment.status !== 'completed') {
    throw new ConflictError(`A ${payment.status} payment cannot be refunded.`, { code: 'payment.not_refundable' });
  }
  // A surrendered, matured or claimed policy has paid out on the premiums it took: its account is closed. (A
  // cancelled one may still return its premiums, as on a free-look cancellation.)
  if (SETTLED_STATUSES.includes(policy.status)) {
    throw new ConflictError(`A payment of a ${policy.status} policy cannot be refunded: the policy has paid out on its premiums.`,
      { code: 'payment.not_refundable' });
  }
  const refunded = await updatePayment(tx, paymentId, {
    status: 'refunded', refunded_at: tx.fn.now(), refunded_by: actor.user_id, refund_reason: body.reason,
  });
  const paid = Math.max(0, policy.installments_paid - payment.installments_covered);
  await updatePolicy(tx, policy.policy_id, {
    installments_paid: paid,
    total_payments: Math.max(0, policy.total_payments - 1),
    total_premium_paid: toNumeric(Math.max(0, toPaise(policy.total_premium_paid) - toPaise(payment.amount))),
    last_payment_date: await lastCompletedPaymentDate(tx, policy.policy_id),
    next_payment_date: nextDueDate(termsOf(policy), paid),
    renewal_date: renewalDate(termsOf(policy), paid),
    updated_by: actor.user_id,
  });
  return paymentView(refunded);
}
