import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/app.js';
import { boot } from '../../src/boot.js';
import { createLogger } from '../../src/logger.js';
import { benchConfig } from './bench-config.js';
import { collectGarbage, memoryNow, sample, type MeterSample } from './meter.js';

// The API's process in `npm run bench` (run.ts forks it, compiled, with --expose-gc, and drives it over IPC): boots
// the app on the database the seeder (seeder.ts) seeded, by URL as production does, collects the boot's garbage
// and serves the API. It seeds nothing, so its memory is the API's (README "Bench", the API process's memory). The
// meter (meter.ts) records every statement its pg clients send and samples its resident memory. The bare server
// runs in a process of its own (bare-main.ts).

export type TargetRequest = { type: 'sample'; gc?: boolean } | { type: 'stop' };

export interface TargetReady {
  type: 'ready';
  base: string;
  appUrl: string;
  isCitus: boolean;
  poolMax: number;
  /** TENANT_CACHE_TTL_MS: how long the registry keeps a tenant's record (a tenant idle longer pays a registry load). */
  registryTtlMs: number;
  bootSeconds: number;
  /** The flags it runs with beyond --expose-gc (process.execArgv), e.g. a young generation's cap. */
  execArgv: string[];
  /** This process's memory at idle after boot, garbage collected. */
  idle: MeterSample['now'];
}

if (!process.env.MASTER_KEY) throw new Error('target.ts boots with the seeder\'s MASTER_KEY (run.ts passes it)');
const started = performance.now();
const config = benchConfig('.data/bench', { MASTER_KEY: process.env.MASTER_KEY });
const deps = await boot(config, createLogger(config));
const bootSeconds = (performance.now() - started) / 1000;

const server = createApp(deps).listen(0, '127.0.0.1');
await new Promise<void>((resolve) => server.once('listening', resolve));
let stopping: Promise<void> | undefined;
const stop = () => (stopping ??= (async () => {
  await new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
  await deps.db.close();
  process.exit(0);
})());
process.on('message', async (message: TargetRequest) => {
  if (message.type === 'sample') {
    const cpu = process.cpuUsage();
    if (message.gc) collectGarbage();
    process.send?.(sample(cpu));
  } else await stop();
});
process.on('disconnect', () => void stop());

collectGarbage();
sample();
process.send?.({
  type: 'ready', base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, appUrl: deps.db.appUrl, isCitus: deps.db.isCitus,
  poolMax: config.dbPoolMax, registryTtlMs: config.tenantCacheTtlMs, bootSeconds,
  execArgv: process.execArgv.filter((flag) => flag !== '--expose-gc'), idle: memoryNow(),
} satisfies TargetReady);
