import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import type { AccessClaims } from '../../src/auth/tokens.js';
import { runAsCaller } from '../../src/scope/run.js';
import { createTestTenant, createTestUser, type TestTenant, type TestUser } from '../helpers/actors.js';
import { testDeps } from '../helpers/context.js';

/**
 * The agents whose book the policies let this caller see: those whose number lies within app.agent_lo and
 * app.agent_hi inside its request transaction.
 */
async function agentIdsSeenBy(_tenant: TestTenant, user: TestUser): Promise<string[]> {
  const claims = jwt.decode(user.token) as AccessClaims;
  return runAsCaller(testDeps(), claims, undefined, async ({ tx }) => {
    const { rows } = await tx.raw(`SELECT agent_id FROM agents WHERE pre_order
      BETWEEN current_setting('app.agent_lo')::bigint AND current_setting('app.agent_hi')::bigint ORDER BY agent_id`);
    return rows.map((row: { agent_id: string }) => row.agent_id);
  });
}

describe('agent visibility (app.agent_lo, app.agent_hi)', () => {
  let tenant: TestTenant;
  let manager: TestUser;
  let senior: TestUser;
  let junior: TestUser;
  let juniorUnderJunior: TestUser;
  let otherBranch: TestUser;

  before(async () => {
    tenant = await createTestTenant();
    manager = await createTestUser(tenant, 'regional_manager', { agent: true });
    senior = await createTestUser(tenant, 'senior_agent', { agent: true, parentAgentId: manager.agent_id });
    junior = await createTestUser(tenant, 'junior_agent', { agent: true, parentAgentId: senior.agent_id });
    juniorUnderJunior = await createTestUser(tenant, 'junior_agent', { agent: true, parentAgentId: junior.agent_id });
    otherBranch = await createTestUser(tenant, 'senior_agent', { agent: true });
  });

  it('a junior agent sees only its own book', async () => {
    expect(await agentIdsSeenBy(tenant, junior)).to.deep.equal([junior.agent_id]);
  });

  it('a senior agent sees itself and everyone below it, at any depth, and not another branch', async () => {
    expect(await agentIdsSeenBy(tenant, senior)).to.deep.equal(
      [senior.agent_id, junior.agent_id, juniorUnderJunior.agent_id].sort());
  });

  it('a regional manager sees its whole subtree', async () => {
    const ids = await agentIdsSeenBy(tenant, manager);
    expect(ids).to.have.members([manager.agent_id, senior.agent_id, junior.agent_id, juniorUnderJunior.agent_id]);
    expect(ids).to.not.include(otherBranch.agent_id);
  });

  it('a provider admin sees every agent of the tenant', async () => {
    const admin = await createTestUser(tenant, 'insurance_provider_admin');
    expect(await agentIdsSeenBy(tenant, admin)).to.have.members(
      [manager, senior, junior, juniorUnderJunior, otherBranch].map((agent) => agent.agent_id));
  });

  it('a policyholder or guest sees no agent book at all', async () => {
    const customer = await createTestUser(tenant, 'policyholder');
    expect(await agentIdsSeenBy(tenant, customer)).to.deep.equal([]);
  });
});
