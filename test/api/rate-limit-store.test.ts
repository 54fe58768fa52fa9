import crypto from 'node:crypto';
import { expect } from 'chai';
import type { Options } from 'express-rate-limit';
import { PostgresRateLimitStore } from '../../src/limits/postgres-rate-limit-store.js';
import { testDeps } from '../helpers/context.js';

/** Counts the statements the app pool sends about one counter key, from now until stop(). */
function statementsOnKey(key: string): { stop(): number } {
  const db = testDeps().db.app;
  let statements = 0;
  const counting = (query: { bindings?: unknown[] }) => {
    if (query.bindings?.includes(key)) statements += 1;
  };
  db.on('query', counting);
  return { stop: () => { db.off('query', counting); return statements; } };
}

describe('PostgresRateLimitStore (express-rate-limit store on shared.rate_limit_counters)', () => {
  const store = (prefix: string, windowMs: number) => {
    const created = new PostgresRateLimitStore(testDeps().db.app, prefix);
    created.init({ windowMs } as Options);
    return created;
  };

  it('counts, reads, takes back and resets a key; a second prefix is a separate counter', async () => {
    const prefix = `t${crypto.randomBytes(4).toString('hex')}:`;
    const [a, b] = [store(prefix, 60_000), store(`other-${prefix}`, 60_000)];
    await a.increment('k');
    const third = (await a.increment('k'), await a.increment('k'));
    expect(third.totalHits).to.equal(3);
    expect(third.resetTime!.getTime() - Date.now()).to.be.within(50_000, 61_000);
    expect((await b.increment('k')).totalHits).to.equal(1);
    await a.decrement('k');
    expect((await a.get('k'))?.totalHits).to.equal(2);
    await a.resetKey('k');
    expect(await a.get('k')).to.equal(undefined);
    expect((await b.get('k'))?.totalHits).to.equal(1);
    await b.resetAll();
    expect(await b.get('k')).to.equal(undefined);
    a.shutdown();
    b.shutdown();
  });

  it('starts a fresh window once the old one has ended', async () => {
    const short = store(`w${crypto.randomBytes(4).toString('hex')}:`, 1000);
    await short.increment('k');
    expect((await short.increment('k')).totalHits).to.equal(2);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await short.get('k')).to.equal(undefined);
    expect((await short.increment('k')).totalHits).to.equal(1);
    short.shutdown();
  });

  it('with a limit per key, leases blocks of hits: fewer statements, and never more served than the limit across processes', async () => {
    const prefix = `l${crypto.randomBytes(4).toString('hex')}:`;
    const db = testDeps().db.app;
    const statements = statementsOnKey(`${prefix}k`);
    const limit = 400;
    const leasing = () => {
      const created = new PostgresRateLimitStore(db, prefix, () => limit);
      created.init({ windowMs: 60_000 } as Options);
      return created;
    };
    const [a, b] = [leasing(), leasing()];
    let served = 0;
    let lastSeen = 0;
    for (let burst = 0; burst < 30; burst += 1) {
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).increment('k')));
      served += answers.filter((answer) => answer.totalHits <= limit).length;
      lastSeen = Math.max(lastSeen, ...answers.map((answer) => answer.totalHits));
    }
    const sent = statements.stop();
    const counted = (await a.get('k'))!.totalHits;
    expect(served, 'served').to.be.at.most(limit).and.at.least(limit - 2 * Math.ceil(limit / 16));
    expect(counted, 'the shared count covers every hit served').to.be.at.least(served);
    expect(lastSeen).to.be.above(limit);
    expect(sent, 'statements for 600 hits').to.be.below(300);
    a.shutdown();
    b.shutdown();
  });

  it('a quiet key (a hit every 300 ms) leases 1% of its limit at a time, not one hit per request', async () => {
    const prefix = `q${crypto.randomBytes(4).toString('hex')}:`;
    const quiet = new PostgresRateLimitStore(testDeps().db.app, prefix, () => 1000);
    quiet.init({ windowMs: 60_000 } as Options);
    const statements = statementsOnKey(`${prefix}k`);
    const hits: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 300));
      hits.push((await quiet.increment('k')).totalHits);
    }
    expect(hits).to.deep.equal([1, 2, 3, 4, 5, 6]);
    expect(statements.stop(), 'one lease of 10 hits').to.equal(1);
    expect((await quiet.get('k'))!.totalHits, 'the shared count holds the whole lease').to.equal(10);
    quiet.shutdown();
  });

  it('cannot be read or written from inside a tenant or platform transaction', async () => {
    const counted = store(`s${crypto.randomBytes(4).toString('hex')}:`, 60_000);
    await counted.increment('k');
    counted.shutdown();
    const visible = await testDeps().db.app.transaction(async (tx) => {
      await tx.raw("SET LOCAL app.scope = 'tenant'");
      const { rows } = await tx.raw<{ rows: { n: number }[] }>('SELECT count(*)::int AS n FROM shared.rate_limit_counters');
      return rows[0]?.n;
    });
    expect(visible).to.equal(0);
    const outside = await testDeps().db.app.raw<{ rows: { n: number }[] }>('SELECT count(*)::int AS n FROM shared.rate_limit_counters');
    expect(outside.rows[0]?.n).to.be.at.least(1);
  });
});
