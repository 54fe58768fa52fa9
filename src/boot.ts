import type { Logger } from 'pino';
import { ensureSuperAdmin } from './auth/super-admin.js';
import type { Config } from './config.js';
import { assertPlatformTablesOutOfReach, openDatabase, type EmbeddedMode } from './db/database.js';
import { migrateAllTenants, migrateShared } from './db/migrator.js';
import { createDeps, type AppDeps } from './deps.js';
import { JOB_DEFINITIONS } from './job-handlers.js';
import { installJobQueue } from './jobs/install.js';

/** Database up and migrated (shared, then every tenant, then the job queue), super admin present: what start, seed and tests share. */
export async function boot(config: Config, log: Logger, mode: EmbeddedMode = 'persistent'): Promise<AppDeps> {
  const db = await openDatabase(config, (line) => log.info(line), mode);
  try {
    await migrateShared(db.ownerUrl, (line) => log.info(line));
    const tenants = await migrateAllTenants(db.ownerUrl, (line) => log.info(`migrate ${line}`));
    if (tenants.failed.length) log.error({ failed: tenants.failed }, 'some tenants failed to migrate');
    await installJobQueue(db.ownerUrl, JOB_DEFINITIONS, (line) => log.warn(line));
    await assertPlatformTablesOutOfReach(db.app);
    const deps = createDeps(config, db, log);
    await ensureSuperAdmin(deps);
    return deps;
  } catch (error) {
    await db.close();
    throw error;
  }
}
