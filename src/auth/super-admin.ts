import { inOwnerTransaction } from '../db/privileged.js';
import type { AppDeps } from '../deps.js';
import { hasActiveSuperAdmin, insertSuperAdmin, lockPlatformUsers } from './account-repository.js';

/** On first start, creates the configured platform super admin when there is none (owner path: runtime may not insert). */
export async function ensureSuperAdmin(deps: AppDeps): Promise<'created' | 'exists' | 'not_configured'> {
  const wanted = deps.config.superAdmin;
  if (!wanted) return 'not_configured';
  const passwordHash = await deps.passwords.hash(wanted.password);
  return inOwnerTransaction(deps.db, async (tx) => {
    await lockPlatformUsers(tx);
    if (await hasActiveSuperAdmin(tx)) return 'exists';
    await insertSuperAdmin(tx, { email: wanted.email, password_hash: passwordHash });
    return 'created';
  });
}
