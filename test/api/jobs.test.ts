import crypto from 'node:crypto';
import { expect } from 'chai';
import pg from 'pg';
import { z } from 'zod';
import { ValidationError } from '../../src/errors.js';
import { defineJob, type JobDefinition } from '../../src/jobs/definition.js';
import { RunLocks } from '../../src/jobs/run-locks.js';
import { createTestTenant, type TestTenant } from '../helpers/actors.js';
import { testDeps } from '../helpers/context.js';
import { installTestQueues, jobProcess, waitFor, type JobProcess } from '../helpers/jobs.js';

interface Run { marker: string; attempt: number; tenant: string; scopeTenant: string; scopeUser: string; schema: string; start: number; end: number }
const runs: Run[] = [];
const runsOf = (marker: string) => runs.filter((run) => run.marker === marker);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const Marker = z.object({ marker: z.string(), failures: z.number().int().default(0), ms: z.number().int().default(0) });

/** Records each run (with what the tenant scope says), optionally failing its first `failures` attempts or taking `ms`. */
function recordingJob(queue: string, options: Pick<JobDefinition, 'retryLimit' | 'expireInSeconds'> = {}): JobDefinition {
  return defineJob({
    queue, payload: Marker, retryDelaySeconds: 1, ...options,
    async run(ctx) {
      const start = Date.now();
      const { rows: [scope] } = await ctx.inTenant(({ tx }) => tx.raw(
        "SELECT current_setting('app.tenant_id') AS tenant, current_setting('app.user_id') AS user, current_schema() AS schema"));
      if (ctx.data.ms) await sleep(ctx.data.ms);
      runs.push({ marker: ctx.data.marker, attempt: ctx.attempt, tenant: ctx.tenant.tenant_id, scopeTenant: scope.tenant,
        scopeUser: scope.user, schema: scope.schema, start, end: Date.now() });
      if (ctx.attempt < ctx.data.failures) throw new Error(`planned failure ${ctx.attempt + 1}`);
      return { done: ctx.data.marker };
    },
  });
}

const RECORD = recordingJob('test.record');
const FLAKY = recordingJob('test.flaky', { retryLimit: 2 });
const SLOW = recordingJob('test.slow', { expireInSeconds: 1, retryLimit: 3 });
const DEFINITIONS = [RECORD, FLAKY, SLOW];

async function jobState(process: JobProcess, queue: string, id: string): Promise<string | undefined> {
  const job = await process.deps.jobs.boss.getJobById(queue, id);
  return job?.state;
}

