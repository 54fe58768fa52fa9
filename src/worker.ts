import type { AddressInfo } from 'node:net';
import express from 'express';
import { boot } from './boot.js';
import { ConfigError, loadConfig } from './config.js';
import { startJobs } from './jobs/runtime.js';
import { createLogger } from './logger.js';
import { opsRouter } from './ops/routes.js';

// `npm run worker` (`node dist/worker.js`): the job workers alone, so web and workers scale apart. It serves only
// /healthz, /readyz and /metrics on PORT, for the orchestrator's probes and the scraper.
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config);
  const deps = await boot(config, log);
  const jobs = await startJobs(deps, { workers: true, daily: true });
  const probes = express();
  probes.disable('x-powered-by');
  probes.use(opsRouter(deps));
  const server = probes.listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  log.info({ port: (server.address() as AddressInfo).port, queues: deps.jobs.queues.map((q) => q.queue) }, 'job worker is up');

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: running jobs are aborted and retried later');
    setTimeout(() => process.exit(1), 15_000).unref();
    server.close();
    void jobs.stop().then(() => deps.db.close()).then(() => process.exit(0));
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
