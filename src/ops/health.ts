import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { TokenService } from '../auth/tokens.js';
import type { Database } from '../db/database.js';
import { listMigrationFiles } from '../db/migrator.js';
import { inPlatformScope } from '../db/scope.js';
import { readMigrationState } from './readiness-repository.js';
import { bearerToken } from '../http/bearer.js';
import { sendProblem } from '../http/problem.js';

export const Health = z.object({ status: z.literal('ok') });

export const Readiness = z.object({
  status: z.literal('ready'),
  database: z.literal('ok'),
  migrations: z.object({ shared: z.literal('current'), tenants_behind: z.literal(0) }),
});

/** The 503 body: problem details plus what is behind. */
export const NotReady = z.object({
  type: z.string(),
  title: z.string(),
  status: z.literal(503),
  code: z.literal('service.unavailable'),
  detail: z.string(),
  database: z.enum(['ok', 'unreachable']),
  migrations: z.literal('behind').describe('Without a super admin\'s token: only that migrations are behind').or(z.object({
    shared: z.enum(['current', 'behind']),
    shared_pending: z.array(z.string()),
    tenants_behind: z.number().int(),
    tenants: z.array(z.object({ tenant_code: z.string(), schema_version: z.string().nullable() }))
      .describe('The first 50 tenants not at the newest tenant migration'),
  })).optional(),
});
type NotReady = z.infer<typeof NotReady>;

const READINESS_TIMEOUT_MS = 3000;
const LISTED_TENANTS = 50;

export const healthz: RequestHandler = (_req, res) => {
  res.set('Cache-Control', 'no-store').json({ status: 'ok' });
};

interface MigrationState {
  readonly sharedPending: string[];
  readonly tenantsBehind: number;
  readonly tenants: { tenant_code: string; schema_version: string | null }[];
}

/** Whether the caller presented a valid super admin's access token: only they see which tenants are behind. */
function isPlatformCaller(req: Request, tokens: TokenService): boolean {
  const token = bearerToken(req);
  if (!token) return false;
  try {
    return tokens.verifyAccess(token).kind === 'platform';
  } catch {
    return false;
  }
}

/**
 * Database reachable (through the runtime and the platform roles) and every migration on disk applied. Anyone may
 * ask; what is behind (migration names, tenant codes) is told only to a super admin's bearer token.
 */
export function readyz(db: Database, log: Logger, tokens: TokenService): RequestHandler {
  // Read once: the files cannot change under a running process.
  let expected: Promise<[string[], string[]]> | undefined;
  return async (req, res) => {
    res.set('Cache-Control', 'no-store');
    let state: MigrationState;
    try {
      expected ??= Promise.all([listMigrationFiles('shared'), listMigrationFiles('tenant')]);
      const [shared, tenant] = await expected;
      state = await withTimeout(migrationState(db, shared, tenant.at(-1) ?? null), READINESS_TIMEOUT_MS);
    } catch (error) {
      // The cause goes to the log, not to whoever can reach this unauthenticated endpoint.
      log.warn({ err: error }, 'readiness check: the database does not answer');
      return sendNotReady(res, { ...notReady('The database does not answer.'), database: 'unreachable' });
    }
    if (!state.sharedPending.length && state.tenantsBehind === 0) {
      return res.json({ status: 'ready', database: 'ok', migrations: { shared: 'current', tenants_behind: 0 } });
    }
    if (!isPlatformCaller(req, tokens)) {
      return sendNotReady(res, { ...notReady('Migrations are behind.'), database: 'ok', migrations: 'behind' });
    }
    sendNotReady(res, { ...notReady(describeBehind(state)), database: 'ok', migrations: {
      shared: state.sharedPending.length ? 'behind' : 'current', shared_pending: state.sharedPending,
      tenants_behind: state.tenantsBehind, tenants: state.tenants,
    } });
  };
}

async function migrationState(db: Database, sharedFiles: string[], latestTenant: string | null): Promise<MigrationState> {
  // Both roles must answer: the platform role reads the ledgers, the runtime role serves every tenant request.
  const [row] = await Promise.all([
    inPlatformScope(db, null, (tx) => readMigrationState(tx, latestTenant, LISTED_TENANTS)),
    db.app.transaction((tx) => tx.raw('SELECT 1')),
  ]);
  const applied = new Set(row.applied);
  return { sharedPending: sharedFiles.filter((name) => !applied.has(name)), tenantsBehind: row.tenants_behind, tenants: row.tenants };
}

function describeBehind(state: MigrationState): string {
  const parts = [
    state.sharedPending.length ? `shared migrations not applied: ${state.sharedPending.join(', ')}` : '',
    state.tenantsBehind ? `${state.tenantsBehind} tenant(s) not at the newest tenant migration` : '',
  ];
  return `${parts.filter(Boolean).join('; ')}. Run npm run migrate.`;
}

function notReady(detail: string): Omit<NotReady, 'database'> {
  return { type: 'https://agentmitra.in/problems/503', title: 'Not ready', status: 503, code: 'service.unavailable', detail };
}

/** Problem details with the readiness fields as extension members. */
function sendNotReady(res: Response, body: NotReady): void {
  sendProblem(res, body);
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
