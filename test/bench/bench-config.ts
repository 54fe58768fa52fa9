import type { Config } from '../../src/config.js';
import { testConfig } from '../helpers/test-config.js';

/**
 * The benches' configuration: the suite's (argon2 at the test cost, password-only sign-in for the bench's actors)
 * in `development`, which runs the code as production does (replies are checked against the spec only under `test`)
 * but, unlike `production`, lets administrators sign in without a second factor. Logs stay JSON, as in production.
 */
export function benchConfig(dataDir: string, overrides: NodeJS.ProcessEnv = {}): Config {
  return testConfig(dataDir, { NODE_ENV: 'development', LOG_PRETTY: 'false', ...overrides });
}
