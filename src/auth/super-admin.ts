import { inOwnerTransaction } from '../db/privileged.js';
import type { AppDeps } from '../deps.js';

/** On first start, creates the configured platform super admin when there is none (owner path: runtime may not insert). */
export async function ensureSuperAdmin(deps: AppDeps): Promise<'created' | 'exists' | 'not_configured'> {
  const wanted = deps.config.superAdmin;
  if (!wanted) return 'not_configured';
  return inOwnerTransaction(deps.db, async (tx) => {
    await tx.raw('LOCK TABLE shared.platform_users IN SHARE ROW EXCLUSIVE MODE');
    const existing = await tx('shared.platform_users').first('user_id').where({ role: 'super_admin', status: 'active' });
    if (existing) return 'exists';
    await tx('shared.platform_users').insert({
      email: wanted.email, password_hash: await deps.passwords.hash(wanted.password), first_name: 'Platform', last_name: 'Admin',
    });
    return 'created';
  });
}
