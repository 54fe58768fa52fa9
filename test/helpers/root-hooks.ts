import { boot } from '../../src/boot.js';
import { createLogger } from '../../src/logger.js';
import { setTestDeps, testDeps } from './context.js';
import { testConfig } from './test-config.js';

// One database for the whole run: a throwaway embedded cluster (or DATABASE_URL), migrated once. Test files
// isolate themselves by onboarding their own tenants.
export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(120_000);
    const config = testConfig('.data/test', { DB_POOL_MAX: '4' });
    setTestDeps(await boot(config, createLogger(config), 'throwaway'));
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(30_000);
    await testDeps().db.close();
  },
};
