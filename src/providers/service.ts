import type { CreateProviderBody, PatchProviderBody, ProviderListQuery } from '../../schemas/providers.js';
import { authorize } from '../auth/ability.js';
import type { Actor } from '../auth/actor.js';
import type { Tx } from '../db/scope.js';
import { NotFoundError } from '../errors.js';
import type { Page } from '../db/pagination.js';
import {
  findProviderById, insertProvider, listProviders, updateProvider, type ProviderRecord,
} from './repository.js';

// Insurance providers are shared reference data: every signed-in caller reads them; only super admins write
// (the endpoints' platform access, the CASL check here, and RLS on the table). A duplicate code is a 409.

export function listProviderPage(tx: Tx, query: ProviderListQuery): Promise<Page<ProviderRecord>> {
  return listProviders(tx, query);
}

export async function getProvider(tx: Tx, providerId: string): Promise<ProviderRecord> {
  const provider = await findProviderById(tx, providerId);
  if (!provider) throw new NotFoundError('No insurance provider with this id.');
  return provider;
}

export function registerProvider(tx: Tx, actor: Actor, provider: CreateProviderBody): Promise<ProviderRecord> {
  authorize(actor.ability, 'create', 'Provider');
  return insertProvider(tx, provider);
}

export async function amendProvider(tx: Tx, actor: Actor, providerId: string, patch: PatchProviderBody): Promise<ProviderRecord> {
  authorize(actor.ability, 'update', 'Provider');
  const provider = await updateProvider(tx, providerId, patch);
  if (!provider) throw new NotFoundError('No insurance provider with this id.');
  return provider;
}
