import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { urlsWithoutTls } from './db/sslmode.js';

const booleanFromEnv = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1');

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: z.url().optional(),
  DATABASE_URL: z.url().optional(),
  DATABASE_APP_URL: z.url().optional(),
  DATABASE_PLATFORM_URL: z.url().optional(),
  /** Files holding the runtime / platform role's password, read at each new connection (`npm run db:rotate-credentials`). */
  DATABASE_APP_PASSWORD_FILE: z.string().min(1).optional(),
  DATABASE_PLATFORM_PASSWORD_FILE: z.string().min(1).optional(),
  /** Hosts counted as this machine for the TLS rule (comma-separated), e.g. a compose service on a private network. */
  DATABASE_LOCAL_HOSTS: z.string().default(''),
  DATA_DIR: z.string().min(1).default('.data'),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  DB_CONNECTION_LIFETIME_SECONDS: z.coerce.number().int().min(0).default(1800),
  DB_ACQUIRE_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  DB_OPENINGS_PER_CONNECTION: z.coerce.number().int().min(1).default(500),
  RUN_WORKERS: booleanFromEnv.default(true),
  JOBS_POOL_MAX: z.coerce.number().int().min(2).max(50).default(4),
  JOBS_CONCURRENCY: z.coerce.number().int().min(1).max(50).default(2),
  JOBS_POLL_INTERVAL_MS: z.coerce.number().int().min(500).default(2000),
  OUTBOX_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).default(10_000),
  LOG_PRETTY: booleanFromEnv.optional(),
  DB_PLATFORM_POOL_MAX: z.coerce.number().int().min(1).max(200).default(4),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  MASTER_KEY: z.string().min(1).optional(),
  JWT_ISSUER: z.string().min(1).default('agent-mitra'),
  JWT_AUDIENCE: z.string().min(1).default('agent-mitra-api'),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(86_400).default(900),
  REFRESH_TOKEN_TTL_SECONDS: z.coerce.number().int().min(300).default(30 * 86_400),
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).default(12 * 60),
  ADMIN_SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).default(30),
  SUPER_ADMIN_EMAIL: z.email().optional(),
  SUPER_ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ARGON2_MEMORY_KIB: z.coerce.number().int().min(1024).default(65_536),
  ARGON2_TIME_COST: z.coerce.number().int().min(1).default(3),
  ARGON2_PARALLELISM: z.coerce.number().int().min(1).max(16).default(4),
  LOGIN_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  LOGIN_RATE_LIMIT_PER_ACCOUNT_PER_MINUTE: z.coerce.number().int().min(1).default(10),
  LOGIN_RATE_LIMIT_GLOBAL_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  ARGON2_MAX_CONCURRENT: z.coerce.number().int().min(1).max(64).optional(),
  ARGON2_QUEUE_WAIT_MS: z.coerce.number().int().min(0).max(30_000).default(2000),
  BODY_LIMIT: z.string().regex(/^\d+(b|kb|mb)$/i, 'like 100kb or 1mb').default('100kb'),
  SEED_DEMO: booleanFromEnv.optional(),
  TENANT_BASE_DOMAIN: z.string().regex(/^[a-z0-9.-]+$/).optional(),
  TRUST_PROXY: z.union([z.coerce.number().int().min(0).max(10), booleanFromEnv]).default(false),
  TENANT_CACHE_TTL_MS: z.coerce.number().int().min(0).default(60_000),
  DOCUMENTS_DIR: z.string().min(1).optional(),
  DOCUMENT_MAX_BYTES: z.coerce.number().int().min(1024).max(1024 ** 3).default(10 * 1024 ** 2),
  MFA_REQUIRED_FOR_ADMINS: booleanFromEnv.optional(),
  STEP_UP_MAX_AGE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(10),
  ADMIN_SET_PASSWORD_MUST_CHANGE: booleanFromEnv.optional(),
  MFA_ISSUER: z.string().min(1).max(64).default('Agent Mitra'),
  WEBAUTHN_RP_ID: z.string().trim().toLowerCase().regex(/^[a-z0-9.-]+$/, 'must be a host name').optional(),
  WEBAUTHN_ORIGINS: z.string().optional(),
});

export type Env = z.infer<typeof EnvSchema>;

