import knexFactory from 'knex';
import type pg from 'pg';
import type { Database } from './database.js';
import { withClient } from './roles.js';
import type { Tx } from './scope.js';

// The one privileged path: work as the owner role, outside any tenant scope. Used for onboarding (CREATE SCHEMA,
// tenant migrations, first admin) and start-up bootstrap; never for a tenant user's request.

const ownerDialect = knexFactory({ client: 'pg' });

/**
 * One owner transaction on a dedicated connection. `work` gets a Knex transaction and the same connection raw
 * (for node-pg-migrate); both see the same transaction. Rolls back on any error.
 */
export function inOwnerTransaction<T>(db: Database, work: (tx: Tx, client: pg.Client) => Promise<T>): Promise<T> {
  return withClient(db.ownerUrl, (client) => inTransactionOn(client, (tx) => work(tx, client)));
}

/** One transaction on an owner connection the caller already holds, as Knex and as the raw client alike. */
export function inTransactionOn<T>(client: pg.Client, work: (tx: Tx) => Promise<T>): Promise<T> {
  return ownerDialect.transaction(work, { connection: client });
}
