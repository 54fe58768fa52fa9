import knexFactory, { type Knex } from 'knex';
import ClientPG from 'knex/lib/dialects/postgres/index.js';
import TransactionPG from 'knex/lib/dialects/postgres/execution/pg-transaction.js';
import pg from 'pg';
import { connectionConfig } from './credentials.js';
import { openingStatements, type PreparedOpening } from './sql-literals.js';

// DATE stays 'YYYY-MM-DD' (no time-zone shift); bigint counts fit in a JS number; NUMERIC stays a string (money).
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export interface ScopedTransactionConfig extends Knex.TransactionConfig {
  /** Statements sent in the same simple query as BEGIN. */
  readonly preamble?: string;
  /** A prepared SELECT run after the preamble, in the same simple query. */
  readonly opening?: PreparedOpening;
  /** Receives the rows of the opening. */
  readonly opened?: (rows: Record<string, unknown>[]) => void;
}

/**
 * The openings each pooled connection has prepared, least recently used first (a prepared statement lives as long
 * as its connection, and holds ~300 KB of the server's memory for the caller's opening).
 */
const preparedOn = new WeakMap<object, Set<string>>();

/** Past `limit` prepared openings on a connection, the least recently used one to drop; `name` becomes the newest. */
function useOpening(prepared: Set<string>, name: string, limit: number): string | undefined {
  prepared.delete(name);
  prepared.add(name);
  if (prepared.size <= limit) return undefined;
  const oldest = prepared.values().next().value as string;
  prepared.delete(oldest);
  return oldest;
}

interface QueryResponse { readonly response: pg.QueryResult | pg.QueryResult[] }
interface TransactionInternals {
  trxClient: { query(conn: unknown, sql: string): Promise<QueryResponse> };
  _completed: boolean;
  transactor: Knex.Transaction | undefined;
  _resolver(value: unknown): void;
  _rejecter(error: unknown): void;
}

/**
 * Statements that ride a transaction's COMMIT (one simple query: `<statements>; COMMIT`), saving their own round
 * trip: writes whose result nobody reads, such as the read audit's row. Only transactions opened by a scope on
 * PostgreSQL accept riders; elsewhere (Citus, a savepoint, an owner transaction) the statement runs at once.
 */
const commitRiders = new WeakMap<Knex.Transaction, string[]>();

/**
 * Statement text (literals only) that knex sends as written: knex turns every `?` into a bind placeholder ($1, ...),
 * even inside a quoted literal, unless it is escaped as `\?`. A backslash right before a `?` cannot survive that
 * rewriting (knex drops it), so such text is refused rather than sent altered.
 */
export function verbatim(sql: string): string {
  if (sql.includes('\\?')) throw new Error('a literal statement must not hold a backslash before "?" (knex would drop it)');
  return sql.replace(/\?/g, '\\?');
}

export function acceptCommitRiders(tx: Knex.Transaction): void {
  commitRiders.set(tx, []);
}

/**
 * Runs read statements (literals only, no bindings) in `tx`, answering their results in order: as one simple query
 * where the transaction takes commit riders (a scope's, on PostgreSQL), else one round trip each (Citus replays every
 * query string holding a SET LOCAL on its workers, so it gets no batches). In READ COMMITTED each statement of the
 * simple query takes its own snapshot, as it would in a round trip of its own.
 */
export async function readTogether(tx: Knex.Transaction, statements: readonly string[]): Promise<pg.QueryResult[]> {
  if (!commitRiders.has(tx)) {
    const results: pg.QueryResult[] = [];
    for (const statement of statements) results.push(await tx.raw(verbatim(statement)));
    return results;
  }
  const answer: pg.QueryResult | pg.QueryResult[] = await tx.raw(verbatim(statements.join(';\n')));
  const results = Array.isArray(answer) ? answer : [answer];
  if (results.length !== statements.length) throw new Error(`expected ${statements.length} answers, got ${results.length}`);
  return results;
}

/** Runs `statement` (literals only, no bindings) in `tx` before it commits; a failure fails the commit. */
export async function rideCommit(tx: Knex.Transaction, statement: string): Promise<void> {
  const riders = commitRiders.get(tx);
  if (riders) riders.push(statement);
  else await tx.raw(verbatim(statement));
}

// Subclasses Knex's (untyped, internal) PostgreSQL transaction: package.json pins knex exactly for that reason.

/** Sends `BEGIN; <preamble>` as one simple query, so a scoped transaction costs one round trip to open. */
class PreambleTransaction extends TransactionPG {
  private readonly preamble: string | undefined;
  private readonly opening: PreparedOpening | undefined;
  private readonly opened: ScopedTransactionConfig['opened'];
  private readonly openingsPerConnection: number;

  constructor(client: ScopedClientPG, container: unknown, config: ScopedTransactionConfig | undefined, outerTx: unknown) {
    super(client, container, config, outerTx);
    // Set before begin() runs: the transaction starts on a later tick.
    this.preamble = config?.preamble;
    this.opening = config?.opening;
    this.opened = config?.opened;
    this.openingsPerConnection = client.openingsPerConnection;
  }

