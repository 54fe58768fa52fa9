import { loadConfig } from '../config.js';
import { openDatabase } from './database.js';
import { migrateAllTenants, migrateShared } from './migrator.js';
import { JOB_DEFINITIONS } from '../job-handlers.js';
import { installJobQueue } from '../jobs/install.js';

// `npm run migrate`: shared first, then every tenant with a progress line each. Exit 1 if any tenant failed.
const config = loadConfig();
const db = await openDatabase(config, console.log);
try {
  const shared = await migrateShared(db.ownerUrl, console.log);
  if (!shared.length) console.log('shared: up to date');
  const tenants = await migrateAllTenants(db.ownerUrl, console.log);
  console.log(`tenants: ${tenants.migrated.length} migrated, ${tenants.failed.length} failed`);
  await installJobQueue(db.ownerUrl, JOB_DEFINITIONS, console.log);
  console.log(`job queue: ${JOB_DEFINITIONS.length} queues`);
  process.exitCode = tenants.failed.length ? 1 : 0;
} finally {
  await db.close();
}
