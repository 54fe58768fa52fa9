import type { Actor } from '../auth/actor.js';
import type { Tx } from '../db/scope.js';
import { BusinessRuleError, NotFoundError } from '../errors.js';

/** The agent a new book row belongs to: its id and its pre-order number, both written on the row. */
export interface BookOwner {
  readonly agent_id: string;
  readonly pre_order: number;
}

/**
 * Whose book a new row goes to: the agent named in the body if the caller can see it (its number within the
 * caller's range), else the caller's own agent. The row is locked FOR KEY SHARE, so a renumbering of the
 * hierarchy cannot change the number before the row is written; RLS WITH CHECK and the foreign key check again.
 */
export async function resolveAgentForWrite(tx: Tx, actor: Actor, agentId?: string | null): Promise<BookOwner> {
  const wanted = agentId ?? actor.agent_id;
  if (!wanted) {
    throw new BusinessRuleError('Name the agent whose book this goes to.', [{ path: 'body.agent_id', message: 'is required for callers who are not agents' }],
      { code: 'agent.required' });
  }
  const row: (BookOwner & { status: string }) | undefined = await tx('agents').first('agent_id', 'pre_order', 'status')
    .where({ agent_id: wanted })
    .whereRaw("pre_order BETWEEN current_setting('app.agent_lo')::bigint AND current_setting('app.agent_hi')::bigint")
    .forKeyShare();
  if (!row) throw new NotFoundError('No such agent.', { code: 'agent.not_found' });
  if (row.status !== 'active') {
    throw new BusinessRuleError('The agent is not active.', [{ path: 'body.agent_id', message: 'is not an active agent' }],
      { code: 'agent.inactive' });
  }
  return { agent_id: row.agent_id, pre_order: row.pre_order };
}
