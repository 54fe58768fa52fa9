import type { Knex } from 'knex';
import type { Database } from './database.js';
import { acceptCommitRiders, type ScopedTransactionConfig } from './knex.js';
import { assertSchemaName, assertUuid, forSchema, inlinedOpening, type PreparedOpening } from './sql-literals.js';

/** The request's (or job's) transaction. Repositories take it as their first argument; there is no other way to the DB. */
export type Tx = Knex.Transaction;

export interface TenantRef {
  readonly tenant_id: string;
  readonly tenant_code: string;
  readonly schema_name: string;
}

/**
 * Which part of the agent book the transaction sees: the pre-order numbers [lo, hi] of the agents whose books are
 * visible (a junior's own number twice, a manager's subtree, the whole range for tenant-wide roles, 0 and -1 for
 * nobody), and the caller's own policyholder record when the caller is a policyholder user.
 */
export interface BookRange {
  readonly lo: number;
  readonly hi: number;
  readonly policyholder_id: string | null;
}

/** Agent numbers live in [1, MAX_AGENT_ORDER]: bigints that still fit a JS number exactly. */
export const MAX_AGENT_ORDER = Number.MAX_SAFE_INTEGER;
export const NO_BOOK: BookRange = { lo: 0, hi: -1, policyholder_id: null };
export const WHOLE_BOOK: BookRange = { lo: 0, hi: MAX_AGENT_ORDER, policyholder_id: null };

/** Every app.* setting a policy or trigger may read. Each scope sets all of them, empty when not applicable. */
interface ScopeValues {
  /** 'tenant' or 'platform': the shared platform tables (registry, super admins) answer only to 'platform'. */
  'app.scope': 'tenant' | 'platform';
  'app.tenant_id': string;
  'app.user_id': string;
  /** Who acts, for the audit trail: 'user', 'system:<job>' or 'anonymous' (sign-in, before a user is known). */
  'app.actor': string;
  'app.agent_lo': string;
  'app.agent_hi': string;
  'app.policyholder_id': string;
  /** The book policies' own-rows range: the policyholder user's id twice, else every uuid. */
  'app.policyholder_lo': string;
  'app.policyholder_hi': string;
  'app.platform_user_id': string;
}

/** Who a tenant transaction acts for: a signed-in user (the book range is set once the actor is loaded) or a job. */
export type ScopeIdentity = { readonly user_id: string } | { readonly system: string } | null;

const ACTOR_LABEL = /^[a-z][a-z0-9_:-]{0,62}$/;

/**
 * A tenant's transaction: search_path is the tenant's schema (from the registry record) then shared, never
 * public; the app.* settings are set with SET LOCAL so nothing outlives the transaction. A user starts with no
 * book (the actor loader widens it after one primary-key lookup); a system job sees the whole tenant.
 * Commits when `work` resolves, rolls back when it throws. Callers go through src/scope, not here.
 */
export function inTenantScope<T>(db: Database, tenant: TenantRef, identity: ScopeIdentity, work: (tx: Tx, opened: OpenedRows) => Promise<T>,
  opening?: PreparedOpening): Promise<T> {
  const schema = assertSchemaName(tenant.schema_name);
  return inScope(db, db.app, [schema, 'shared'], tenantValues(tenant, identity), work, opening && forSchema(opening, schema));
}

/** The rows of a scope's opening SELECT (empty without one). */
export type OpenedRows = Record<string, unknown>[];

/**
 * The platform's transaction (registry, providers, super admins): the shared schema only, on the platform role's
 * pool, the one role granted the platform tables.
 */
export function inPlatformScope<T>(db: Database, platformUserId: string | null, work: (tx: Tx, opened: OpenedRows) => Promise<T>,
  opening?: PreparedOpening): Promise<T> {
  return inScope(db, db.platform, ['shared'], {
    'app.scope': 'platform',
    'app.tenant_id': '',
    'app.user_id': '',
    'app.actor': platformUserId ? 'user' : 'anonymous',
    ...rangeValues(NO_BOOK),
    'app.platform_user_id': platformUserId ? assertUuid(platformUserId) : '',
  }, work, opening);
}

/**
 * The SQL expressions that set the book range inside a SELECT (set_config(..., true): transaction-local, like SET
 * LOCAL), for an opening query to narrow the book in the scope's first round trip. Each yields the value it set,
 * which `confirmBookRange` checks. Not on Citus, which propagates SET LOCAL to its workers but never set_config:
 * there the opening selects the expressions' inputs and `confirmBookRange` sends SET LOCAL.
 */
export function bookRangeSetters(db: Database, lo: string, hi: string, policyholderId: string): string {
  if (db.isCitus) {
    return 'NULL::text AS set_agent_lo, NULL::text AS set_agent_hi, NULL::text AS set_policyholder_id, '
      + 'NULL::text AS set_policyholder_lo, NULL::text AS set_policyholder_hi';
  }
  const own = `nullif((${policyholderId})::text, '')`;
  return `set_config('app.agent_lo', (${lo})::text, true) AS set_agent_lo, `
    + `set_config('app.agent_hi', (${hi})::text, true) AS set_agent_hi, `
    + `set_config('app.policyholder_id', coalesce(${own}, ''), true) AS set_policyholder_id, `
    + `set_config('app.policyholder_lo', coalesce(${own}, '${FIRST_UUID}'), true) AS set_policyholder_lo, `
    + `set_config('app.policyholder_hi', coalesce(${own}, '${LAST_UUID}'), true) AS set_policyholder_hi`;
}

