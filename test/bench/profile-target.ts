import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { createApp } from '../../src/app.js';
import { boot } from '../../src/boot.js';
import { createLogger } from '../../src/logger.js';
import { createTestTenant, createTestUser } from '../helpers/actors.js';
import { createPolicyholderAs } from '../helpers/book.js';
import { setTestDeps } from '../helpers/context.js';
import { benchConfig } from './bench-config.js';

// A small target to profile the request path: boots on a throwaway embedded cluster, one tenant with a junior
// agent (60 policyholders) and its admin, then serves the API until SIGTERM, CPU-profiling only while it serves
// (what `node --cpu-prof` records, without the boot and seeding): the profile goes to PROFILE_OUT
// (default .data/request-path.cpuprofile). It writes the base URL and tokens to PROFILE_TARGET_FILE (default
// .data/profile-target.json) for the load generator (autocannon in another process), and at exit the process's
// CPU time (user + system) and the statements its pg clients sent while serving to PROFILE_OUT + '.stats.json'.
// PROFILE_CPU=0 serves without the profiler (for before/after figures of CPU time alone).
//   npx tsx test/bench/profile-target.ts

const config = benchConfig('.data/profile', { DB_POOL_MAX: '10', LOG_LEVEL: process.env.LOG_LEVEL ?? 'info', LOG_PRETTY: 'false' });
const deps = await boot(config, createLogger(config), 'throwaway');
setTestDeps(deps);
const tenant = await createTestTenant({ api_rate_limit: 1_000_000 });
const junior = await createTestUser(tenant, 'junior_agent', { agent: true });
for (let i = 0; i < 60; i += 1) await createPolicyholderAs(junior.token, { first_name: `Holder${i}` });
const server = createApp(deps).listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
writeFileSync(process.env.PROFILE_TARGET_FILE ?? '.data/profile-target.json', JSON.stringify({ base, junior: junior.token, admin: tenant.admin.token }));
let statements = 0;
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function counted(this: pg.Client, ...args: unknown[]) {
  statements += 1;
  return (query as (...a: unknown[]) => unknown).apply(this, args);
} as typeof query;
const out = process.env.PROFILE_OUT ?? '.data/request-path.cpuprofile';
const profiling = process.env.PROFILE_CPU !== '0';
const profiler = new Session();
if (profiling) {
  profiler.connect();
  await profiler.post('Profiler.enable');
  await profiler.post('Profiler.start');
}
const cpuAtStart = process.cpuUsage();
process.stderr.write(`ready ${base}\n`);
process.once('SIGTERM', () => {
  server.close();
  const cpu = process.cpuUsage(cpuAtStart);
  writeFileSync(`${out}.stats.json`, JSON.stringify({ cpu_ms: (cpu.user + cpu.system) / 1000, statements }));
  void (profiling ? profiler.post('Profiler.stop').then(({ profile }) => writeFileSync(out, JSON.stringify(profile))) : Promise.resolve())
    .then(() => deps.jobs.stop()).finally(() => deps.db.close()).finally(() => process.exit(0));
});
