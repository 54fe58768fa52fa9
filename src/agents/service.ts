import type { Agent, AgentListQuery, CreateAgentBody, PatchAgentBody } from '../../schemas/agents.js';
import type { ErrorCode } from '../../schemas/error-codes.js';
import { authorize } from '../auth/ability.js';
import type { Actor } from '../auth/actor.js';
import type { Page } from '../db/pagination.js';
import type { Tx } from '../db/scope.js';
import { BusinessRuleError, ConflictError, ForbiddenError, NotFoundError } from '../errors.js';
import { lockHierarchy, moveSubtree } from './hierarchy-repository.js';
import {
  findVisibleAgent, insertAgentRow, listTeam, listVisibleAgents, providerExists, takenAgentValues, updateAgentRow, userExists,
  type AgentRecord,
} from './repository.js';
import { authorizeUserLink } from '../users/service.js';

// Agents and their hierarchy. An action the caller's roles do not grant at all is a 403; a record outside the
// caller's reach is a 404 (so neither answer tells whether a record exists). A caller sees the agents within its range (its own, its subtree, or the whole
// tenant); anything else is a 404. Creating or moving an agent needs the parent to be visible too, so nobody can
// place an agent (and with it a book) outside their own reach, or reach into another branch.

export function agentView({ pre_order: _pre, subtree_hi: _hi, commission_rate, ...record }: AgentRecord): Agent {
  return {
    ...record,
    commission_rate: commission_rate === null ? null : Number(commission_rate),
    created_at: record.created_at.toISOString(),
    updated_at: record.updated_at.toISOString(),
  };
}

async function visibleAgent(tx: Tx, agentId: string, options: { forUpdate?: boolean } = {}): Promise<AgentRecord> {
  const agent = await findVisibleAgent(tx, agentId, options);
  if (!agent) throw new NotFoundError('No such agent.', { code: 'agent.not_found' });
  return agent;
}

/** A parent must be an agent the caller sees; a top-level agent only a tenant-wide caller may place. */
async function assertParentReachable(tx: Tx, actor: Actor, parentId: string | null | undefined): Promise<void> {
  if (parentId) {
    if (!(await findVisibleAgent(tx, parentId))) throw new NotFoundError('No such parent agent.', { code: 'agent.not_found' });
  } else if (actor.data_scope !== 'tenant') {
    throw new BusinessRuleError('Only a tenant-wide administrator may place an agent at the top of the hierarchy.',
      [{ path: 'body.parent_agent_id', message: 'is required: an agent within your team' }]);
  }
}

/**
 * Linking a login to an agent (or changing or removing that link) decides whose book a user works: an act on the
 * user linked and on the one unlinked, so it needs `update` on each (provider admins), not just on Agent. A manager
 * places and changes agents of its team but cannot hand one of them to a login, or take it from one (403).
 */
async function assertMayLinkUser(tx: Tx, actor: Actor, userId: string | null | undefined, currentUserId: string | null = null): Promise<void> {
  if (userId === undefined || userId === currentUserId) return;
  for (const changed of [userId, currentUserId]) {
    if (changed) await authorizeUserLink(tx, actor, changed);
    else authorize(actor.ability, 'update', 'User');
  }
}

const DUPLICATE: Record<'agent_code' | 'license_number' | 'user_id', [ErrorCode, string]> = {
  agent_code: ['agent.duplicate_code', 'Another agent has this agent code.'],
  license_number: ['agent.duplicate_license', 'Another agent has this licence number.'],
  user_id: ['agent.user_taken', 'The user is already linked to another agent.'],
};

async function assertReferencesAndUniqueness(tx: Tx, body: PatchAgentBody | CreateAgentBody, exceptAgentId?: string): Promise<void> {
  if (body.user_id && !(await userExists(tx, body.user_id))) {
    throw new BusinessRuleError('No such user in this tenant.', [{ path: 'body.user_id', message: 'does not exist' }], { code: 'rule.reference_missing' });
  }
  if (body.provider_id && !(await providerExists(tx, body.provider_id))) {
    throw new BusinessRuleError('No such insurance provider.', [{ path: 'body.provider_id', message: 'does not exist' }], { code: 'rule.reference_missing' });
  }
  const [taken] = await takenAgentValues(tx, body, exceptAgentId);
  if (taken) throw new ConflictError(DUPLICATE[taken][1], { code: DUPLICATE[taken][0] });
}

export async function listAgents(tx: Tx, actor: Actor, query: AgentListQuery): Promise<Page<Agent>> {
  authorize(actor.ability, 'read', 'Agent');
  const page = await listVisibleAgents(tx, query);
  return { data: page.data.map(agentView), next_cursor: page.next_cursor };
}

export async function getAgent(tx: Tx, actor: Actor, agentId: string): Promise<Agent> {
  authorize(actor.ability, 'read', 'Agent');
  return agentView(await visibleAgent(tx, agentId));
}

export async function getTeam(tx: Tx, actor: Actor, agentId: string, query: { limit: number; cursor?: string | undefined }): Promise<Page<Agent>> {
  authorize(actor.ability, 'read', 'Agent');
  const agent = await visibleAgent(tx, agentId);
  const page = await listTeam(tx, agent, query);
  return { data: page.data.map(agentView), next_cursor: page.next_cursor };
}

export async function createAgent(tx: Tx, actor: Actor, body: CreateAgentBody): Promise<Agent> {
  authorize(actor.ability, 'create', 'Agent');
  await assertMayLinkUser(tx, actor, body.user_id);
  await lockHierarchy(tx);
  await assertParentReachable(tx, actor, body.parent_agent_id);
  await assertReferencesAndUniqueness(tx, body);
  const { agent_id } = await insertAgentRow(tx, body);
  return agentView(await visibleAgent(tx, agent_id));
}

/**
 * Changes an agent below the caller (a tenant-wide caller: any agent). A new parent moves the agent with its whole
 * team, renumbering that subtree; a parent inside the subtree would make a cycle (409).
 */
export async function updateAgent(tx: Tx, actor: Actor, agentId: string, body: PatchAgentBody): Promise<Agent> {
  authorize(actor.ability, 'update', 'Agent');
  const agent = await visibleAgent(tx, agentId);
  if (agent.agent_id === actor.agent_id && actor.data_scope !== 'tenant') {
    throw new ForbiddenError('Your own agent record is changed by the agents above you.');
  }
  await assertMayLinkUser(tx, actor, body.user_id, agent.user_id);
  const { parent_agent_id: parentId, ...changes } = body;
  await assertReferencesAndUniqueness(tx, changes, agentId);
  if (parentId !== undefined && parentId !== agent.parent_agent_id) {
    await lockHierarchy(tx);
    await assertParentReachable(tx, actor, parentId);
    const moving = await visibleAgent(tx, agentId, { forUpdate: true });
    const parent = parentId ? await visibleAgent(tx, parentId) : undefined;
    if (parent && parent.pre_order >= moving.pre_order && parent.pre_order <= moving.subtree_hi) {
      throw new ConflictError('An agent cannot be placed under itself or one of its own sub-agents.', { code: 'agent.hierarchy_cycle' });
    }
    await moveSubtree(tx, agentId, parentId);
  }
  await updateAgentRow(tx, agentId, changes);
  return agentView(await visibleAgent(tx, agentId));
}
