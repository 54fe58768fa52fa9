import type { CreatePolicyBody, PolicyStatusBody } from '../schemas/policies.js';
import { resolveAgentForWrite } from '../src/agents/book-owner.js';
import type { Actor } from '../src/auth/actor.js';
import type { Tx } from '../src/db/scope.js';
import type { AppDeps } from '../src/deps.js';
import { recordPayment } from '../src/payments/service.js';
import { addDays, addMonths, businessToday, type IsoDate } from '../src/policies/calendar.js';
import { installmentDueDate, type PremiumTerms } from '../src/policies/premium-schedule.js';
import { createPolicy } from '../src/policies/service.js';
import { changePolicyStatus, lapseOverduePoliciesInTenant } from '../src/policies/status.js';
import { runAsSystem } from '../src/scope/run.js';

// A believable book for the demo agents of LIC and HDFC, written the way the product writes it: in the tenant's
// scope as the system, through the policy and payment services (proposal, approval, activation, one payment per
// instalment on its due date, the lapse run). Dates are relative to today, so the dashboard always has something
// due, something overdue, a lapsed policy and this month's collections. Idempotent: a tenant with policies is skipped.

type Frequency = CreatePolicyBody['premium_frequency'];

interface DemoPolicy {
  readonly agent: 'manager' | 'senior' | 'junior';
  readonly holder: { first_name: string; last_name: string; phone_number: string; email: string };
  readonly policy_type: CreatePolicyBody['policy_type'];
  readonly plan: 'endowment' | 'term' | 'health' | 'money_back' | 'ulip' | 'whole_life' | 'pension' | 'single';
  readonly premium: number;
  readonly frequency: Frequency;
  readonly term: number;
  readonly start: IsoDate;
  /** Instalments paid, each on its due date. */
  readonly paid: number;
  /** Where the policy ends up: active unless said otherwise (lapsed ones are lapsed by the lapse run). */
  readonly end?: 'proposal' | 'surrendered';
}

const PLANS: Record<string, Record<DemoPolicy['plan'], { name: string; code: string }>> = {
  LIC: {
    endowment: { name: 'Jeevan Anand', code: 'LIC-915' }, term: { name: 'Tech Term', code: 'LIC-854' },
    health: { name: 'Arogya Rakshak OPD', code: 'PLUM_OPD_2024' }, money_back: { name: 'Bima Shree', code: 'LIC-948' },
    ulip: { name: 'SIIP', code: 'LIC-852' }, whole_life: { name: 'Jeevan Umang', code: 'LIC-945' },
    pension: { name: 'Jeevan Shanti', code: 'LIC-858' }, single: { name: 'Single Premium Endowment', code: 'LIC-917' },
  },
  HDFC: {
    endowment: { name: 'Sanchay Plus', code: 'HDFC-SP' }, term: { name: 'Click 2 Protect Super', code: 'HDFC-C2PS' },
    health: { name: 'Optima Secure OPD', code: 'PLUM_OPD_2024' }, money_back: { name: 'Sanchay Par Advantage', code: 'HDFC-SPA' },
    ulip: { name: 'Click 2 Invest', code: 'HDFC-C2I' }, whole_life: { name: 'Sanchay Fixed Maturity', code: 'HDFC-SFM' },
    pension: { name: 'Smart Pension Plus', code: 'HDFC-SPP' }, single: { name: 'Guaranteed Wealth Plus', code: 'HDFC-GWP' },
  },
};

function demoBook(today: IsoDate): DemoPolicy[] {
  const person = (first_name: string, last_name: string, phone: string) => ({
    first_name, last_name, phone_number: `+91${phone}`, email: `${first_name}.${last_name}@example.in`.toLowerCase(),
  });
  const monthsBack = (months: number, plusDays = 0) => addDays(addMonths(today, -months), plusDays);
  return [
    // Jaya Rao (junior): up to date, overdue within grace, a health cover, a lapsed policy, paid today, a proposal.
    { agent: 'junior', holder: person('Anita', 'Desai', '9820012345'), policy_type: 'endowment', plan: 'endowment',
      premium: 2450, frequency: 'monthly', term: 20, start: monthsBack(8, 10), paid: 8 },
    { agent: 'junior', holder: person('Rahul', 'Verma', '9876501234'), policy_type: 'term_life', plan: 'term',
      premium: 12500, frequency: 'yearly', term: 30, start: monthsBack(24, -10), paid: 2 },
    { agent: 'junior', holder: person('Priya', 'Nair', '9845098450'), policy_type: 'health', plan: 'health',
      premium: 18000, frequency: 'yearly', term: 1, start: monthsBack(3), paid: 1 },
    { agent: 'junior', holder: person('Mohan', 'Lal', '9811122233'), policy_type: 'money_back', plan: 'money_back',
      premium: 6000, frequency: 'quarterly', term: 15, start: monthsBack(14), paid: 2 },
    { agent: 'junior', holder: person('Farah', 'Khan', '9833344455'), policy_type: 'term_life', plan: 'term',
      premium: 1500, frequency: 'monthly', term: 25, start: monthsBack(6), paid: 7 }, // today's premium collected
    { agent: 'junior', holder: person('Kavya', 'Iyer', '9900011122'), policy_type: 'ulip', plan: 'ulip',
      premium: 25000, frequency: 'half_yearly', term: 10, start: addDays(today, 7), paid: 0, end: 'proposal' },
    // Suresh Iyer (senior): two premiums due this week, a single-premium policy, a surrendered one.
    { agent: 'senior', holder: person('Deepak', 'Joshi', '9765432109'), policy_type: 'whole_life', plan: 'whole_life',
      premium: 3200, frequency: 'monthly', term: 40, start: monthsBack(5, 3), paid: 5 },
    { agent: 'senior', holder: person('Sneha', 'Kulkarni', '9822233344'), policy_type: 'pension', plan: 'pension',
      premium: 50000, frequency: 'half_yearly', term: 20, start: monthsBack(12, 2), paid: 2 },
    { agent: 'senior', holder: person('Arjun', 'Reddy', '9848012345'), policy_type: 'endowment', plan: 'single',
      premium: 150000, frequency: 'single', term: 10, start: monthsBack(1), paid: 1 },
    { agent: 'senior', holder: person('Vikram', 'Singh', '9810098100'), policy_type: 'endowment', plan: 'endowment',
      premium: 20000, frequency: 'yearly', term: 15, start: monthsBack(36, -20), paid: 3, end: 'surrendered' },
    // Rekha Menon (manager): a health cover coming up for renewal.
    { agent: 'manager', holder: person('Lakshmi', 'Pillai', '9444012345'), policy_type: 'health', plan: 'health',
      premium: 22000, frequency: 'yearly', term: 1, start: monthsBack(11, 10), paid: 1 },
  ];
}

