import crypto from 'node:crypto';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import supertest from 'supertest';
import { z } from 'zod';
import { createApp } from '../../src/app.js';
import type { AppDeps } from '../../src/deps.js';
import { defineJob } from '../../src/jobs/definition.js';
import { JobQueue } from '../../src/jobs/queue.js';
import { startJobs } from '../../src/jobs/runtime.js';
import { createLogger } from '../../src/logger.js';
import { createTestTenant, type TestTenant } from '../helpers/actors.js';
import { API, testDeps } from '../helpers/context.js';
import { installTestQueues, waitFor } from '../helpers/jobs.js';

const SAY = defineJob({
  queue: 'test.say', payload: z.object({ words: z.string() }),
  async run(ctx) {
    ctx.log.info({ words: ctx.data.words }, 'the job speaks');
    await ctx.inTenant(async ({ log }) => log.info('and so does code it calls'));
  },
});

describe('log lines of requests and jobs', function () {
  this.timeout(30_000);
  const lines: Record<string, unknown>[] = [];
  let deps: AppDeps;
  let tenant: TestTenant;

  before(async () => {
    const sink = new Writable({ write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) {
        // A field written twice (by the context and by the line itself) would be ambiguous to log tooling.
        const keys = [...line.matchAll(/"(tenant|user_id|request_id|job_id)":/g)].map((match) => match[1]);
        if (new Set(keys).size !== keys.length) throw new Error(`a log line repeats a context field: ${line}`);
        lines.push(JSON.parse(line));
      }
      done();
    } });
    const base = testDeps();
    const log = createLogger({ logLevel: 'info' }, sink);
    deps = { ...base, log, config: { ...base.config, jobs: { ...base.config.jobs, pollIntervalMs: 500 } },
      jobs: new JobQueue(base.db.appUrl, [SAY], 4, log) };
    tenant = await createTestTenant();
    await installTestQueues([SAY]);
  });

  it('a request\'s access line names its tenant, user and request id; probes stay below info', async () => {
    const app = createApp(deps);
    const requestId = `req-${crypto.randomUUID()}`;
    const me = await supertest(app).get(`${API}/auth/me`).set('Authorization', `Bearer ${tenant.admin.token}`).set('X-Request-Id', requestId);
    expect(me.status).to.equal(200);
    await supertest(app).get('/healthz');
    await supertest(app).get('/metrics');
    const access = lines.find((line) => (line.req as { id?: string } | undefined)?.id === requestId);
    expect(access).to.include({ tenant: tenant.tenant_code, user_id: me.body.user_id, request_id: requestId });
    expect(lines.filter((line) => ['/healthz', '/metrics'].includes((line.req as { path?: string } | undefined)?.path ?? ''))).to.deep.equal([]);
  });

  it('every line a job logs carries its tenant, job id, queue and the request that queued it', async () => {
    const jobs = await startJobs(deps, { workers: true });
    try {
      const words = crypto.randomUUID();
      const jobId = await deps.jobs.send('test.say', tenant.tenant_id, { words }, { userId: tenant.tenant_id });
      await waitFor(() => lines.some((line) => line.msg === 'and so does code it calls' && line.job_id === jobId), 10_000, 'job lines');
      for (const msg of ['the job speaks', 'and so does code it calls']) {
        const line = lines.find((l) => l.msg === msg && l.job_id === jobId);
        expect(line, msg).to.include({ tenant: tenant.tenant_code, queue: 'test.say', user_id: tenant.tenant_id });
      }
    } finally {
      await jobs.stop();
    }
  });
});
