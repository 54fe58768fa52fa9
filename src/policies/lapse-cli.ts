import { loadConfig } from '../config.js';
import { openDatabase } from '../db/database.js';
import { createDeps } from '../deps.js';
import { createLogger } from '../logger.js';
import { isIsoDate } from './calendar.js';
import { lapseOverduePolicies } from './lapse-job.js';

// `npm run jobs:lapse [-- YYYY-MM-DD]`: lapse overdue policies in every tenant (as of today in India, or the date
// given), one line per tenant. Exit 1 if any tenant failed. Run it daily (cron, a Kubernetes CronJob).
const asOf = process.argv[2];
if (asOf !== undefined && !isIsoDate(asOf)) {
  console.error(`not a date YYYY-MM-DD: ${asOf}`);
  process.exit(2);
}
const config = loadConfig();
const log = createLogger(config);
const db = await openDatabase(config, (line) => log.info(line));
try {
  const results = await lapseOverduePolicies(createDeps(config, db, log), asOf);
  for (const result of results) {
    console.log('error' in result ? `${result.tenant_code}: FAILED ${result.error}` : `${result.tenant_code}: ${result.lapsed} lapsed`);
  }
  process.exitCode = results.some((result) => 'error' in result) ? 1 : 0;
} finally {
  await db.close();
}