async function insertPolicyholder(tx: Tx, actor: Actor, agentId: string, holder: DemoPolicy['holder']): Promise<string> {
  const owner = await resolveAgentForWrite(tx, actor, agentId);
  const [row] = await tx('policyholders').insert({
    ...holder, agent_id: owner.agent_id, agent_order: owner.pre_order, preferred_language: 'en', marketing_consent: true,
  }).returning('policyholder_id');
  return row.policyholder_id as string;
}

async function writeDemoPolicy(tx: Tx, actor: Actor, tenantCode: string, agentId: string, demo: DemoPolicy): Promise<void> {
  const holderId = await insertPolicyholder(tx, actor, agentId, demo.holder);
  const plan = (PLANS[tenantCode] ?? PLANS.LIC)![demo.plan];
  const policy = await createPolicy(tx, actor, {
    policyholder_id: holderId, policy_type: demo.policy_type, plan_name: plan.name, plan_code: plan.code,
    sum_assured: demo.premium * (demo.frequency === 'single' ? 5 : 40), premium_amount: demo.premium,
    premium_frequency: demo.frequency, policy_term_years: demo.term, start_date: demo.start,
    application_date: demo.start < businessToday() ? addDays(demo.start, -14) : businessToday(),
    nominee_details: { name: `${demo.holder.first_name}'s spouse`, relation: 'spouse', share_percent: 100 },
  });
  const move = (status: PolicyStatusBody['status']) => changePolicyStatus(tx, actor, policy.policy_id, { status, reason: 'demo data' });
  await move('pending_approval');
  if (demo.end === 'proposal') return;
  await move('approved');
  await move('active');
  const terms: PremiumTerms = {
    start_date: demo.start, premium_frequency: demo.frequency, policy_term_years: demo.term,
    premium_paying_term_years: demo.frequency === 'single' ? 1 : demo.term,
  };
  for (let index = 0; index < demo.paid; index += 1) {
    await recordPayment(tx, actor, {
      policy_id: policy.policy_id, amount: demo.premium, payment_method: index % 2 ? 'upi' : 'nach',
      payment_gateway: index % 2 ? 'razorpay' : undefined, payment_date: installmentDueDate(terms, index),
    }, `demo-${policy.policy_number}-${index}`);
  }
  if (demo.end === 'surrendered') await move('surrendered');
}

/** Gives the demo tenant its book once; returns how many policies were written (0 when it already had some). */
export async function seedDemoBook(deps: Pick<AppDeps, 'db' | 'log' | 'tenants'>, tenantCode: string): Promise<number> {
  const tenant = await deps.tenants.byCode(tenantCode);
  if (!tenant) return 0;
  return runAsSystem(deps, tenant, 'seed', async ({ tx, actor }) => {
    if (await tx('policies').first('policy_id')) return 0;
    const agents: { agent_id: string; agent_code: string }[] = await tx('agents').select('agent_id', 'agent_code');
    const agentOf = (role: DemoPolicy['agent']) => agents.find((agent) => agent.agent_code === `${tenantCode}-${
      { manager: 'RM-001', senior: 'SA-001', junior: 'JA-001' }[role]}`)?.agent_id;
    const book = demoBook(businessToday());
    for (const demo of book) {
      const agentId = agentOf(demo.agent);
      if (agentId) await writeDemoPolicy(tx, actor, tenantCode, agentId, demo);
    }
    await lapseOverduePoliciesInTenant(tx, actor);
    return book.length;
  });
}
