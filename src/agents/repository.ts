import type { Tx } from '../db/scope.js';
import { lockHierarchy, numbersForNewAgent } from './hierarchy-repository.js';

export interface NewAgentRow {
  readonly user_id?: string | null;
  readonly agent_code: string;
  readonly parent_agent_id?: string | null;
  readonly [column: string]: unknown;
}

/** Inserts an agent numbered into the hierarchy under its parent (the only way agents are created). */
export async function insertAgentRow(tx: Tx, agent: NewAgentRow): Promise<{ agent_id: string; pre_order: number }> {
  await lockHierarchy(tx);
  const numbers = await numbersForNewAgent(tx, agent.parent_agent_id ?? null);
  const [row] = await tx('agents').insert({ ...agent, ...numbers }).returning(['agent_id', 'pre_order']);
  return row;
}
