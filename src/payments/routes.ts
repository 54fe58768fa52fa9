import {
  CreatePaymentBody, IdempotencyKey, Payment, PaymentListQuery, PaymentPage, PaymentParams, ReconcileBody, RefundBody,
} from '../../schemas/payments.js';
import { ValidationError } from '../errors.js';
import { problemResponse as problem, scopedEndpoint, type Endpoint } from '../http/endpoint.js';
import {
  getPayment, listPaymentPage, reconcilePayment, recordPayment, refundPayment,
} from './service.js';

const COMMON = {
  400: problem('Invalid input; every offending field is listed'),
  401: problem('Not signed in'),
  403: problem('Not allowed (or a platform token)'),
};
const ONE_PAYMENT = { ...COMMON, 404: problem('No such payment, or not in your book') };

export const paymentEndpoints: Endpoint[] = [
  scopedEndpoint({
    method: 'post', path: '/payments', tag: 'payments', access: 'tenant', body: CreatePaymentBody,
    headers: { 'Idempotency-Key': {
      description: 'Retry token: a repeat with the same key (or gateway_transaction_id) returns the first payment', schema: IdempotencyKey } },
    summary: 'Record a premium payment, exactly once; it pays whole instalments and moves the policy on',
    responses: { 201: { description: 'The payment (the first one again on a repeat, with Idempotent-Replayed: true)', schema: Payment },
      ...COMMON, 404: problem('No such policy in your book'),
      422: problem('payment.idempotency_conflict, payment.amount_mismatch, payment.policy_not_payable, payment.nothing_due, '
        + 'payment.before_application, payment.due_date_mismatch, policy.revival_window_closed') },
  }, async ({ tx, actor, body, req }) => {
    // Checked against IdempotencyKey with the body (spec.headers), so any bad field and a bad key come in one 400.
    const recorded = await recordPayment(tx, actor, body, req.get('idempotency-key') ?? null);
    const headers: Record<string, string> = recorded.replayed ? { 'Idempotent-Replayed': 'true' } : {};
    return { status: 201, body: recorded.payment, headers };
  }),

  scopedEndpoint({
    method: 'get', path: '/payments', tag: 'payments', access: 'tenant', query: PaymentListQuery,
    summary: 'Payments in your book, by policy, policyholder, agent, status, reconciliation and payment date range',
    responses: { 200: { description: 'A page of payments', schema: PaymentPage }, ...COMMON },
  }, async ({ tx, actor, query }) => {
    if (query.from && query.to && query.from > query.to) throw new ValidationError([{ path: 'query.to', message: 'must not be before from' }]);
    return { body: await listPaymentPage(tx, actor, query) };
  }),

  scopedEndpoint({
    method: 'get', path: '/payments/:payment_id', tag: 'payments', access: 'tenant', params: PaymentParams,
    summary: 'One payment',
    responses: { 200: { description: 'The payment', schema: Payment }, ...ONE_PAYMENT },
  }, async ({ tx, actor, params }) => ({ body: await getPayment(tx, actor, params.payment_id) })),

  scopedEndpoint({
    method: 'post', path: '/payments/:payment_id/reconcile', tag: 'payments', access: 'tenant', params: PaymentParams,
    body: ReconcileBody,
    summary: "Mark a completed payment as matched with the bank's or gateway's settlement (a repeat changes nothing)",
    responses: { 200: { description: 'The reconciled payment', schema: Payment }, ...ONE_PAYMENT,
      409: problem('payment.not_reconcilable: the payment is not completed') },
  }, async ({ tx, actor, params, body }) => ({ body: await reconcilePayment(tx, actor, params.payment_id, body) })),

  scopedEndpoint({
    method: 'post', path: '/payments/:payment_id/refund', tag: 'payments', access: 'tenant', params: PaymentParams,
    body: RefundBody,
    summary: "Refund a completed payment; its instalments become unpaid again and the policy's account moves back",
    responses: { 200: { description: 'The refunded payment', schema: Payment }, ...ONE_PAYMENT,
      409: problem('payment.not_refundable: the payment is not completed, or its policy has paid out (surrendered, matured, claimed)') },
  }, async ({ tx, actor, params, body }) => ({ body: await refundPayment(tx, actor, params.payment_id, body) })),
];