/**
 * Makes sure the book range is in force for the rest of the transaction: where the opening's setters ran, their
 * answers must be exactly the range (anything else ends the request); elsewhere (Citus) it is set now.
 */
export async function confirmBookRange(db: Database, tx: Tx, range: BookRange, set: Record<string, unknown>): Promise<void> {
  if (db.isCitus) return setBookRange(db, tx, range);
  const expected = rangeValues(range);
  if (set.set_agent_lo !== expected['app.agent_lo'] || set.set_agent_hi !== expected['app.agent_hi']
    || set.set_policyholder_id !== expected['app.policyholder_id'] || set.set_policyholder_lo !== expected['app.policyholder_lo']
    || set.set_policyholder_hi !== expected['app.policyholder_hi']) {
    throw new Error('the opening query did not set the book range it read');
  }
}

/** Narrows (or widens) the agent book for the rest of the transaction: two integers and an id, no id lists. */
export async function setBookRange(db: Database, tx: Tx, range: BookRange): Promise<void> {
  const statements = Object.entries(rangeValues(range)).map(([name, value]) => `SET LOCAL ${name} = '${value}'`);
  if (!db.isCitus) {
    await tx.raw(statements.join('; '));
    return;
  }
  for (const statement of statements) await tx.raw(statement);
}

const FIRST_UUID = '00000000-0000-0000-0000-000000000000';
const LAST_UUID = 'ffffffff-ffff-ffff-ffff-ffffffffffff';

function rangeValues(range: BookRange): Pick<ScopeValues, 'app.agent_lo' | 'app.agent_hi' | 'app.policyholder_id' | 'app.policyholder_lo'
  | 'app.policyholder_hi'> {
  if (!Number.isSafeInteger(range.lo) || !Number.isSafeInteger(range.hi)) throw new Error('book range must be integers');
  const own = range.policyholder_id ? assertUuid(range.policyholder_id) : '';
  return {
    'app.agent_lo': String(range.lo),
    'app.agent_hi': String(range.hi),
    'app.policyholder_id': own,
    'app.policyholder_lo': own || FIRST_UUID,
    'app.policyholder_hi': own || LAST_UUID,
  };
}

function settingStatements(searchPath: string[], values: ScopeValues): string[] {
  return [
    `SET LOCAL search_path = ${searchPath.map((schema) => `"${schema}"`).join(', ')}`,
    ...Object.entries(values).map(([name, value]) => `SET LOCAL ${name} = '${value}'`),
  ];
}

function tenantValues(tenant: TenantRef, identity: ScopeIdentity): ScopeValues {
  const system = identity && 'system' in identity ? identity.system : null;
  if (system !== null && !ACTOR_LABEL.test(system)) throw new Error(`not a job name: ${JSON.stringify(system)}`);
  const userId = identity && 'user_id' in identity ? assertUuid(identity.user_id) : '';
  return {
    'app.scope': 'tenant',
    'app.tenant_id': assertUuid(tenant.tenant_id),
    'app.user_id': userId,
    'app.actor': system !== null ? `system:${system}` : userId ? 'user' : 'anonymous',
    ...rangeValues(system !== null ? WHOLE_BOOK : NO_BOOK),
    'app.platform_user_id': '',
  };
}

/**
 * Points an already open (privileged) transaction at a tenant, as inTenantScope does for a job: onboarding, seeds
 * and migrations act as the system actor `job` over the whole tenant.
 */
export async function enterTenant(tx: Tx, tenant: TenantRef, job = 'owner'): Promise<void> {
  await tx.raw(enterTenantSql(tenant, job));
}

/** enterTenant's SET LOCAL statements, for a plain pg client inside its own BEGIN (test and admin tools). */
export function enterTenantSql(tenant: TenantRef, job = 'owner'): string {
  return settingStatements([assertSchemaName(tenant.schema_name), 'shared'], tenantValues(tenant, { system: job })).join('; ');
}

/**
 * Opens the scope's transaction. On PostgreSQL, BEGIN, the settings and the opening (the caller's actor, a prepared
 * statement) travel as one simple query: one round trip before the handler's first query.
 */
function inScope<T>(db: Database, pool: Knex, searchPath: string[], values: ScopeValues, work: (tx: Tx, opened: OpenedRows) => Promise<T>,
  opening: PreparedOpening | undefined): Promise<T> {
  const statements = settingStatements(searchPath, values);
  if (!db.isCitus) {
    let opened: OpenedRows = [];
    const config: ScopedTransactionConfig = {
      preamble: statements.join('; '),
      ...(opening ? { opening, opened: (rows) => { opened = rows; } } : {}),
    };
    return pool.transaction((tx) => {
      acceptCommitRiders(tx);
      return work(tx, opened);
    }, config);
  }
  // Citus replays the whole query string of each SET LOCAL on the workers it opens later in the transaction, so
  // BEGIN goes on its own and the settings together after it, and the opening SELECT on its own: only SET LOCALs
  // are replayed. The opening goes as a plain statement there: a prepared one is not tried on Citus.
  return pool.transaction(async (tx) => {
    await tx.raw(statements.join('; '));
    const opened: OpenedRows = opening ? (await tx.raw<{ rows: OpenedRows }>(inlinedOpening(opening))).rows : [];
    return work(tx, opened);
  });
}
