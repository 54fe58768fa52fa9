import { z } from 'zod';
import { Email, IdParams, ListQuery, page, Password, TenantCode, Timestamp, Uuid, ZonedTimestamp } from './common.js';

export const TenantType = z.enum(['insurance_provider', 'independent_agent', 'agent_network']);
export const TenantStatus = z.enum(['active', 'suspended', 'inactive']);

const Limits = {
  subscription_plan: z.string().min(1).max(50).nullable().optional(),
  max_users: z.number().int().min(1).max(1_000_000).optional(),
  storage_limit_gb: z.number().int().min(1).max(100_000).optional(),
  api_rate_limit: z.number().int().min(1).max(1_000_000).optional(),
  trial_end_date: ZonedTimestamp.nullable().optional(),
};

export const CreateTenantBody = z.object({
  tenant_code: TenantCode,
  tenant_name: z.string().trim().min(1).max(255),
  tenant_type: TenantType,
  parent_tenant_id: Uuid.nullable().optional(),
  ...Limits,
  admin: z.object({
    email: Email,
    password: Password,
    first_name: z.string().trim().min(1).max(100),
    last_name: z.string().trim().min(1).max(100),
  }).strict(),
}).strict();
export type CreateTenantBody = z.infer<typeof CreateTenantBody>;

export const TenantCreated = z.object({
  tenant_id: Uuid,
  tenant_code: z.string(),
  schema_name: z.string(),
  status: TenantStatus,
});
export type TenantCreated = z.infer<typeof TenantCreated>;

export const Tenant = z.object({
  tenant_id: Uuid,
  tenant_code: z.string(),
  tenant_name: z.string(),
  tenant_type: TenantType,
  schema_name: z.string(),
  parent_tenant_id: Uuid.nullable(),
  status: TenantStatus,
  subscription_plan: z.string().nullable(),
  trial_end_date: Timestamp.nullable(),
  max_users: z.number().int(),
  storage_limit_gb: z.number().int(),
  api_rate_limit: z.number().int(),
  schema_version: z.string().nullable(),
  created_at: Timestamp,
  updated_at: Timestamp,
});

export const PatchTenantBody = z.object({
  tenant_name: z.string().trim().min(1).max(255).optional(),
  status: TenantStatus.optional(),
  ...Limits,
}).strict().refine((body) => Object.keys(body).length > 0, { message: 'at least one field is required' });
export type PatchTenantBody = z.infer<typeof PatchTenantBody>;

export const TenantParams = IdParams('tenant_id');

export const TenantListQuery = ListQuery.extend({ status: TenantStatus.optional() });
export type TenantListQuery = z.infer<typeof TenantListQuery>;

export const TenantPage = page(Tenant);
