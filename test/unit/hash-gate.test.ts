import { expect } from 'chai';
import { HashGate } from '../../src/auth/hash-gate.js';
import { ServiceUnavailableError } from '../../src/errors.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

/** A job that runs until released, recording when it started. */
function heldJob(log: string[], name: string) {
  let release: () => void = () => undefined;
  const done = new Promise<void>((resolve) => { release = resolve; });
  return { run: async () => { log.push(name); await done; return name; }, release: () => release() };
}

describe('HashGate', () => {
  it('runs at most `concurrency` jobs at once and gives free slots to each key in turn', async () => {
    const gate = new HashGate({ concurrency: 1, maxWaitMs: 10_000, maxQueued: 100 });
    const log: string[] = [];
    const jobs = ['a1', 'a2', 'a3', 'b1'].map((name) => ({ name, ...heldJob(log, name) }));
    const runs = jobs.map((job) => gate.run(job.name[0] as string, job.run));
    for (const job of jobs) {
      await tick();
      job.release();
    }
    for (const job of jobs) job.release();
    await Promise.all(runs);
    expect(gate.peakConcurrency).to.equal(1);
    expect(log, 'b1 is served right after the a1 that was running, not behind all of a').to.deep.equal(['a1', 'a2', 'b1', 'a3']);
  });

  it('refuses a job that waited longer than maxWaitMs with a 503 and frees nothing it did not take', async () => {
    const gate = new HashGate({ concurrency: 1, maxWaitMs: 20, maxQueued: 100 });
    const log: string[] = [];
    const first = heldJob(log, 'first');
    const running = gate.run('x', first.run);
    const waiting = gate.run('y', async () => 'late');
    const error = await waiting.then(() => undefined, (failure: unknown) => failure);
    expect(error).to.be.instanceOf(ServiceUnavailableError);
    expect((error as ServiceUnavailableError).headers['Retry-After']).to.equal('1');
    first.release();
    await running;
    expect(gate.waitingJobs).to.equal(0);
    expect(await gate.run('z', async () => 'next')).to.equal('next');
  });

  it('refuses at once beyond maxQueued', async () => {
    const gate = new HashGate({ concurrency: 1, maxWaitMs: 10_000, maxQueued: 1 });
    const first = heldJob([], 'first');
    const running = gate.run('x', first.run);
    const queued = gate.run('x', async () => 'queued');
    const refused = await gate.run('x', async () => 'refused').then(() => undefined, (failure: unknown) => failure);
    expect(refused).to.be.instanceOf(ServiceUnavailableError);
    first.release();
    expect(await running).to.equal('first');
    expect(await queued).to.equal('queued');
  });
});
