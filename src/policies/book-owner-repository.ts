import type { Tx } from '../db/scope.js';

/** Whose book a policyholder is in: a policy, payment or status change takes its agent from here, never from a body. */
export interface PolicyholderOwner {
  readonly policyholder_id: string;
  readonly agent_id: string;
  readonly agent_order: number;
  readonly status: string;
  /** Set once the person's data was erased (DPDP): nothing personal may be written for them again. */
  readonly erased_at: Date | null;
}

/**
 * The policyholder (if the caller's book holds it) with its agent's current number. The policyholder is locked FOR
 * NO KEY UPDATE (a move to another agent waits until the new row is written, then carries it along; writers for one
 * policyholder queue here rather than deadlock when they lock it FOR UPDATE next, as claims do), the agent FOR
 * KEY SHARE (a renumbering of the hierarchy waits likewise).
 */
export async function bookOwnerOfPolicyholder(tx: Tx, policyholderId: string): Promise<PolicyholderOwner | undefined> {
  const holder: { policyholder_id: string; agent_id: string; status: string; erased_at: Date | null } | undefined = await tx('policyholders')
    .first('policyholder_id', 'agent_id', 'status', 'erased_at').where({ policyholder_id: policyholderId })
    .whereRaw("agent_order BETWEEN current_setting('app.agent_lo')::bigint AND current_setting('app.agent_hi')::bigint")
    .forNoKeyUpdate();
  if (!holder) return undefined;
  const agent: { pre_order: number } | undefined = await tx('agents').first('pre_order').where({ agent_id: holder.agent_id }).forKeyShare();
  return agent ? { ...holder, agent_order: agent.pre_order } : undefined;
}
