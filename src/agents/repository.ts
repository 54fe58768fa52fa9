import type { Agent, AgentListQuery } from '../../schemas/agents.js';
import { paginate, type Page } from '../db/pagination.js';
import type { Tx } from '../db/scope.js';
import { lockHierarchy, numbersForNewAgent } from './hierarchy-repository.js';

// Agents as the API shows them. The agents table is tenant-wide under RLS (the hierarchy and the caller's own
// agent must be readable to number and scope everything else); which agents a caller sees is the same range
// the book's policies use, applied here to every query: an agent outside it does not exist for the caller.

export interface NewAgentRow {
  readonly user_id?: string | null | undefined;
  readonly agent_code: string;
  readonly parent_agent_id?: string | null | undefined;
  readonly [column: string]: unknown;
}

export interface AgentRecord extends Omit<Agent, 'commission_rate' | 'created_at' | 'updated_at'> {
  readonly commission_rate: string | null;
  readonly pre_order: number;
  readonly subtree_hi: number;
  readonly created_at: Date;
  readonly updated_at: Date;
}

const COLUMNS = ['agent_id', 'user_id', 'provider_id', 'agent_code', 'license_number', 'license_expiry_date', 'business_name',
  'territory', 'commission_rate', 'parent_agent_id', 'hierarchy_level', 'status', 'pre_order', 'subtree_hi', 'created_at', 'updated_at'];
const IN_CALLERS_RANGE = "pre_order BETWEEN current_setting('app.agent_lo')::bigint AND current_setting('app.agent_hi')::bigint";

/** Inserts an agent numbered into the hierarchy under its parent (the only way agents are created). */
export async function insertAgentRow(tx: Tx, agent: NewAgentRow): Promise<{ agent_id: string; pre_order: number }> {
  await lockHierarchy(tx);
  const numbers = await numbersForNewAgent(tx, agent.parent_agent_id ?? null);
  const [row] = await tx('agents').insert({ ...agent, ...numbers }).returning(['agent_id', 'pre_order']);
  return row;
}

/** The agent, if it lies within the caller's range; `forUpdate` locks it. */
export async function findVisibleAgent(tx: Tx, agentId: string, options: { forUpdate?: boolean } = {}): Promise<AgentRecord | undefined> {
  const query = tx('agents').first(COLUMNS).where({ agent_id: agentId }).whereRaw(IN_CALLERS_RANGE);
  return options.forUpdate ? query.forUpdate() : query;
}

export async function listVisibleAgents(tx: Tx, query: AgentListQuery): Promise<Page<AgentRecord>> {
  const select = tx('agents').select(COLUMNS).whereRaw(IN_CALLERS_RANGE);
  if (query.status) select.where({ status: query.status });
  if (query.parent_agent_id) select.where({ parent_agent_id: query.parent_agent_id });
  return paginate<AgentRecord>(select, 'agent_id', query);
}

/** Everyone below the agent, at any depth: the numbers after its own up to the end of its subtree. */
export async function listTeam(tx: Tx, agent: Pick<AgentRecord, 'pre_order' | 'subtree_hi'>,
  query: { limit: number; cursor?: string | undefined }): Promise<Page<AgentRecord>> {
  const select = tx('agents').select(COLUMNS).where('pre_order', '>', agent.pre_order).andWhere('pre_order', '<=', agent.subtree_hi)
    .whereRaw(IN_CALLERS_RANGE);
  return paginate<AgentRecord>(select, 'agent_id', query);
}

export async function updateAgentRow(tx: Tx, agentId: string, changes: Record<string, unknown>): Promise<void> {
  if (!Object.keys(changes).length) return;
  await tx('agents').where({ agent_id: agentId }).update({ ...changes, updated_at: tx.fn.now() });
}

/** Which of these unique values another agent of the tenant already holds (the whole tenant: they are unique there). */
export async function takenAgentValues(tx: Tx, values: { agent_code?: string | undefined; license_number?: string | null | undefined;
  user_id?: string | null | undefined }, exceptAgentId?: string): Promise<('agent_code' | 'license_number' | 'user_id')[]> {
  const taken: ('agent_code' | 'license_number' | 'user_id')[] = [];
  for (const column of ['agent_code', 'license_number', 'user_id'] as const) {
    const value = values[column];
    if (value === undefined || value === null) continue;
    const query = tx('agents').first('agent_id').where({ [column]: value });
    if (exceptAgentId) query.whereNot({ agent_id: exceptAgentId });
    if (await query) taken.push(column);
  }
  return taken;
}

export async function userExists(tx: Tx, userId: string): Promise<boolean> {
  return Boolean(await tx('users').first('user_id').where({ user_id: userId }));
}

export async function providerExists(tx: Tx, providerId: string): Promise<boolean> {
  return Boolean(await tx('insurance_providers').first('provider_id').where({ provider_id: providerId }));
}