export interface Config {
  readonly env: Env['NODE_ENV'];
  readonly host: string;
  readonly port: number;
  readonly publicUrl: string | undefined;
  readonly databaseUrl: string | undefined;
  readonly databaseAppUrl: string | undefined;
  readonly databasePlatformUrl: string | undefined;
  readonly databasePasswordFiles: { readonly app: string | undefined; readonly platform: string | undefined };
  readonly dataDir: string;
  readonly dbPoolMax: number;
  /** A statement running longer is cancelled (a 503); applies to every pooled connection. */
  readonly dbStatementTimeoutMs: number;
  /** A pooled connection older than this is closed instead of reused (0: no limit), so fail-overs and DNS changes take. */
  readonly dbConnectionLifetimeSeconds: number;
  /** How long a request waits for a pooled connection before it is answered 503. */
  readonly dbAcquireTimeoutMs: number;
  /** Prepared openings (one per tenant schema served) a pooled connection keeps, least recently used dropped first. */
  readonly dbOpeningsPerConnection: number;
  /** Whether this process also runs the job workers (`npm run worker` runs only them). */
  readonly runWorkers: boolean;
  readonly jobs: {
    readonly poolMax: number;
    readonly concurrency: number;
    readonly pollIntervalMs: number;
    readonly outboxSweepIntervalMs: number;
  };
  /** Human-readable logs (pino-pretty, a development dependency). */
  readonly logPretty: boolean;
  /** Connections of the platform role (super admins, tenant registry, readiness). */
  readonly dbPlatformPoolMax: number;
  readonly jwt: {
    readonly secret: string;
    readonly issuer: string;
    readonly audience: string;
    readonly accessTtlSeconds: number;
    readonly refreshTtlSeconds: number;
  };
  /** The root of encryption at rest (tenant data keys, MFA secrets): 32 bytes; a KMS can replace it later. */
  readonly masterKey: Buffer;
  readonly superAdmin: { readonly email: string; readonly password: string } | undefined;
  /** A session idle longer than this cannot be refreshed: for users who manage users or roles, and for others. */
  readonly sessionIdleSeconds: { readonly admin: number; readonly other: number };
  readonly logLevel: Env['LOG_LEVEL'];
  readonly argon2: { readonly memoryCost: number; readonly timeCost: number; readonly parallelism: number };
  /** argon2 computations at once (memory: this × memoryCost), and how long one may wait for a slot. */
  readonly hashing: { readonly maxConcurrent: number; readonly maxWaitMs: number; readonly maxQueued: number };
  /** Sign-in attempts a minute: per client address, per account named (known or not), across all addresses. */
  readonly loginRateLimitPerMinute: number;
  readonly loginRateLimitPerAccountPerMinute: number;
  readonly loginRateLimitGlobalPerMinute: number;
  readonly bodyLimit: string;
  readonly seedDemo: boolean;
  /** Logins to <code>.<domain> resolve the tenant from the subdomain. */
  readonly tenantBaseDomain: string | undefined;
  readonly tenantCacheTtlMs: number;
  /** Express 'trust proxy': true, or how many proxy hops to trust for the client address. */
  readonly trustProxy: boolean | number;
  /** Claim documents: where the files are kept (one folder per tenant) and the largest file accepted. */
  readonly documents: { readonly dir: string; readonly maxBytes: number };
  /**
   * MFA and step-up: whether super admins and users who may manage users or roles must use TOTP, how recent a
   * sign-in the sensitive changes need, whether a password an administrator set must be changed at the next sign-in,
   * and the issuer name authenticator apps show.
   */
  readonly mfa: { readonly requiredForAdmins: boolean; readonly stepUpMaxAgeSeconds: number;
    readonly adminSetPasswordMustChange: boolean; readonly issuer: string };
  /**
   * WebAuthn (security keys, passkeys): the relying party id credentials are bound to (a host name) and the origins
   * the browser may report; both from PUBLIC_URL unless WEBAUTHN_RP_ID / WEBAUTHN_ORIGINS (comma-separated) say.
   */
  readonly webauthn: { readonly rpId: string; readonly rpName: string; readonly origins: readonly string[] };
}

export class ConfigError extends Error {}

