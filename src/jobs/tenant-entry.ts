import type { AppDeps } from '../deps.js';
import { runAsSystem, type Scope } from '../scope/run.js';
import type { TenantRecord } from '../tenants/repository.js';

/**
 * The one place a job (or the outbox relay) enters a tenant: the scope requests use, with the system actor (no
 * user, the whole tenant), named after the job in the audit trail.
 */
export function inTenantAsSystem<T>(deps: AppDeps, tenant: TenantRecord, job: string, work: (scope: Scope) => Promise<T>): Promise<T> {
  // Queue names are `module.job`; the audit trail's actor label spells that `module:job`.
  return runAsSystem(deps, tenant, job.replaceAll('.', ':'), work);
}
