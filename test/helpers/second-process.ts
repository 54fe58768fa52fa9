import type { Express } from 'express';
import { createApp } from '../../src/app.js';
import type { Database } from '../../src/db/database.js';
import { createKnex } from '../../src/db/knex.js';
import { createDeps, type AppDeps } from '../../src/deps.js';
import { testDeps } from './context.js';

/**
 * Another app process on the same database: its own pool, tenant cache, rate-limit store and job queue, the same
 * configuration (so tokens from one are good at the other).
 */
export function secondAppProcess(options: { poolMax?: number; openingsPerConnection?: number } = {}): { app: Express; deps: AppDeps; close(): Promise<void> } {
  const base = testDeps();
  const knex = createKnex(base.db.appUrl, options.poolMax ?? 4, { openingsPerConnection: options.openingsPerConnection });
  const db: Database = { ...base.db, app: knex, close: () => knex.destroy() };
  const deps = createDeps(base.config, db, base.log);
  return { app: createApp(deps), deps, close: async () => { await deps.jobs.stop(); await knex.destroy(); } };
}
