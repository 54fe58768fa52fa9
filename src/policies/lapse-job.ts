import type { Database } from '../db/database.js';
import { inPlatformScope } from '../db/scope.js';
import type { AppDeps } from '../deps.js';
import { runAsSystem } from '../scope/run.js';
import { listTenants, type TenantRecord } from '../tenants/repository.js';
import { businessToday, type IsoDate } from './calendar.js';
import { lapseOverduePoliciesInTenant } from './status.js';

// The daily lapse: for every active tenant, in that tenant's own scope with the system actor (audited as
// 'system:lapse'), the same statement the admin endpoint runs. A tenant that fails is reported; the rest still run.

export type TenantLapse =
  | { readonly tenant_code: string; readonly lapsed: number }
  | { readonly tenant_code: string; readonly error: string };

export async function activeTenants(db: Database): Promise<TenantRecord[]> {
  const all: TenantRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await inPlatformScope(db, null, (tx) => listTenants(tx, { limit: 200, cursor, status: 'active' }));
    all.push(...page.data);
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return all;
}

export async function lapseOverduePolicies(deps: Pick<AppDeps, 'db' | 'log'>, asOf: IsoDate = businessToday()): Promise<TenantLapse[]> {
  const results: TenantLapse[] = [];
  for (const tenant of await activeTenants(deps.db)) {
    try {
      const run = await runAsSystem(deps, tenant, 'lapse', async ({ tx, actor, log }) => {
        const result = await lapseOverduePoliciesInTenant(tx, actor, asOf);
        if (result.lapsed) log.info({ lapsed: result.lapsed, as_of: asOf }, 'lapsed overdue policies');
        return result;
      });
      results.push({ tenant_code: tenant.tenant_code, lapsed: run.lapsed });
    } catch (error) {
      deps.log.error({ err: error, tenant: tenant.tenant_code }, 'lapse run failed for a tenant');
      results.push({ tenant_code: tenant.tenant_code, error: error instanceof Error ? error.message : String(error) });
    }
  }
  return results;
}
