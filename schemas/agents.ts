import { z } from 'zod';
import { IdParams, IsoDate, ListQuery, page, Timestamp, Uuid } from './common.js';

export const AgentStatus = z.enum(['active', 'inactive', 'suspended', 'pending_approval', 'rejected']);

// Codes and licence numbers are canonical from the moment they are parsed: trimmed and upper-case.
const AgentCode = z.string().trim().toUpperCase()
  .regex(/^[A-Z0-9][A-Z0-9/_-]{1,49}$/, 'must be 2 to 50 letters, digits, /, _ or -');
const LicenseNumber = z.string().trim().toUpperCase()
  .regex(/^[A-Z0-9][A-Z0-9/_-]{1,99}$/, 'must be 2 to 100 letters, digits, /, _ or -');
const Text = (max: number) => z.string().trim().min(1, 'must not be empty').max(max);
/** A percentage with at most two decimals, 0 to 100 (the column is numeric(5,2)). */
const CommissionRate = z.number({ message: 'must be a percentage' })
  .refine((value) => Number.isFinite(value) && value >= 0 && value <= 100 && /^[0-9]{1,3}(\.[0-9]{1,2})?$/.test(String(value)),
    'must be a percentage from 0 to 100 with at most two decimals');

export const Agent = z.object({
  agent_id: Uuid,
  user_id: Uuid.nullable(),
  provider_id: Uuid.nullable(),
  agent_code: z.string(),
  license_number: z.string().nullable(),
  license_expiry_date: z.string().nullable(),
  business_name: z.string().nullable(),
  territory: z.string().nullable(),
  commission_rate: z.number().nullable().describe('Percent'),
  parent_agent_id: Uuid.nullable(),
  hierarchy_level: z.number().int().describe('1 for a top-level agent, one more per level below'),
  status: AgentStatus,
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type Agent = z.infer<typeof Agent>;
export const AgentPage = page(Agent);

export const CreateAgentBody = z.object({
  user_id: Uuid.nullable().optional().describe('The tenant user who works as this agent'),
  provider_id: Uuid.nullable().optional(),
  agent_code: AgentCode,
  license_number: LicenseNumber.nullable().optional(),
  license_expiry_date: IsoDate.nullable().optional(),
  business_name: Text(255).nullable().optional(),
  territory: Text(255).nullable().optional(),
  commission_rate: CommissionRate.nullable().optional(),
  parent_agent_id: Uuid.nullable().optional().describe('Omitted or null: a top-level agent (tenant-wide callers only)'),
  status: AgentStatus.optional(),
}).strict();
export type CreateAgentBody = z.infer<typeof CreateAgentBody>;

export const PatchAgentBody = z.object({
  user_id: Uuid.nullable().optional(),
  provider_id: Uuid.nullable().optional(),
  agent_code: AgentCode.optional(),
  license_number: LicenseNumber.nullable().optional(),
  license_expiry_date: IsoDate.nullable().optional(),
  business_name: Text(255).nullable().optional(),
  territory: Text(255).nullable().optional(),
  commission_rate: CommissionRate.nullable().optional(),
  parent_agent_id: Uuid.nullable().optional().describe('Moves the agent and its whole team; a cycle is a 409'),
  status: AgentStatus.optional(),
}).strict().refine((body) => Object.keys(body).length > 0, { message: 'at least one field is required' });
export type PatchAgentBody = z.infer<typeof PatchAgentBody>;

export const AgentListQuery = ListQuery.extend({
  status: AgentStatus.optional(),
  parent_agent_id: Uuid.optional(),
}).strict();
export type AgentListQuery = z.infer<typeof AgentListQuery>;

export const AgentParams = IdParams('agent_id');
