import type { AddressInfo } from 'node:net';
import { seedDemoTenants, printDemoLogins } from '../seeds/demo.js';
import { createApp } from './app.js';
import { boot } from './boot.js';
import { ConfigError, loadConfig } from './config.js';
import { startJobs } from './jobs/runtime.js';
import { createLogger } from './logger.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config);
  const deps = await boot(config, log);
  if (config.seedDemo) await seedDemoTenants(deps);
  // RUN_WORKERS=false: a web-only process (run `npm run worker` beside it); it still relays its own outbox rows.
  const jobs = await startJobs(deps, { workers: config.runWorkers, daily: true });

  const server = createApp(deps).listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  const { port } = server.address() as AddressInfo;
  const url = config.publicUrl ?? `http://localhost:${port}`;
  console.log(`\nAgent Mitra core is up: ${url}/api/v1  (docs: ${url}/docs)`);
  if (config.seedDemo) printDemoLogins(config);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: no new connections, finishing requests in flight');
    server.close(async () => {
      await jobs.stop();
      await deps.db.close();
      process.exit(0);
    });
    server.closeIdleConnections();
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
