import type { Logger } from 'pino';
import type { RateLimitStoreFactory } from './auth/login-throttle.js';
import { PasswordHasher } from './auth/passwords.js';
import { noExtraction, type DocumentExtractor } from './claims/documents/extractor.js';
import { TokenService } from './auth/tokens.js';
import type { Config } from './config.js';
import { DataKeyring, installDataKeyring } from './data-protection/encryption/keyring.js';
import { LocalMasterKeyProvider } from './data-protection/encryption/master-key.js';
import type { Database } from './db/database.js';
import { JOB_DEFINITIONS } from './job-handlers.js';
import { JobQueue } from './jobs/queue.js';
import { PostgresRateLimitStore } from './limits/postgres-rate-limit-store.js';
import { InboxNotifier, type Notifier } from './notifications/notifier.js';
import { TenantRegistry } from './tenants/registry.js';

/** What request handling needs, built once at start (or per test suite) and passed down explicitly. */
export interface AppDeps {
  readonly config: Config;
  readonly db: Database;
  readonly log: Logger;
  readonly passwords: PasswordHasher;
  readonly tokens: TokenService;
  readonly tenants: TenantRegistry;
  /** Queues jobs (any process); runs them only where startJobs was asked for workers. */
  readonly jobs: JobQueue;
  /** Where the sign-in throttles keep their counters: PostgreSQL, so every process counts together. */
  readonly rateLimitStore: RateLimitStoreFactory;
  /** Reads claim documents after upload (an OCR service plugs in here); the default reads nothing. */
  readonly documentExtractor: DocumentExtractor;
  /** Sends account notices (src/notifications/); the default writes the user's inbox and logs. */
  readonly notifier: Notifier;
  /** The clock (ms since the epoch) of sign-in times, step-up and TOTP steps; tests pass one they control. */
  readonly now: () => number;
}

export function createDeps(config: Config, db: Database, log: Logger): AppDeps {
  // Sealed fields are opened wherever a transaction reads them (policyholders, the claims engine): one keyring per process.
  installDataKeyring(new DataKeyring(new LocalMasterKeyProvider(config.masterKey)));
  return {
    config,
    db,
    log,
    passwords: new PasswordHasher(config.argon2, config.hashing, config.masterKey),
    tokens: new TokenService(config.jwt),
    tenants: new TenantRegistry(db, config.tenantCacheTtlMs),
    jobs: new JobQueue(db.appUrl, JOB_DEFINITIONS, config.jobs.poolMax, log, db.appPassword),
    rateLimitStore: (name) => new PostgresRateLimitStore(db.app, `${name}:`),
    documentExtractor: noExtraction,
    notifier: new InboxNotifier(log),
    now: Date.now,
  };
}
