import { expect } from 'chai';
import { bearer, createTestTenant, createTestUser } from '../helpers/actors.js';
import { addTerms, arrangeFamily, PLUM_TERMS } from '../helpers/claims.js';
import { API, api } from '../helpers/context.js';

// Limits can't be overspent: claims of one family are decided one after another under a lock on the family's
// policyholder row, each seeing what the previous ones were approved.

describe('claims: 20 parallel claims against one member never approve more than the annual limit', () => {
  it('approves exactly Rs 50,000 in total out of 20 x Rs 4,000, whatever the interleaving', async () => {
    const tenant = await createTestTenant();
    // Only the annual limit binds: no co-pay, a large pharmacy sub-limit, no frequency signals.
    const terms = structuredClone(PLUM_TERMS);
    terms.policy_id = 'OPD_RACE';
    terms.coverage_details.consultation_fees.copay_percentage = 0;
    terms.coverage_details.pharmacy.sub_limit = 100000;
    terms.adjudication = { ...terms.adjudication, claims_per_30_days_flag: 100, same_day_claims_flag: 50 };
    await addTerms(tenant, terms);
    const agent = await createTestUser(tenant, 'junior_agent', { agent: true });
    const family = await arrangeFamily(tenant, agent.agent_id as string, { plan_code: 'OPD_RACE' });

    const claim = (day: number) => ({
      policyholder_id: family.policyholder_id, treatment_date: `2026-11-${String(day).padStart(2, '0')}`, submission_date: '2026-11-30',
      claimed_amount: 4000, documents: {
        prescription: { doctor_name: 'Dr. A', doctor_reg: 'KA/45678/2015', diagnosis: 'Chronic gastritis', medicines_prescribed: ['Pantoprazole'] },
        bill: { medicines: 4000 } },
    });
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => api().post(`${API}/claims`).set(...bearer(agent.token)).send(claim(i + 1))));
    for (const reply of replies) expect(reply.status, JSON.stringify(reply.body)).to.equal(201);
    const approved = replies.reduce((sum, reply) => sum + Math.round(reply.body.approved_amount * 100), 0);
    expect(approved).to.equal(5_000_000);
    const decisions = replies.map((reply) => reply.body.decision).sort();
    expect(decisions.filter((d) => d === 'APPROVED')).to.have.length(12);
    expect(decisions.filter((d) => d === 'PARTIAL')).to.have.length(1);
    expect(decisions.filter((d) => d === 'REJECTED')).to.have.length(7);
    const limits = await api().get(`${API}/policyholders/${family.policyholder_id}/limits?as_of=2026-11-30`).set(...bearer(agent.token));
    expect(limits.body.members[0].annual).to.deep.equal({ limit: 50000, used: 50000, left: 0 });
  });
});
