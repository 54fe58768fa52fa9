import { boot } from '../src/boot.js';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { printDemoLogins, seedDemoTenants } from './demo.js';

const config = loadConfig();
const deps = await boot(config, createLogger(config));
try {
  const created = await seedDemoTenants(deps);
  console.log(created.length ? `Seeded ${created.join(', ')}.` : 'Demo tenants already present.');
  printDemoLogins(config);
} finally {
  await deps.db.close();
}
