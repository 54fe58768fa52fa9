import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
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
    // Claim documents in a folder of this run's own: two runs side by side in one checkout (the suite on PostgreSQL
    // and on Citus) would otherwise share .data/test/documents, and one run's upload in flight would show up in
    // .incoming while the other checks that a refused upload left nothing there.
    const documentsDir = await mkdtemp(path.join(os.tmpdir(), 'agent-mitra-test-documents-'));
    const config = testConfig('.data/test', { DB_POOL_MAX: '4', DOCUMENTS_DIR: documentsDir });
    const deps = await boot(config, createLogger(config), 'throwaway');
    await ensureTestSuperAdmin(deps);
    setTestDeps(deps);
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(30_000);
    await testDeps().db.close();
    await rm(testDeps().config.documents.dir, { recursive: true, force: true });
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
