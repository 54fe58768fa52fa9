import { expect } from 'chai';
import { RETENTION_QUEUE } from '../../src/data-protection/retention-job.js';
import { inOwnerTransaction } from '../../src/db/privileged.js';
import { enterTenant } from '../../src/db/scope.js';
import { retentionPurgeKey, runDailyTenantJobs } from '../../src/jobs/daily.js';
import { JOBS_SCHEMA } from '../../src/jobs/definition.js';
import { createTestTenant, type TestTenant } from '../helpers/actors.js';
import { testDeps } from '../helpers/context.js';

// The once-a-day tenant runs (lapse, retention purge). A day long past is used so the lapse changes nothing
// elsewhere in the shared test database, and a random one so reruns against a kept database claim a fresh day.
describe('daily tenant jobs: lapse and the retention purge, once a day whatever the number of processes', () => {
  let tenant: TestTenant;
  const day = `19${String(10 + Math.floor(Math.random() * 89))}-0${1 + Math.floor(Math.random() * 9)}-1${Math.floor(Math.random() * 9)}`;

  before(async () => {
    tenant = await createTestTenant();
  });

  it('runs the lapse and queues a retention purge for every active tenant, then refuses the same day again', async () => {
    const [first, second] = await Promise.all([runDailyTenantJobs(testDeps(), day), runDailyTenantJobs(testDeps(), day)]);
    const report = first ?? second;
    expect([first, second].filter(Boolean), 'one of two racing processes runs the day').to.have.length(1);
    expect(report?.run_date).to.equal(day);
    expect(report?.lapse).to.deep.include({ tenant_code: tenant.tenant_code, lapsed: 0 });
    expect(report?.retention_purges_queued).to.be.at.least(1);
    expect(await runDailyTenantJobs(testDeps(), day), 'a restart the same day').to.equal(undefined);
    const key = retentionPurgeKey(tenant.tenant_id, day);
    const [outbox, relayed] = await inOwnerTransaction(testDeps().db, async (tx) => {
      await enterTenant(tx, tenant);
      return Promise.all([
        tx('outbox').where({ queue: RETENTION_QUEUE, singleton_key: key }).count<{ count: string }[]>('* as count'),
        tx(`${JOBS_SCHEMA}.job`).where({ name: RETENTION_QUEUE, singleton_key: key }).count<{ count: string }[]>('* as count'),
      ]);
    });
    expect(Number(outbox[0]?.count) + Number(relayed[0]?.count), 'one purge queued (in the outbox, or relayed to the queue)').to.equal(1);
  });
});
