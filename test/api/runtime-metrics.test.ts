import { expect } from 'chai';
import supertest from 'supertest';
import { z } from 'zod';
import { createApp } from '../../src/app.js';
import { defineJob } from '../../src/jobs/definition.js';
import { createTestTenant, type TestTenant } from '../helpers/actors.js';
import { API } from '../helpers/context.js';
import { installTestQueues, jobProcess, waitFor, type JobProcess } from '../helpers/jobs.js';

const BOOM = defineJob({
  queue: 'test.metrics', payload: z.object({ fail: z.boolean() }), retryLimit: 0,
  async run(ctx) {
    if (ctx.data.fail) throw new Error('planned');
  },
});

/** The value of a sample line `name{labels} value`, or undefined. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && wanted.every((label) => l.includes(label)));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

describe('/metrics: pools, job queue and requests per tenant', function () {
  this.timeout(30_000);
  let tenant: TestTenant;
  let worker: JobProcess;

  before(async () => {
    tenant = await createTestTenant();
    await installTestQueues([BOOM]);
    worker = await jobProcess([BOOM], { workers: true });
  });
  after(async () => worker.stop());

  it('counts job runs by outcome, shows queue depth by state, pool connections and requests by tenant', async () => {
    const app = createApp(worker.deps);
    await worker.deps.jobs.send('test.metrics', tenant.tenant_id, { fail: false });
    const failing = await worker.deps.jobs.send('test.metrics', tenant.tenant_id, { fail: true });
    await waitFor(async () => (await worker.deps.jobs.boss.getJobById('test.metrics', failing as string))?.state === 'failed', 10_000, 'failure');
    // The passing run may end after the failing one: its outcome is counted once pg-boss has marked it completed.
    await waitFor(async () => sample((await supertest(app).get('/metrics')).text, 'job_runs_total',
      { queue: 'test.metrics', outcome: 'completed' }) !== undefined, 10_000, 'the passing run counted');
    expect((await supertest(app).get(`${API}/auth/me`).set('Authorization', `Bearer ${tenant.admin.token}`)).status).to.equal(200);

    const text = (await supertest(app).get('/metrics')).text;
    expect(sample(text, 'job_runs_total', { queue: 'test.metrics', outcome: 'completed' })).to.equal(1);
    expect(sample(text, 'job_runs_total', { queue: 'test.metrics', outcome: 'failed' })).to.equal(1);
    expect(sample(text, 'job_queue_jobs', { queue: 'test.metrics', state: 'failed' })).to.be.at.least(1);
    expect(sample(text, 'db_pool_connections', { pool: 'app', state: 'waiting' })).to.be.at.least(0);
    expect(sample(text, 'db_pool_connections', { pool: 'app', state: 'idle' })).to.be.at.least(0);
    expect(sample(text, 'db_pool_connections', { pool: 'jobs', state: 'in_use' })).to.be.a('number');
    expect(sample(text, 'http_requests_by_tenant_total', { tenant: tenant.tenant_code, status: '200' })).to.equal(1);
  });
});
