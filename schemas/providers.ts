import { z } from 'zod';
import { IdParams, ListQuery, page, Timestamp, Uuid } from './common.js';

// Insurance providers: shared reference data, read by every signed-in caller, written by super admins.

export const ProviderCode = z.string().regex(/^[A-Z][A-Z0-9_]{1,19}$/, 'must match ^[A-Z][A-Z0-9_]{1,19}$');
export const ProviderType = z.enum(['life_insurance', 'health_insurance', 'general_insurance', 'composite']);
export const ProviderStatus = z.enum(['active', 'inactive', 'suspended', 'under_maintenance']);
export const IntegrationStatus = z.enum(['pending', 'testing', 'active']);

const HttpUrl = z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).max(500);
const Headquarters = z.record(z.string().min(1).max(50), z.union([z.string().max(500), z.number()]))
  .describe('Address parts, e.g. { "city": "Mumbai", "state": "Maharashtra", "pincode": "400021" }');
const LanguageCode = z.string().regex(/^[a-z]{2,3}$/, 'must be a language code such as en or hi');

const ProviderFields = {
  provider_code: ProviderCode,
  provider_name: z.string().trim().min(1).max(255),
  provider_type: ProviderType,
  description: z.string().max(5000).nullable().optional(),
  api_endpoint: HttpUrl.nullable().optional(),
  webhook_url: HttpUrl.nullable().optional(),
  license_number: z.string().trim().min(1).max(100).nullable().optional(),
  regulatory_authority: z.string().trim().min(1).max(100).nullable().optional(),
  established_year: z.number().int().min(1800).max(2100).nullable().optional(),
  headquarters: Headquarters.nullable().optional(),
  supported_languages: z.array(LanguageCode).min(1).max(50).optional(),
  service_regions: z.array(z.string().trim().min(1).max(100)).max(100).optional(),
  status: ProviderStatus.optional(),
  integration_status: IntegrationStatus.optional(),
};

export const CreateProviderBody = z.object(ProviderFields).strict();
export type CreateProviderBody = z.infer<typeof CreateProviderBody>;

export const PatchProviderBody = z.object(ProviderFields).partial().strict()
  .refine((body) => Object.keys(body).length > 0, { message: 'at least one field is required' });
export type PatchProviderBody = z.infer<typeof PatchProviderBody>;

export const Provider = z.object({
  provider_id: Uuid,
  provider_code: z.string(),
  provider_name: z.string(),
  provider_type: ProviderType,
  description: z.string().nullable(),
  api_endpoint: z.string().nullable(),
  webhook_url: z.string().nullable(),
  license_number: z.string().nullable(),
  regulatory_authority: z.string().nullable(),
  established_year: z.number().int().nullable(),
  headquarters: Headquarters.nullable(),
  supported_languages: z.array(z.string()),
  service_regions: z.array(z.string()),
  status: ProviderStatus,
  integration_status: IntegrationStatus,
  created_at: Timestamp,
  updated_at: Timestamp,
});

export const ProviderParams = IdParams('provider_id');

export const ProviderListQuery = ListQuery.extend({
  status: ProviderStatus.optional(),
  provider_type: ProviderType.optional(),
});
export type ProviderListQuery = z.infer<typeof ProviderListQuery>;

export const ProviderPage = page(Provider);
