import crypto from 'node:crypto';
import { expect } from 'chai';
import { z } from 'zod';
import { inTenantScope } from '../../src/db/scope.js';
import { defineJob } from '../../src/jobs/definition.js';
import { enqueueInTransaction } from '../../src/jobs/outbox.js';
import { insertOutboxRow } from '../../src/jobs/outbox-repository.js';
import { createTestTenant, type TestTenant } from '../helpers/actors.js';
import { testDeps } from '../helpers/context.js';
import { installTestQueues, jobProcess, waitFor, type JobProcess } from '../helpers/jobs.js';

const delivered: { marker: string; tenant: string; jobId: string }[] = [];
const NOTIFY = defineJob({
  queue: 'test.notify', payload: z.object({ marker: z.string() }), retryDelaySeconds: 1,
  async run(ctx) {
    delivered.push({ marker: ctx.data.marker, tenant: ctx.tenant.tenant_id, jobId: ctx.jobId });
  },
});
const deliveriesOf = (marker: string) => delivered.filter((d) => d.marker === marker);

describe('outbox: work that follows a commit', function () {
  this.timeout(60_000);
  let tenant: TestTenant;
  const processes: JobProcess[] = [];
  const start = async (options: { workers: boolean; started?: boolean }) => {
    const process = await jobProcess([NOTIFY], options);
    processes.push(process);
    return process;
  };

  /** A change and its follow-up in one tenant transaction, as a request would write them. */
  const commitWithFollowUp = (marker: string, queue = 'test.notify', payload: unknown = { marker }) =>
    inTenantScope(testDeps().db, tenant, null, (tx) => enqueueInTransaction(tx, queue, payload));
  const outboxRows = () => inTenantScope(testDeps().db, tenant, null,
    (tx) => tx('outbox').select('outbox_id', 'queue', 'failed_at', 'last_error'));

  before(async () => {
    tenant = await createTestTenant();
    await installTestQueues([NOTIFY]);
  });
  afterEach(async () => {
    await Promise.all(processes.splice(0).map((process) => process.stop()));
  });

  it('a process that crashes between commit and send loses nothing: the next one sends the row, exactly once', async () => {
    // No relay runs: this process dies right after its commit, before anything was sent.
    await start({ workers: false, started: false });
    const marker = crypto.randomUUID();
    const outboxId = await commitWithFollowUp(marker);
    expect((await outboxRows()).map((row) => row.outbox_id)).to.include(outboxId);
    await processes[0]!.stop();
    processes.splice(0);

    await start({ workers: true });
    await waitFor(() => deliveriesOf(marker).length === 1, 10_000, 'the follow-up to be delivered');
    expect(deliveriesOf(marker)[0]).to.include({ tenant: tenant.tenant_id, jobId: outboxId });
    await waitFor(async () => !(await outboxRows()).some((row) => row.outbox_id === outboxId), 5000, 'the row to be gone');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(deliveriesOf(marker)).to.have.length(1);
  });

  it('a crash after the send but before the row was deleted does not deliver twice', async () => {
    const crashed = await start({ workers: false, started: false });
    const marker = crypto.randomUUID();
    const outboxId = await commitWithFollowUp(marker);
    // What the relay had done before dying: the job is queued under the row's id, the row is still there.
    await crashed.deps.jobs.send('test.notify', tenant.tenant_id, { marker }, { id: outboxId });

    await start({ workers: true });
    await waitFor(async () => !(await outboxRows()).some((row) => row.outbox_id === outboxId), 10_000, 'the row to be relayed');
    await waitFor(() => deliveriesOf(marker).length >= 1, 10_000, 'the delivery');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(deliveriesOf(marker)).to.have.length(1);
  });

  it('a running worker\'s sweep also finds rows another process committed and never relayed', async () => {
    await start({ workers: true });
    await new Promise((resolve) => setTimeout(resolve, 500)); // past the first, full sweep
    const marker = crypto.randomUUID();
    // Written as another process would: no commit event reaches this process's relay.
    await inTenantScope(testDeps().db, tenant, null, (tx) => insertOutboxRow(tx, { queue: 'test.notify', payload: { marker } }));
    await waitFor(() => deliveriesOf(marker).length === 1, 20_000, 'the sweep to deliver it');
  });

  it('a rolled-back change leaves no follow-up behind', async () => {
    await start({ workers: true });
    const marker = crypto.randomUUID();
    let outboxId = '';
    await inTenantScope(testDeps().db, tenant, null, async (tx) => {
      outboxId = await enqueueInTransaction(tx, 'test.notify', { marker });
      throw new Error('the change failed');
    }).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await outboxRows()).map((row) => row.outbox_id)).to.not.include(outboxId);
    expect(deliveriesOf(marker)).to.have.length(0);
  });

  it('a row that can never become a job is set aside with its reason, and the rows after it still go', async () => {
    const crashed = await start({ workers: false, started: false });
    const stray = await commitWithFollowUp('stray', 'test.nobody_handles_this');
    const malformed = await commitWithFollowUp('malformed', 'test.notify', { marker: 7 });
    const marker = crypto.randomUUID();
    await commitWithFollowUp(marker);
    await crashed.stop();
    processes.splice(0);

    await start({ workers: true });
    await waitFor(() => deliveriesOf(marker).length === 1, 10_000, 'the good row to be delivered');
    const left = await outboxRows();
    expect(left.map((row) => row.outbox_id).sort()).to.deep.equal([stray, malformed].sort());
    expect(left.every((row) => row.failed_at !== null)).to.equal(true);
    expect(left.find((row) => row.outbox_id === stray)?.last_error).to.match(/test\.nobody_handles_this/);
  });
});
