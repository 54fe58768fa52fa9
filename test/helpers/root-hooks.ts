import crypto from 'node:crypto';
import { boot } from '../../src/boot.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { setTestDeps, testDeps } from './context.js';

// One database for the whole run: a throwaway embedded cluster (or DATABASE_URL), migrated once. Test files
// isolate themselves by onboarding their own tenants. argon2's cost is lowered here, and only here.
export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(120_000);
    const config = loadConfig({
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
      DATA_DIR: process.env.DATA_DIR ?? '.data/test',
      JWT_SECRET: crypto.randomBytes(32).toString('hex'),
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_TIME_COST: '1',
      ARGON2_PARALLELISM: '1',
      LOGIN_RATE_LIMIT_PER_MINUTE: '1000000',
      SEED_DEMO: 'false',
      DB_POOL_MAX: '4',
      SUPER_ADMIN_EMAIL: 'root@platform.test',
      SUPER_ADMIN_PASSWORD: 'Platform#Root2026',
    });
    setTestDeps(await boot(config, createLogger(config), 'throwaway'));
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(30_000);
    await testDeps().db.close();
  },
};
