import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { inOwnerTransaction } from '../../src/db/privileged.js';
import { enterTenant } from '../../src/db/scope.js';
import { bearer, type TestTenant } from './actors.js';
import { API, api, testDeps } from './context.js';

// Arranging a family for claims tests: a policyholder in an agent's book with a health policy, written on the
// privileged path like the seeds (the book's own endpoints are tested where they are built).

export const PLUM_TERMS = JSON.parse(readFileSync(new URL('../../seeds/policy-terms/PLUM_OPD_2024.json', import.meta.url), 'utf8'));

export async function addTerms(tenant: TestTenant, terms: Record<string, unknown> = PLUM_TERMS): Promise<void> {
  const res = await api().post(`${API}/claims/policy-terms`).set(...bearer(tenant.admin.token)).send(terms);
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
}

export interface Family { readonly policyholder_id: string; readonly policy_id: string | null }

export async function arrangeFamily(tenant: TestTenant, agentId: string,
  options: { plan_code?: string | null; start_date?: string; status?: string; name?: [string, string] } = {}): Promise<Family> {
  return inOwnerTransaction(testDeps().db, async (tx) => {
    await enterTenant(tx, tenant);
    const { pre_order: agentOrder } = await tx('agents').first('pre_order').where({ agent_id: agentId });
    const [first, last] = options.name ?? ['Rajesh', 'Kumar'];
    const [holder] = await tx('policyholders').insert({ agent_id: agentId, agent_order: agentOrder, first_name: first, last_name: last,
      date_of_birth: '1988-04-12', gender: 'male' }).returning('policyholder_id');
    const policyholderId = (holder as { policyholder_id: string }).policyholder_id;
    if (options.plan_code === null) return { policyholder_id: policyholderId, policy_id: null };
    const start = options.start_date ?? '2025-01-01';
    const [policy] = await tx('policies').insert({
      agent_id: agentId, agent_order: agentOrder, policyholder_id: policyholderId, policy_number: `H-${crypto.randomBytes(5).toString('hex')}`,
      policy_type: 'health', category: 'health', plan_name: 'Group OPD', plan_code: options.plan_code ?? 'PLUM_OPD_2024',
      sum_assured: '500000.00', premium_amount: '12000.00', premium_frequency: 'yearly', premium_mode: 'regular', policy_term_years: 5,
      premium_paying_term_years: 5, grace_period_days: 30, revival_period_months: 24, application_date: start, start_date: start,
      maturity_date: '2030-01-01', renewal_date: '2026-01-01', status: options.status ?? 'active', installments_total: 5,
    }).returning('policy_id');
    return { policyholder_id: policyholderId, policy_id: (policy as { policy_id: string }).policy_id };
  });
}

/** A plain general OPD claim (consultation and tests, Rs 1,500), treated and submitted in November 2026. */
export function consultationClaim(policyholderId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    policyholder_id: policyholderId, treatment_date: '2026-11-20', submission_date: '2026-11-25', claimed_amount: 1500,
    documents: {
      prescription: { doctor_name: 'Dr. Sharma', doctor_reg: 'KA/45678/2015', diagnosis: 'Viral fever',
        medicines_prescribed: ['Paracetamol 650mg'], tests_prescribed: ['CBC'] },
      bill: { consultation_fee: 1000, diagnostic_tests: 500, test_names: ['CBC'] },
    },
    ...overrides,
  };
}
