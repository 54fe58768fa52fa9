import type { CreateTenantBody, TenantCreated } from '../../schemas/tenants.js';
import { migrateTenantSchema, recordSchemaVersion } from '../db/migrator.js';
import { inOwnerTransaction } from '../db/privileged.js';
import { enterTenant, type Tx } from '../db/scope.js';
import { assertSchemaName } from '../db/sql-literals.js';
import type { AppDeps } from '../deps.js';
import { BusinessRuleError } from '../errors.js';
import { reconcileSystemRoles } from '../roles/system-roles.js';
import { createFirstAdmin } from '../users/service.js';
import { createTenantSchema, findTenantById, insertTenant } from './repository.js';

export interface OnboardingHooks {
  /** Runs last inside the transaction; tests use it to prove a late failure leaves nothing behind. */
  readonly beforeCommit?: (tx: Tx) => Promise<void>;
}

/**
 * Registry row, schema (distributed on Citus), tenant migrations, system roles and the first provider admin:
 * one owner transaction, so any failure leaves neither schema nor row.
 */
export async function onboardTenant(deps: AppDeps, input: CreateTenantBody, hooks: OnboardingHooks = {}): Promise<TenantCreated> {
  const schemaName = assertSchemaName(`${input.tenant_code.toLowerCase()}_schema`);
  const passwordHash = await deps.passwords.hash(input.admin.password);
  return inOwnerTransaction(deps.db, async (tx, client) => {
    if (input.parent_tenant_id && !(await findTenantById(tx, input.parent_tenant_id))) {
      throw new BusinessRuleError('The parent tenant does not exist.', [{ path: 'body.parent_tenant_id', message: 'does not exist' }]);
    }
    const { admin, ...registry } = input;
    const tenant = await insertTenant(tx, { ...registry, schema_name: schemaName });
    await createTenantSchema(tx, schemaName, { distributed: deps.db.isCitus });
    await migrateTenantSchema(client, tenant);
    await recordSchemaVersion(client, tenant.tenant_id);
    await enterTenant(tx, tenant, 'onboarding');
    const roleIds = await reconcileSystemRoles(tx);
    await createFirstAdmin(tx, {
      email: admin.email, password_hash: passwordHash, first_name: admin.first_name, last_name: admin.last_name,
    }, roleIds.get('insurance_provider_admin') as string, deps.config.mfa.adminSetPasswordMustChange);
    await hooks.beforeCommit?.(tx);
    return { tenant_id: tenant.tenant_id, tenant_code: tenant.tenant_code, schema_name: tenant.schema_name, status: tenant.status };
  });
}