/** Demo super admin used only outside production when none is configured; printed at start. */
export const DEMO_SUPER_ADMIN = { email: 'superadmin@agentmitra.local', password: 'SuperAdmin#2026' };

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const env = parsed.data;
  const dataDir = path.resolve(env.DATA_DIR);
  const isProduction = env.NODE_ENV === 'production';
  if (isProduction && !env.JWT_SECRET) throw new ConfigError('Invalid configuration:\n  JWT_SECRET: required in production');
  if (isProduction && !env.MASTER_KEY) throw new ConfigError('Invalid configuration:\n  MASTER_KEY: required in production');
  // ASVS V2.5.4: the demo tenants sign in with published passwords; they never exist in production.
  if (isProduction && env.SEED_DEMO) throw new ConfigError('Invalid configuration:\n  SEED_DEMO: refused in production (demo logins have published passwords)');
  // ASVS V2.7, V4.3.1: administrators sign in with a second factor; production cannot switch that off.
  if (isProduction && env.MFA_REQUIRED_FOR_ADMINS === false) {
    throw new ConfigError('Invalid configuration:\n  MFA_REQUIRED_FOR_ADMINS: cannot be false in production');
  }
  const withoutTls = isProduction ? urlsWithoutTls({ DATABASE_URL: env.DATABASE_URL, DATABASE_APP_URL: env.DATABASE_APP_URL,
    DATABASE_PLATFORM_URL: env.DATABASE_PLATFORM_URL }, env.DATABASE_LOCAL_HOSTS.split(',')) : [];
  if (withoutTls.length) {
    throw new ConfigError(`Invalid configuration:\n${withoutTls.map((name) =>
      `  ${name}: a remote database needs sslmode=require, verify-ca or verify-full in production`).join('\n')}`);
  }
  if (Boolean(env.SUPER_ADMIN_EMAIL) !== Boolean(env.SUPER_ADMIN_PASSWORD)) {
    throw new ConfigError('Invalid configuration:\n  SUPER_ADMIN_EMAIL and SUPER_ADMIN_PASSWORD go together');
  }
  const superAdmin = env.SUPER_ADMIN_EMAIL && env.SUPER_ADMIN_PASSWORD
    ? { email: env.SUPER_ADMIN_EMAIL.trim().toLowerCase(), password: env.SUPER_ADMIN_PASSWORD }
    : isProduction ? undefined : DEMO_SUPER_ADMIN;

  return Object.freeze({
    env: env.NODE_ENV,
    host: env.HOST,
    port: env.PORT,
    publicUrl: env.PUBLIC_URL,
    databaseUrl: env.DATABASE_URL,
    databaseAppUrl: env.DATABASE_APP_URL,
    databasePlatformUrl: env.DATABASE_PLATFORM_URL,
    databasePasswordFiles: Object.freeze({ app: env.DATABASE_APP_PASSWORD_FILE, platform: env.DATABASE_PLATFORM_PASSWORD_FILE }),
    dataDir,
    dbPoolMax: env.DB_POOL_MAX,
    dbStatementTimeoutMs: env.DB_STATEMENT_TIMEOUT_MS,
    dbConnectionLifetimeSeconds: env.DB_CONNECTION_LIFETIME_SECONDS,
    dbAcquireTimeoutMs: env.DB_ACQUIRE_TIMEOUT_MS,
    dbOpeningsPerConnection: env.DB_OPENINGS_PER_CONNECTION,
    runWorkers: env.RUN_WORKERS,
    jobs: Object.freeze({
      poolMax: env.JOBS_POOL_MAX,
      concurrency: env.JOBS_CONCURRENCY,
      pollIntervalMs: env.JOBS_POLL_INTERVAL_MS,
      outboxSweepIntervalMs: env.OUTBOX_SWEEP_INTERVAL_MS,
    }),
    logPretty: env.LOG_PRETTY ?? env.NODE_ENV === 'development',
    dbPlatformPoolMax: env.DB_PLATFORM_POOL_MAX,
    jwt: Object.freeze({
      secret: env.JWT_SECRET ?? persistedSecret(dataDir, 'jwt-secret'),
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      accessTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
      refreshTtlSeconds: env.REFRESH_TOKEN_TTL_SECONDS,
    }),
    masterKey: masterKeyFrom(env.MASTER_KEY ?? persistedSecret(dataDir, 'master-key', 32)),
    superAdmin,
    sessionIdleSeconds: Object.freeze({ admin: env.ADMIN_SESSION_IDLE_MINUTES * 60, other: env.SESSION_IDLE_MINUTES * 60 }),
    logLevel: env.LOG_LEVEL,
    argon2: Object.freeze({
      memoryCost: env.ARGON2_MEMORY_KIB,
      timeCost: env.ARGON2_TIME_COST,
      parallelism: env.ARGON2_PARALLELISM,
    }),
    hashing: Object.freeze({
      maxConcurrent: env.ARGON2_MAX_CONCURRENT ?? Math.min(4, os.availableParallelism()),
      maxWaitMs: env.ARGON2_QUEUE_WAIT_MS,
      maxQueued: 1000,
    }),
    loginRateLimitPerMinute: env.LOGIN_RATE_LIMIT_PER_MINUTE,
    loginRateLimitPerAccountPerMinute: env.LOGIN_RATE_LIMIT_PER_ACCOUNT_PER_MINUTE,
    loginRateLimitGlobalPerMinute: env.LOGIN_RATE_LIMIT_GLOBAL_PER_MINUTE,
    bodyLimit: env.BODY_LIMIT,
    seedDemo: env.SEED_DEMO ?? !isProduction,
    tenantBaseDomain: env.TENANT_BASE_DOMAIN ?? 'agentmitra.in',
    tenantCacheTtlMs: env.TENANT_CACHE_TTL_MS,
    trustProxy: env.TRUST_PROXY,
    documents: Object.freeze({
      dir: env.DOCUMENTS_DIR ? path.resolve(env.DOCUMENTS_DIR) : path.join(dataDir, 'documents'),
      maxBytes: env.DOCUMENT_MAX_BYTES,
    }),
    mfa: Object.freeze({
      requiredForAdmins: env.MFA_REQUIRED_FOR_ADMINS ?? isProduction,
      stepUpMaxAgeSeconds: env.STEP_UP_MAX_AGE_MINUTES * 60,
      adminSetPasswordMustChange: env.ADMIN_SET_PASSWORD_MUST_CHANGE ?? isProduction,
      issuer: env.MFA_ISSUER,
    }),
    webauthn: webauthnSettings(env),
  });
}

