import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { Express } from 'express';
import supertest from 'supertest';
import { z } from 'zod';
import { createApp } from '../../src/app.js';
import { boot } from '../../src/boot.js';
import { startEmbeddedPostgres, type EmbeddedServer } from '../../src/db/embedded.js';
import type { AppDeps } from '../../src/deps.js';
import { defineJob } from '../../src/jobs/definition.js';
import { installJobQueue } from '../../src/jobs/install.js';
import { JobQueue } from '../../src/jobs/queue.js';
import { startJobs, type RunningJobs } from '../../src/jobs/runtime.js';
import { createLogger } from '../../src/logger.js';
import { waitFor } from '../helpers/jobs.js';
import { expectProblem } from '../helpers/problems.js';
import { SUPER_ADMIN, testConfig } from '../helpers/test-config.js';

const ran: string[] = [];
const PING = defineJob({
  queue: 'test.ping', payload: z.object({ marker: z.string() }), retryDelaySeconds: 1,
  async run(ctx) {
    await ctx.inTenant(({ tx }) => tx.raw('SELECT 1'));
    ran.push(ctx.data.marker);
  },
});

// Its own PostgreSQL, stopped and started again on the same port, so the rest of the suite is not disturbed.
describe('when the database goes away and comes back', function () {
  this.timeout(120_000);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-mitra-recovery-'));
  let server: EmbeddedServer;
  let deps: AppDeps;
  let app: Express;
  let jobs: RunningJobs;
  let token: string;
  let tenantId: string;

  before(async () => {
    fs.chmodSync(home, 0o700);
    server = await startEmbeddedPostgres({ clusterDir: path.join(home, 'pg'), secretsDir: home, persistent: true, log: () => undefined });
    const config = testConfig(home, {
      DATABASE_URL: server.superuserUrl, DATA_DIR: home, DB_POOL_MAX: '4', DB_ACQUIRE_TIMEOUT_MS: '2000', TENANT_CACHE_TTL_MS: '0',
    });
    const booted = await boot(config, createLogger(config));
    await installJobQueue(booted.db.ownerUrl, [PING], () => undefined);
    deps = { ...booted, config: { ...config, jobs: { ...config.jobs, pollIntervalMs: 500 } },
      jobs: new JobQueue(booted.db.appUrl, [PING], 4, booted.log) };
    app = createApp(deps);
    jobs = await startJobs(deps, { workers: true });
    const superToken = (await supertest(app).post('/api/v1/auth/login').send(SUPER_ADMIN)).body.access_token;
    const admin = { email: 'admin@recover.test', password: 'Recover#Password2026', first_name: 'R', last_name: 'A' };
    const onboarded = await supertest(app).post('/api/v1/tenants').set('Authorization', `Bearer ${superToken}`)
      .send({ tenant_code: 'RECOVER', tenant_name: 'Recovery', tenant_type: 'insurance_provider', admin });
    expect(onboarded.status, onboarded.text).to.equal(201);
    tenantId = onboarded.body.tenant_id;
    token = (await supertest(app).post('/api/v1/auth/login').send({ tenant: 'RECOVER', email: admin.email, password: admin.password }))
      .body.access_token;
  });

  after(async () => {
    await jobs?.stop();
    await deps?.db.close();
    await server?.stop();
    fs.rmSync(home, { recursive: true, force: true });
  });

  const me = () => supertest(app).get('/api/v1/auth/me').set('Authorization', `Bearer ${token}`);

  it('answers 503 with Retry-After while it is down, keeps running, and recovers by itself, jobs included', async () => {
    expect((await supertest(app).get('/readyz')).status).to.equal(200);
    expect((await me()).status).to.equal(200);
    // Due while the database is down: the workers must pick it up once it is back.
    await deps.jobs.send('test.ping', tenantId, { marker: 'queued-before' }, { startAfterSeconds: 2 });

    await server.stop();
    const down = await me();
    expectProblem(down, 503, [], 'service.unavailable');
    expect(Number(down.headers['retry-after'])).to.be.at.least(1);
    const notReady = await supertest(app).get('/readyz');
    expect(notReady.status).to.equal(503);
    expect(notReady.body).to.include({ database: 'unreachable', code: 'service.unavailable' });
    expect((await supertest(app).get('/healthz')).status, 'the process is alive').to.equal(200);
    await new Promise((resolve) => setTimeout(resolve, 3000)); // the job falls due, workers poll into errors

    await server.start();
    const back = Date.now();
    await waitFor(async () => (await supertest(app).get('/readyz')).status === 200, 30_000, '/readyz');
    const ready = Date.now() - back;
    await waitFor(async () => (await me()).status === 200, 30_000, 'requests');
    const serving = Date.now() - back;
    await waitFor(() => ran.includes('queued-before'), 30_000, 'the job');
    const jobRan = Date.now() - back;
    await deps.jobs.send('test.ping', tenantId, { marker: 'queued-after' });
    await waitFor(() => ran.includes('queued-after'), 30_000, 'a new job');
    console.log(`      recovery after the database came back: /readyz ${ready} ms, requests ${serving} ms, due job ${jobRan} ms`);
  });
});
