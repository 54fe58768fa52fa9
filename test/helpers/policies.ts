import crypto from 'node:crypto';
import { expect } from 'chai';
import type { z } from 'zod';
import type { PolicyWithHistory } from '../../schemas/policies.js';
import { inOwnerTransaction } from '../../src/db/privileged.js';
import { enterTenant } from '../../src/db/scope.js';
import { addDays, addMonths, businessToday } from '../../src/policies/calendar.js';
import { bearer, type TestTenant } from './actors.js';
import { API, api, testDeps } from './context.js';

type PolicyJson = z.infer<typeof PolicyWithHistory>;

// Arranging an agent's book for policy and payment tests: policyholders through the privileged path (as the
// seeds do), policies and their moves through the API.

export const today = businessToday;
export const daysAgo = (days: number) => addDays(businessToday(), -days);
export const monthsAgo = (months: number) => addMonths(businessToday(), -months);

/** A policyholder in `agentId`'s book. */
export async function createTestPolicyholder(tenant: TestTenant, agentId: string, firstName = 'Asha'): Promise<string> {
  return inOwnerTransaction(testDeps().db, async (tx) => {
    await enterTenant(tx, tenant);
    const agent = await tx('agents').first('pre_order').where({ agent_id: agentId });
    const [row] = await tx('policyholders').insert({
      agent_id: agentId, agent_order: agent.pre_order, first_name: firstName, last_name: 'Test',
      customer_id: `C-${crypto.randomBytes(5).toString('hex')}`,
    }).returning('policyholder_id');
    return row.policyholder_id as string;
  });
}

export function policyBody(policyholderId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    policyholder_id: policyholderId, policy_type: 'endowment', plan_name: 'Jeevan Anand', plan_code: 'LIC-915',
    sum_assured: 500000, premium_amount: 2500.5, premium_frequency: 'monthly', policy_term_years: 15,
    start_date: today(), ...overrides,
  };
}

export async function createPolicy(token: string, body: Record<string, unknown>): Promise<PolicyJson> {
  const res = await api().post(`${API}/policies`).set(...bearer(token)).send(body);
  expect(res.status, res.text).to.equal(201);
  return res.body;
}

export async function moveTo(token: string, policyId: string, ...statuses: string[]): Promise<PolicyJson> {
  let body = {} as PolicyJson;
  for (const status of statuses) {
    const res = await api().post(`${API}/policies/${policyId}/status`).set(...bearer(token)).send({ status, reason: 'test' });
    expect(res.status, `${status}: ${res.text}`).to.equal(200);
    body = res.body;
  }
  return body;
}

/** A policy taken from draft to active by `token` (who must be allowed to approve). */
export async function activePolicy(token: string, body: Record<string, unknown>): Promise<PolicyJson> {
  const policy = await createPolicy(token, body);
  return moveTo(token, policy.policy_id, 'pending_approval', 'approved', 'active');
}

export async function pay(token: string, body: Record<string, unknown>, key?: string) {
  const request = api().post(`${API}/payments`).set(...bearer(token));
  if (key) request.set('Idempotency-Key', key);
  return request.send(body);
}