  override async begin(conn: unknown): Promise<unknown> {
    if (!this.preamble) return super.begin(conn);
    const self = this as unknown as TransactionInternals;
    const prepared = preparedOn.get(conn as object) ?? new Set<string>();
    preparedOn.set(conn as object, prepared);
    const known = this.opening !== undefined && prepared.has(this.opening.name);
    const dropped = this.opening ? useOpening(prepared, this.opening.name, this.openingsPerConnection) : undefined;
    const opening = this.opening ? openingStatements(this.opening, known, dropped) : [];
    let answer: QueryResponse;
    try {
      answer = await self.trxClient.query(conn, verbatim(['BEGIN', this.preamble, ...opening].join('; ')));
    } catch (error) {
      // A statement failing after BEGIN in one simple query leaves the transaction open and aborted: close it here,
      // before the connection goes back to the pool, then fail the transaction (Knex rejects it with this error).
      // PREPARE and DEALLOCATE are not transactional: whether they ran is unknown, so both statements are dropped
      // (the opening to be prepared anew).
      await self.trxClient.query(conn, 'ROLLBACK').catch(() => undefined);
      for (const name of [dropped, this.opening && !known ? this.opening.name : undefined]) {
        if (!name) continue;
        prepared.delete(name);
        await self.trxClient.query(conn, `DEALLOCATE ${name}`).catch(() => undefined);
      }
      self._completed = true;
      throw error;
    }
    const results = Array.isArray(answer.response) ? answer.response : [answer.response];
    // The opening's rows: the answer to its EXECUTE, the one SELECT of the batch.
    this.opened?.([...results].reverse().find((result) => result.command === 'SELECT')?.rows ?? []);
    return answer;
  }

  override commit(conn: unknown, value: unknown): Promise<unknown> {
    const self = this as unknown as TransactionInternals;
    const riders = self.transactor ? commitRiders.get(self.transactor) : undefined;
    if (!riders?.length) return super.commit(conn, value);
    // Knex's own commit, with the riders in front; a rider that fails leaves the transaction aborted and open,
    // so it is rolled back here before the connection goes back to the pool.
    const sent = self.trxClient.query(conn, verbatim(`${riders.join('; ')}; COMMIT;`)).then(
      (answer) => { self._resolver(value); return answer; },
      async (error: unknown) => {
        self._completed = false;
        await self.trxClient.query(conn, 'ROLLBACK').catch(() => undefined);
        self._completed = true;
        self._rejecter(error);
      });
    self._completed = true;
    return sent;
  }
}

class ScopedClientPG extends ClientPG {
  /** PoolOptions.openingsPerConnection (createKnex puts it in the knex config). */
  get openingsPerConnection(): number {
    return (this as unknown as { config: ScopedConfig }).config.openingsPerConnection;
  }

  transaction(container: unknown, config: ScopedTransactionConfig | undefined, outerTx: unknown): PreambleTransaction {
    return new PreambleTransaction(this, container, config, outerTx);
  }
}

/** Prepared openings kept per connection (DB_OPENINGS_PER_CONNECTION): one per tenant schema it serves. */
const DEFAULT_OPENINGS_PER_CONNECTION = 500;

/** Defaults for the pool's timeouts; config.ts (DB_*) overrides them for the app's pool. */
export const STATEMENT_TIMEOUT_MS = 30_000;
/** A transaction left open and idle this long is ended by the server (25P03), releasing its locks and connection. */
export const IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000;

export interface PoolOptions {
  /** A statement running longer is cancelled (57014, answered 503): a runaway query cannot pin a pooled connection. */
  readonly statementTimeoutMs?: number;
  /** A connection older than this is closed when next validated instead of reused; 0 means no limit. */
  readonly connectionLifetimeSeconds?: number;
  /** How long an acquire waits for a free connection (KnexTimeoutError, answered 503). */
  readonly acquireTimeoutMs?: number;
  /** Where Knex's own warnings go (a dropped connection, a failed connect) instead of the console. */
  readonly log?: (message: string) => void;
  /** Read at each new connection (a rotated password file); the connection string then carries no password. */
  readonly password?: (() => Promise<string>) | undefined;
  /** How many prepared openings a connection keeps (one per tenant schema), least recently used dropped first. */
  readonly openingsPerConnection?: number;
}

/** Knex keeps its whole config on the client: ScopedClientPG reads its own setting from there. */
type ScopedConfig = Knex.Config & { readonly openingsPerConnection: number };

export function createKnex(connectionString: string, poolMax: number, options: PoolOptions = {}): Knex {
  const lifetimeMs = (options.connectionLifetimeSeconds ?? 0) * 1000;
  const config: ScopedConfig = {
    client: ScopedClientPG as unknown as typeof knexFactory.Client,
    // pg sends both timeouts as startup parameters: every pooled connection has them from its first statement.
    connection: {
      ...connectionConfig(connectionString, options.password),
      application_name: 'agent-mitra',
      statement_timeout: options.statementTimeoutMs ?? STATEMENT_TIMEOUT_MS,
      idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_TIMEOUT_MS,
    },
    // knex 3.3 retires a connection past maxConnectionLifetimeMillis (plus jitter, so they do not all go at once).
    pool: { min: 0, max: poolMax, ...(lifetimeMs > 0 ? { maxConnectionLifetimeMillis: lifetimeMs,
      maxConnectionLifetimeJitterMillis: Math.round(lifetimeMs / 10) } : {}) } as Knex.PoolConfig,
    acquireConnectionTimeout: options.acquireTimeoutMs ?? 10_000,
    openingsPerConnection: options.openingsPerConnection ?? DEFAULT_OPENINGS_PER_CONNECTION,
    ...(options.log ? { log: { warn: options.log, error: options.log, debug: () => undefined, deprecate: options.log } } : {}),
  };
  return knexFactory(config);
}