/** A random secret generated once and kept under the data dir, so restarts keep tokens valid in development. */
export function persistedSecret(dataDir: string, name: string, bytes = 48): string {
  const file = path.join(dataDir, name);
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    fs.mkdirSync(dataDir, { recursive: true });
    const secret = crypto.randomBytes(bytes).toString('base64url');
    fs.writeFileSync(file, secret, { mode: 0o600 });
    return secret;
  }
}

/** Node's base64 decoder also reads the URL-safe alphabet, so either spelling of the key works. */
function masterKeyFrom(encoded: string): Buffer {
  const key = Buffer.from(encoded, 'base64');
  if (key.length !== 32) throw new ConfigError('Invalid configuration:\n  MASTER_KEY: must be 32 bytes in base64');
  return key;
}

/** The relying party: from WEBAUTHN_RP_ID and WEBAUTHN_ORIGINS, else PUBLIC_URL, else this server on localhost. */
function webauthnSettings(env: Env): Config['webauthn'] {
  const publicUrl = env.PUBLIC_URL ? new URL(env.PUBLIC_URL) : undefined;
  const listed = env.WEBAUTHN_ORIGINS?.split(',').map((origin) => origin.trim()).filter(Boolean) ?? [];
  const origins = listed.map((origin) => {
    try {
      return new URL(origin).origin;
    } catch {
      throw new ConfigError(`Invalid configuration:\n  WEBAUTHN_ORIGINS: ${origin} is not an origin`);
    }
  });
  if (!origins.length) origins.push(publicUrl?.origin ?? `http://localhost:${env.PORT}`);
  const rpId = env.WEBAUTHN_RP_ID ?? publicUrl?.hostname ?? 'localhost';
  const foreign = origins.find((origin) => { const host = new URL(origin).hostname; return host !== rpId && !host.endsWith(`.${rpId}`); });
  if (foreign) throw new ConfigError(`Invalid configuration:\n  WEBAUTHN_ORIGINS: ${foreign} is not ${rpId} or a subdomain of it`);
  return Object.freeze({ rpId, rpName: env.MFA_ISSUER, origins: Object.freeze(origins) });
}
