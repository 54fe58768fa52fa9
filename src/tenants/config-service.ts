import { configTypeOf, type PutConfigBody } from '../../schemas/tenant-config.js';
import type { ListQuery } from '../../schemas/common.js';
import { allowedRecords, authorize, can } from '../auth/ability.js';
import type { Actor } from '../auth/actor.js';
import type { Tx } from '../db/scope.js';
import { NotFoundError } from '../errors.js';
import type { Page } from '../db/pagination.js';
import { deleteConfig, findConfig, listConfig, upsertConfig, type ConfigRecord } from './config-repository.js';
import { findTenantById } from './repository.js';

// Tenant settings, for a super admin on any tenant (/tenants/{id}/config) or a tenant user on its own (/config).
// Super admins hold 'manage all', so one CASL check serves both. A role's conditions on TenantConfig (config_key,
// config_type) are checked against each entry: the one read, listed, replaced (before and after) or deleted.

/** A tenant user reaches only its own tenant; a super admin any tenant that exists. */
async function assertTenantReachable(tx: Tx, actor: Actor, tenantId: string): Promise<void> {
  const reachable = actor.kind === 'tenant'
    ? actor.tenant?.tenant_id === tenantId
    : Boolean(await findTenantById(tx, tenantId));
  if (!reachable) throw new NotFoundError('No tenant with this id.');
}

export async function listTenantConfig(tx: Tx, actor: Actor, tenantId: string, page: ListQuery): Promise<Page<ConfigRecord>> {
  authorize(actor.ability, 'read', 'TenantConfig');
  await assertTenantReachable(tx, actor, tenantId);
  return listConfig(tx, tenantId, allowedRecords(actor.ability, 'read', 'TenantConfig'), page);
}

export async function readTenantConfig(tx: Tx, actor: Actor, tenantId: string, key: string): Promise<ConfigRecord> {
  authorize(actor.ability, 'read', 'TenantConfig');
  await assertTenantReachable(tx, actor, tenantId);
  const entry = await findConfig(tx, tenantId, key);
  if (!entry || !can(actor.ability, 'read', 'TenantConfig', entry)) throw new NotFoundError(`No config key ${key}.`);
  return entry;
}

/** Creates or replaces a key: creating needs create, replacing needs update. */
export async function putTenantConfig(tx: Tx, actor: Actor, tenantId: string, key: string, body: PutConfigBody)
  : Promise<{ entry: ConfigRecord; created: boolean }> {
  // Refuse a caller who may do neither before telling it whether the key exists.
  if (!can(actor.ability, 'create', 'TenantConfig')) authorize(actor.ability, 'update', 'TenantConfig');
  await assertTenantReachable(tx, actor, tenantId);
  const existing = await findConfig(tx, tenantId, key);
  const written = { tenant_id: tenantId, config_key: key, config_type: body.config_type ?? configTypeOf(body.config_value) };
  // Replacing must be allowed on the entry as it is and as it will be; creating, on the entry as it will be.
  if (existing) authorize(actor.ability, 'update', 'TenantConfig', existing);
  authorize(actor.ability, existing ? 'update' : 'create', 'TenantConfig', written);
  return upsertConfig(tx, tenantId, key, body.config_value, written.config_type);
}

export async function removeTenantConfig(tx: Tx, actor: Actor, tenantId: string, key: string): Promise<void> {
  authorize(actor.ability, 'delete', 'TenantConfig');
  await assertTenantReachable(tx, actor, tenantId);
  const entry = await findConfig(tx, tenantId, key);
  // An entry the caller may not even read is "not found", as a missing one is.
  if (!entry || !can(actor.ability, 'read', 'TenantConfig', entry)) throw new NotFoundError(`No config key ${key}.`);
  authorize(actor.ability, 'delete', 'TenantConfig', entry);
  await deleteConfig(tx, tenantId, key);
}
