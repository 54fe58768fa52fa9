import { insertSuperAdmin } from '../../src/auth/account-repository.js';
import { boot } from '../../src/boot.js';
import { inOwnerTransaction } from '../../src/db/privileged.js';
import type { AppDeps } from '../../src/deps.js';
import { createLogger } from '../../src/logger.js';
import { setTestDeps, testDeps } from './context.js';
import { SUPER_ADMIN, testConfig } from './test-config.js';

// One database for the whole run: a throwaway embedded cluster (or DATABASE_URL), migrated once. Test files
// isolate themselves by onboarding their own tenants.
export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(120_000);
    const config = testConfig('.data/test', { DB_POOL_MAX: '4' });
    const deps = await boot(config, createLogger(config), 'throwaway');
    await ensureTestSuperAdmin(deps);
    setTestDeps(deps);
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(30_000);
    await testDeps().db.close();
  },
};

/** boot() creates a super admin only when there is none: a DATABASE_URL database may already have its own. */
async function ensureTestSuperAdmin(deps: AppDeps): Promise<void> {
  const passwordHash = await deps.passwords.hash(SUPER_ADMIN.password);
  await inOwnerTransaction(deps.db, async (tx) => {
    const existing = await tx('shared.platform_users').first('user_id').where({ email: SUPER_ADMIN.email });
    if (!existing) await insertSuperAdmin(tx, { email: SUPER_ADMIN.email, password_hash: passwordHash });
  });
}
