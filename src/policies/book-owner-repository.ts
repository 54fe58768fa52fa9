import type { Tx } from '../db/scope.js';

/** Whose book a policyholder is in: a policy, payment or status change takes its agent from here, never from a body. */
export interface PolicyholderOwner {
  readonly policyholder_id: string;
  readonly agent_id: string;
  readonly agent_order: number;
  readonly status: string;
}

/**
 * The policyholder (if the caller's book holds it) with its agent's current number. Both rows are locked FOR KEY
 * SHARE, so a move of the policyholder to another agent, or a renumbering of the hierarchy, waits until the new
 * row is written and then carries it along.
 */
export async function bookOwnerOfPolicyholder(tx: Tx, policyholderId: string): Promise<PolicyholderOwner | undefined> {
  const holder: { policyholder_id: string; agent_id: string; status: string } | undefined = await tx('policyholders')
    .first('policyholder_id', 'agent_id', 'status').where({ policyholder_id: policyholderId })
    .whereRaw("agent_order BETWEEN current_setting('app.agent_lo')::bigint AND current_setting('app.agent_hi')::bigint")
    .forKeyShare();
  if (!holder) return undefined;
  const agent: { pre_order: number } | undefined = await tx('agents').first('pre_order').where({ agent_id: holder.agent_id }).forKeyShare();
  return agent ? { ...holder, agent_order: agent.pre_order } : undefined;
}
