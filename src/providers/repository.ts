import type { CreateProviderBody, PatchProviderBody, ProviderListQuery } from '../../schemas/providers.js';
import type { Tx } from '../db/scope.js';
import { paginate, type Page } from '../db/pagination.js';

export interface ProviderRecord {
  readonly provider_id: string;
  readonly provider_code: string;
  readonly provider_name: string;
  readonly provider_type: string;
  readonly description: string | null;
  readonly api_endpoint: string | null;
  readonly webhook_url: string | null;
  readonly license_number: string | null;
  readonly regulatory_authority: string | null;
  readonly established_year: number | null;
  readonly headquarters: Record<string, string | number> | null;
  readonly supported_languages: string[];
  readonly service_regions: string[];
  readonly status: string;
  readonly integration_status: string;
  readonly created_at: Date;
  readonly updated_at: Date;
}

// Named with its schema: tenant transactions search their own schema first.
const providers = (tx: Tx) => tx('shared.insurance_providers');

export async function findProviderById(tx: Tx, providerId: string): Promise<ProviderRecord | undefined> {
  return providers(tx).where({ provider_id: providerId }).first();
}

export async function insertProvider(tx: Tx, provider: CreateProviderBody): Promise<ProviderRecord> {
  const [row] = await providers(tx).insert(provider).returning('*');
  return row;
}

export async function updateProvider(tx: Tx, providerId: string, patch: PatchProviderBody): Promise<ProviderRecord | undefined> {
  const [row] = await providers(tx).where({ provider_id: providerId }).update({ ...patch, updated_at: tx.fn.now() }).returning('*');
  return row;
}

export function listProviders(tx: Tx, options: ProviderListQuery): Promise<Page<ProviderRecord>> {
  const query = providers(tx).select('*');
  if (options.status) query.where({ status: options.status });
  if (options.provider_type) query.where({ provider_type: options.provider_type });
  return paginate<ProviderRecord>(query, 'provider_id', options);
}
