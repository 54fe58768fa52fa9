import type { CreatePolicyBody } from '../../schemas/policies.js';
import type { Actor } from '../auth/actor.js';
import type { Tx } from '../db/scope.js';
import { DomainError, ValidationError } from '../errors.js';
import { createPolicy } from '../policies/service.js';
import type { BatchOutcome } from './writer.js';

// Policies go in one by one through the policy service (the same rules, numbering and status history as
// POST /policies), each in a savepoint so one refused line does not undo the batch. A policy number already in the
// tenant is skipped: an imported policy is not rewritten (its terms may be locked by approval).

export async function writePolicies(tx: Tx, actor: Actor, book: { agentId: string },
  lines: readonly { line_number: number; values: Record<string, unknown> }[]): Promise<BatchOutcome> {
  const outcome: BatchOutcome = { created: [], updated: [], skipped: [], rejected: [] };
  const customerIds = lines.map((line) => String(line.values.customer_id));
  const holders = new Map<string, string>((await tx('policyholders').select('customer_id', 'policyholder_id')
    .whereIn('customer_id', customerIds).where({ agent_id: book.agentId }))
    .map((row: { customer_id: string; policyholder_id: string }) => [row.customer_id, row.policyholder_id]));
  const taken = new Set<string>((await tx('policies').select('policy_number')
    .whereIn('policy_number', lines.map((line) => String(line.values.policy_number))))
    .map((row: { policy_number: string }) => row.policy_number));
  for (const line of lines) {
    const { customer_id: customerId, ...fields } = line.values;
    const policyholderId = holders.get(String(customerId));
    if (taken.has(String(fields.policy_number))) {
      outcome.skipped.push(line.line_number);
    } else if (!policyholderId) {
      outcome.rejected.push({ line: line.line_number, errors: [{ column: 'customer_id', message: "no such customer in the agent's book" }] });
    } else {
      try {
        await tx.transaction((savepoint) => createPolicy(savepoint, actor, { ...fields, policyholder_id: policyholderId } as CreatePolicyBody));
        outcome.created.push(line.line_number);
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        const errors = error instanceof ValidationError
          ? error.errors.map((field) => ({ column: field.path.replace(/^body\./, ''), message: field.message }))
          : [{ column: 'line', message: error.message }];
        outcome.rejected.push({ line: line.line_number, errors });
      }
    }
  }
  return outcome;
}
