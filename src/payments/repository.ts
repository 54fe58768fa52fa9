import type { Tx } from '../db/scope.js';
import { paginate, type Page } from '../db/pagination.js';
import type { IsoDate } from '../policies/calendar.js';

// SQL for premium payments. Row-level security limits every statement to the caller's part of the book.

export interface PaymentRow {
  readonly payment_id: string;
  readonly tenant_id: string;
  readonly agent_id: string;
  readonly agent_order: number;
  readonly policy_id: string;
  readonly policyholder_id: string;
  readonly amount: string;
  readonly currency: 'INR';
  readonly payment_date: IsoDate;
  readonly due_date: IsoDate | null;
  readonly installments_covered: number;
  readonly payment_method: string;
  readonly payment_gateway: string | null;
  readonly gateway_transaction_id: string | null;
  readonly idempotency_key: string | null;
  readonly request_fingerprint: string;
  readonly status: string;
  readonly reconciled: boolean;
  readonly reconciled_at: Date | null;
  readonly reconciled_by: string | null;
  readonly reconciliation_reference: string | null;
  readonly refunded_at: Date | null;
  readonly refunded_by: string | null;
  readonly refund_reason: string | null;
  readonly created_by: string | null;
  readonly created_at: Date;
  readonly updated_at: Date;
}

export type NewPayment = Omit<PaymentRow, 'payment_id' | 'tenant_id' | 'currency' | 'reconciled' | 'reconciled_at'
  | 'reconciled_by' | 'reconciliation_reference' | 'refunded_at' | 'refunded_by' | 'refund_reason' | 'created_at' | 'updated_at'>;

/**
 * Inserts unless the Idempotency-Key or gateway_transaction_id is taken (by a visible row or not): ON CONFLICT DO
 * NOTHING waits for a concurrent insert of the same key to commit, then yields nothing instead of an error.
 */
export async function insertPaymentOnce(tx: Tx, payment: NewPayment): Promise<PaymentRow | undefined> {
  const [row] = await tx('premium_payments').insert(payment).onConflict().ignore().returning('*');
  return row;
}

/** The payment recorded under this Idempotency-Key or gateway transaction id, if the caller can see it. */
export async function findPaymentByRetryKeys(tx: Tx, keys: { idempotency_key: string | null; gateway_transaction_id: string | null }):
  Promise<PaymentRow | undefined> {
  if (!keys.idempotency_key && !keys.gateway_transaction_id) return undefined;
  return tx('premium_payments').first('*').where((query) => {
    if (keys.idempotency_key) query.orWhere({ idempotency_key: keys.idempotency_key });
    if (keys.gateway_transaction_id) query.orWhere({ gateway_transaction_id: keys.gateway_transaction_id });
  }).orderBy('created_at');
}

export async function findPayment(tx: Tx, paymentId: string, options: { forUpdate?: boolean } = {}): Promise<PaymentRow | undefined> {
  const query = tx('premium_payments').first('*').where({ payment_id: paymentId });
  return options.forUpdate ? query.forUpdate() : query;
}

export async function updatePayment(tx: Tx, paymentId: string, values: Record<string, unknown>): Promise<PaymentRow> {
  const [row] = await tx('premium_payments').where({ payment_id: paymentId }).update({ ...values, updated_at: tx.fn.now() }).returning('*');
  return row;
}

/** The latest day a completed payment of the policy was made, after a refund took one away. */
export async function lastCompletedPaymentDate(tx: Tx, policyId: string): Promise<IsoDate | null> {
  const row = await tx('premium_payments').where({ policy_id: policyId, status: 'completed' })
    .max<{ last: IsoDate | null }>({ last: 'payment_date' }).first();
  return row?.last ?? null;
}

export interface PaymentListFilter {
  readonly limit: number;
  readonly cursor?: string | undefined;
  readonly policy_id?: string | undefined;
  readonly policyholder_id?: string | undefined;
  readonly agent_id?: string | undefined;
  readonly status?: string | undefined;
  readonly reconciled?: boolean | undefined;
  readonly from?: IsoDate | undefined;
  readonly to?: IsoDate | undefined;
}

export async function listPayments(tx: Tx, filter: PaymentListFilter): Promise<Page<PaymentRow>> {
  const query = tx('premium_payments').select('*');
  for (const column of ['policy_id', 'policyholder_id', 'agent_id', 'status', 'reconciled'] as const) {
    if (filter[column] !== undefined) query.where(column, filter[column]);
  }
  if (filter.from) query.where('payment_date', '>=', filter.from);
  if (filter.to) query.where('payment_date', '<=', filter.to);
  return paginate<PaymentRow>(query, 'payment_id', { ...filter, newestFirst: true });
}
