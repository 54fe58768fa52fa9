import crypto from 'node:crypto';
import { loadConfig, type Config } from '../../src/config.js';

export const SUPER_ADMIN = { email: 'root@platform.test', password: 'Platform#Root2026' };

/** Configuration for tests and the bench: argon2's cost is lowered here and nowhere else. */
export function testConfig(dataDir: string, overrides: NodeJS.ProcessEnv = {}): Config {
  return loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    DATA_DIR: process.env.DATA_DIR ?? dataDir,
    JWT_SECRET: crypto.randomBytes(32).toString('hex'),
    MASTER_KEY: crypto.randomBytes(32).toString('base64'),
    ARGON2_MEMORY_KIB: '1024',
    ARGON2_TIME_COST: '1',
    ARGON2_PARALLELISM: '1',
    LOGIN_RATE_LIMIT_PER_MINUTE: '1000000',
    LOGIN_RATE_LIMIT_PER_ACCOUNT_PER_MINUTE: '1000000',
    LOGIN_RATE_LIMIT_GLOBAL_PER_MINUTE: '1000000',
    // A loaded machine must not turn a test's burst of sign-ins into 503s; the flood tests set their own limits.
    ARGON2_QUEUE_WAIT_MS: '20000',
    SEED_DEMO: 'false',
    // Off for the suite's actors (they sign in with a password alone); test/api/mfa*.test.ts switch them on.
    MFA_REQUIRED_FOR_ADMINS: 'false',
    ADMIN_SET_PASSWORD_MUST_CHANGE: 'false',
    SUPER_ADMIN_EMAIL: SUPER_ADMIN.email,
    SUPER_ADMIN_PASSWORD: SUPER_ADMIN.password,
    ...overrides,
  });
}
