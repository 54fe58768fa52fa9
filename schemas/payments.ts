import { z } from 'zod';
import { IdParams, ListQuery, page, Rupees, Timestamp, Uuid } from './common.js';
import { CalendarDate, PastCalendarDate } from './policies.js';

// Premium payments. Money is rupees on the wire (two decimals at most), NUMERIC in the database, paise in code.

export const PAYMENT_METHODS = ['upi', 'net_banking', 'credit_card', 'debit_card', 'wallet', 'nach', 'cheque', 'cash'] as const;
export const PAYMENT_STATUSES = ['pending', 'processing', 'completed', 'failed', 'refunded', 'cancelled'] as const;

export const PaymentStatus = z.enum(PAYMENT_STATUSES);

/** The Idempotency-Key header: a client's retry token for one payment. */
export const IdempotencyKey = z.string().regex(/^[\x21-\x7e]{1,255}$/, 'must be 1 to 255 printable ASCII characters without spaces');

export const CreatePaymentBody = z.object({
  policy_id: Uuid,
  amount: Rupees.refine((value) => value > 0, 'must be more than 0')
    .describe('A whole number of premiums (instalments) still to be paid'),
  payment_method: z.enum(PAYMENT_METHODS),
  payment_gateway: z.string().trim().min(1, 'must not be empty').max(50).optional(),
  gateway_transaction_id: z.string().trim().min(1, 'must not be empty').max(255).optional()
    .describe("The gateway's id of the transaction: unique in the tenant; a repeat returns the first payment"),
  due_date: CalendarDate.optional().describe("The instalment's due date; defaults to the policy's next due date"),
  payment_date: PastCalendarDate.optional().describe('The day the money was received; defaults to today (India), never later'),
}).strict();
export type CreatePaymentBody = z.infer<typeof CreatePaymentBody>;

export const PaymentParams = IdParams('payment_id');

export const PaymentListQuery = ListQuery.extend({
  policy_id: Uuid.optional(),
  policyholder_id: Uuid.optional(),
  agent_id: Uuid.optional(),
  status: PaymentStatus.optional(),
  reconciled: z.enum(['true', 'false']).transform((value) => value === 'true').optional(),
  from: CalendarDate.optional().describe('payment_date on or after'),
  to: CalendarDate.optional().describe('payment_date on or before'),
}).strict();
export type PaymentListQuery = z.infer<typeof PaymentListQuery>;

export const PolicyPaymentListQuery = ListQuery.strict();

export const ReconcileBody = z.object({
  reference: z.string().trim().min(1, 'must not be empty').max(100).optional().describe("The bank statement's or settlement's reference"),
}).strict();
export type ReconcileBody = z.infer<typeof ReconcileBody>;

export const RefundBody = z.object({
  reason: z.string().trim().min(1, 'must not be empty').max(500),
}).strict();
export type RefundBody = z.infer<typeof RefundBody>;

export const Payment = z.object({
  payment_id: Uuid,
  tenant_id: Uuid,
  policy_id: Uuid,
  policyholder_id: Uuid,
  agent_id: Uuid,
  amount: Rupees,
  currency: z.literal('INR'),
  payment_date: CalendarDate,
  due_date: CalendarDate.nullable(),
  installments_covered: z.number().int(),
  payment_method: z.enum(PAYMENT_METHODS),
  payment_gateway: z.string().nullable(),
  gateway_transaction_id: z.string().nullable(),
  idempotency_key: z.string().nullable(),
  status: PaymentStatus,
  reconciled: z.boolean(),
  reconciled_at: Timestamp.nullable(),
  reconciled_by: Uuid.nullable(),
  reconciliation_reference: z.string().nullable(),
  refunded_at: Timestamp.nullable(),
  refunded_by: Uuid.nullable(),
  refund_reason: z.string().nullable(),
  created_by: Uuid.nullable(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type Payment = z.infer<typeof Payment>;
export const PaymentPage = page(Payment);
