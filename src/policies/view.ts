import type { Policy } from '../../schemas/policies.js';
import { toPaise, toRupees } from '../money.js';
import type { PolicyRecord, StatusChangeRow } from './repository.js';

// Policies as the API shows them: NUMERIC money as JSON rupees (through paise, never a float parse of the text).

const rupees = (numeric: string): number => toRupees(toPaise(numeric));

export function policyView(row: PolicyRecord): Policy {
  return {
    policy_id: row.policy_id,
    tenant_id: row.tenant_id,
    policy_number: row.policy_number,
    provider_policy_id: row.provider_policy_id,
    policyholder_id: row.policyholder_id,
    agent_id: row.agent_id,
    policy_type: row.policy_type as Policy['policy_type'],
    category: row.category as Policy['category'],
    plan_name: row.plan_name,
    plan_code: row.plan_code,
    sum_assured: rupees(row.sum_assured),
    premium_amount: rupees(row.premium_amount),
    premium_frequency: row.premium_frequency as Policy['premium_frequency'],
    premium_mode: row.premium_mode as Policy['premium_mode'],
    policy_term_years: row.policy_term_years,
    premium_paying_term_years: row.premium_paying_term_years,
    grace_period_days: row.grace_period_days,
    revival_period_months: row.revival_period_months,
    application_date: row.application_date,
    approval_date: row.approval_date,
    approved_by: row.approved_by,
    start_date: row.start_date,
    maturity_date: row.maturity_date,
    renewal_date: row.renewal_date,
    status: row.status,
    status_changed_at: row.status_changed_at.toISOString(),
    lapsed_on: row.lapsed_on,
    installments_total: row.installments_total,
    installments_paid: row.installments_paid,
    total_payments: row.total_payments,
    total_premium_paid: rupees(row.total_premium_paid),
    last_payment_date: row.last_payment_date,
    next_payment_date: row.next_payment_date,
    grace_period_ends: row.grace_period_ends,
    outstanding_amount: rupees(row.outstanding_amount),
    coverage_details: row.coverage_details,
    exclusions: row.exclusions,
    nominee_details: row.nominee_details,
    created_by: row.created_by,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

export function statusChangeView(row: StatusChangeRow) {
  return { ...row, changed_at: row.changed_at.toISOString() };
}
