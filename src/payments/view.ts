import type { Payment } from '../../schemas/payments.js';
import { toPaise, toRupees } from '../money.js';
import type { PaymentRow } from './repository.js';

/** A payment as the API shows it: NUMERIC as JSON rupees, without the internal fingerprint and agent number. */
export function paymentView(row: PaymentRow): Payment {
  return {
    payment_id: row.payment_id,
    tenant_id: row.tenant_id,
    policy_id: row.policy_id,
    policyholder_id: row.policyholder_id,
    agent_id: row.agent_id,
    amount: toRupees(toPaise(row.amount)),
    currency: row.currency,
    payment_date: row.payment_date,
    due_date: row.due_date,
    installments_covered: row.installments_covered,
    payment_method: row.payment_method as Payment['payment_method'],
    payment_gateway: row.payment_gateway,
    gateway_transaction_id: row.gateway_transaction_id,
    idempotency_key: row.idempotency_key,
    status: row.status as Payment['status'],
    reconciled: row.reconciled,
    reconciled_at: row.reconciled_at?.toISOString() ?? null,
    reconciled_by: row.reconciled_by,
    reconciliation_reference: row.reconciliation_reference,
    refunded_at: row.refunded_at?.toISOString() ?? null,
    refunded_by: row.refunded_by,
    refund_reason: row.refund_reason,
    created_by: row.created_by,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}