describe('durable jobs (pg-boss in PostgreSQL)', function () {
  this.timeout(60_000);
  let tenant: TestTenant;
  const processes: JobProcess[] = [];
  const start = async (options: { workers: boolean; started?: boolean }) => {
    const process = await jobProcess(DEFINITIONS, options);
    processes.push(process);
    return process;
  };
  const stopAll = async () => {
    await Promise.all(processes.splice(0).map((process) => process.stop()));
  };

  before(async () => {
    tenant = await createTestTenant();
    await installTestQueues(DEFINITIONS);
  });
  afterEach(stopAll);

  it('runs a job once, in its tenant\'s scope as the system actor (no user); a bad payload is refused when queued', async () => {
    const worker = await start({ workers: true });
    const marker = crypto.randomUUID();
    const id = await worker.deps.jobs.send('test.record', tenant.tenant_id, { marker });
    await waitFor(() => runsOf(marker).length === 1, 10_000, 'the job to run');
    expect(runsOf(marker)[0]).to.include({ tenant: tenant.tenant_id, scopeTenant: tenant.tenant_id, scopeUser: '', schema: tenant.schema_name });
    await waitFor(async () => (await jobState(worker, 'test.record', id as string)) === 'completed', 5000, 'completed');
    let refused: unknown;
    await worker.deps.jobs.send('test.record', tenant.tenant_id, { marker: 42 }).catch((error: unknown) => { refused = error; });
    expect(refused).to.be.instanceOf(ValidationError);
    expect((refused as ValidationError).errors.map((e) => e.path)).to.deep.equal(['payload.marker']);
  });

  it('retries a failing job with growing delays until it succeeds; past its retry limit the job stays failed', async () => {
    const worker = await start({ workers: true });
    const recovers = crypto.randomUUID();
    const never = crypto.randomUUID();
    await worker.deps.jobs.send('test.flaky', tenant.tenant_id, { marker: recovers, failures: 2 });
    const neverId = await worker.deps.jobs.send('test.flaky', tenant.tenant_id, { marker: never, failures: 99 });
    await waitFor(() => runsOf(recovers).length === 3, 20_000, 'three attempts');
    const [first, second, third] = runsOf(recovers) as [Run, Run, Run];
    expect([first.attempt, second.attempt, third.attempt]).to.deep.equal([0, 1, 2]);
    // Exponential backoff with a 1 s base: the first retry waits 1 to 2 s, the second 2 to 4 s.
    expect(second.start - first.end).to.be.at.least(1000);
    expect(third.start - second.end).to.be.at.least(2000);
    await waitFor(async () => (await jobState(worker, 'test.flaky', neverId as string)) === 'failed', 20_000, 'given up');
    expect(runsOf(never)).to.have.length(3);
  });

  it('a job queued before a restart runs after it, and one cut short by a shutdown is retried by the next process', async () => {
    const webOnly = await start({ workers: false });
    const queued = crypto.randomUUID();
    const cut = crypto.randomUUID();
    await webOnly.deps.jobs.send('test.record', tenant.tenant_id, { marker: queued });
    const first = await start({ workers: true });
    await first.deps.jobs.send('test.record', tenant.tenant_id, { marker: cut, ms: 3000 });
    await sleep(1000);
    await stopAll(); // the shutdown aborts the running job; it is failed, so it will be retried
    expect(runsOf(cut)).to.have.length(1);
    const second = await start({ workers: true });
    await waitFor(() => runsOf(cut).length === 2, 15_000, 'the interrupted job to run again');
    expect(runsOf(queued)).to.have.length(1);
    expect(runsOf(cut)[1]?.attempt).to.equal(1);
    expect(second.running).to.not.equal(undefined);
  });

  it('two processes polling one queue run a job once, and a run that outlives its expiry is never run again alongside itself', async () => {
    const [a, b] = [await start({ workers: true }), await start({ workers: true })];
    const once = crypto.randomUUID();
    await a.deps.jobs.send('test.record', tenant.tenant_id, { marker: once, ms: 500 });
    const slow = crypto.randomUUID();
    await a.deps.jobs.send('test.slow', tenant.tenant_id, { marker: slow, ms: 4000 });
    // Past the 1 s expiry while the run goes on: pg-boss's maintenance puts the job back for a retry.
    await sleep(1500);
    await b.deps.jobs.boss.expire();
    await waitFor(() => runsOf(slow).some((run) => run.attempt > 0), 30_000, 'the retry after the slow run');
    expect(runsOf(once)).to.have.length(1);
    const slowRuns = runsOf(slow).sort((x, y) => x.start - y.start);
    for (let i = 1; i < slowRuns.length; i += 1) {
      expect(slowRuns[i]!.start, 'a retry started while the earlier run was still going').to.be.at.least(slowRuns[i - 1]!.end);
    }
  });

  it('a job whose tenant no longer exists is skipped, not run', async () => {
    const other = await createTestTenant();
    const worker = await start({ workers: true });
    const marker = crypto.randomUUID();
    await worker.deps.jobs.send('test.record', '00000000-0000-4000-8000-000000000000', { marker });
    const id = await worker.deps.jobs.send('test.record', other.tenant_id, { marker });
    await waitFor(async () => (await jobState(worker, 'test.record', id as string)) === 'completed', 10_000, 'completed');
    expect(runsOf(marker).map((run) => run.tenant)).to.deep.equal([other.tenant_id]);
  });

  it('run locks taken at once by several runs share one connection, and stopping gives it back to the pool', async () => {
    const pool = new pg.Pool({ connectionString: testDeps().db.appUrl, max: 4 });
    const locks = new RunLocks(pool);
    try {
      const ids = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
      expect(await Promise.all(ids.map((id) => locks.tryAcquire(id)))).to.deep.equal([true, true, true]);
      expect(pool.totalCount, 'connections opened for the locks').to.equal(1);
      await locks.close();
      // A connection left checked out would hang the queue's pool.end() at shutdown.
      expect(pool.totalCount - pool.idleCount, 'connections still checked out').to.equal(0);
    } finally {
      await pool.end();
    }
  });
});
