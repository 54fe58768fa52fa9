import { configTypeOf, type PutConfigBody } from '../../schemas/tenant-config.js';
import type { ListQuery } from '../../schemas/common.js';
import { authorize, can } from '../auth/ability.js';
import type { Actor } from '../auth/actor.js';
import type { Tx } from '../db/scope.js';
import { NotFoundError } from '../errors.js';
import type { Page } from '../db/pagination.js';
import { deleteConfig, findConfig, listConfig, upsertConfig, type ConfigRecord } from './config-repository.js';
import { findTenantById } from './repository.js';

// Tenant settings, for a super admin on any tenant (/tenants/{id}/config) or a tenant user on its own (/config).
// Super admins hold 'manage all', so one CASL check serves both.

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
  return listConfig(tx, tenantId, page);
}

export async function readTenantConfig(tx: Tx, actor: Actor, tenantId: string, key: string): Promise<ConfigRecord> {
  authorize(actor.ability, 'read', 'TenantConfig');
  await assertTenantReachable(tx, actor, tenantId);
  const entry = await findConfig(tx, tenantId, key);
  if (!entry) throw new NotFoundError(`No config key ${key}.`);
  return entry;
}

/** Creates or replaces a key: creating needs create, replacing needs update. */
export async function putTenantConfig(tx: Tx, actor: Actor, tenantId: string, key: string, body: PutConfigBody)
  : Promise<{ entry: ConfigRecord; created: boolean }> {
  // Refuse a caller who may do neither before telling it whether the key exists.
  if (!can(actor.ability, 'create', 'TenantConfig')) authorize(actor.ability, 'update', 'TenantConfig');
  await assertTenantReachable(tx, actor, tenantId);
  const existing = await findConfig(tx, tenantId, key);
  authorize(actor.ability, existing ? 'update' : 'create', 'TenantConfig');
  return upsertConfig(tx, tenantId, key, body.config_value, body.config_type ?? configTypeOf(body.config_value));
}

export async function removeTenantConfig(tx: Tx, actor: Actor, tenantId: string, key: string): Promise<void> {
  authorize(actor.ability, 'delete', 'TenantConfig');
  await assertTenantReachable(tx, actor, tenantId);
  if (!(await deleteConfig(tx, tenantId, key))) throw new NotFoundError(`No config key ${key}.`);
}
