import crypto from 'node:crypto';
import argon2 from 'argon2';
import { expect } from 'chai';
import supertest, { type Response } from 'supertest';
import { createApp } from '../../src/app.js';
import { PostgresRateLimitStore } from '../../src/limits/postgres-rate-limit-store.js';
import { PasswordHasher } from '../../src/auth/passwords.js';
import type { Config } from '../../src/config.js';
import { createTestTenant, type TestTenant } from '../helpers/actors.js';
import { API, testDeps } from '../helpers/context.js';

// Sign-in cannot be made slow for everyone: argon2 work is bounded (a fair queue with a short wait, then 503), and
// sign-ins are capped per address, per account named and across all addresses. argon2 runs at the lowered test
// cost here, so each computation is stretched to SLOW_HASH_MS, as a real-cost hash takes; the speed at real cost is
// measured by `npm run bench` ("sign-in during a flood").

const SLOW_HASH_MS = 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type Verify = typeof argon2.verify;
const hashing = argon2 as { verify: Verify };

/** Runs `work` with every argon2 verification taking at least `ms`, and reports the most that ran at once. */
async function withSlowHashes<T>(ms: number, work: () => Promise<T>): Promise<{ result: T; peak: number }> {
  const real = hashing.verify;
  let running = 0;
  let peak = 0;
  hashing.verify = async (...args: Parameters<Verify>) => {
    running += 1;
    peak = Math.max(peak, running);
    try {
      const [matches] = await Promise.all([real(...args), sleep(ms)]);
      return matches;
    } finally {
      running -= 1;
    }
  };
  try {
    return { result: await work(), peak };
  } finally {
    hashing.verify = real;
  }
}

/** An app with these limits and sign-in counters of its own (the shared store counts the whole run's sign-ins). */
function appWith(overrides: Partial<Config>) {
  const deps = testDeps();
  const config: Config = { ...deps.config, trustProxy: 1, ...overrides };
  const passwords = new PasswordHasher(config.argon2, config.hashing, config.masterKey);
  const prefix = crypto.randomBytes(4).toString('hex');
  const rateLimitStore = (name: string) => new PostgresRateLimitStore(deps.db.app, `${prefix}:${name}:`);
  return Object.assign(supertest(createApp({ ...deps, config, passwords, rateLimitStore })), { gate: passwords.gate });
}

/** Until at least `jobs` hashes wait in the gate's queue (the burst has got past the database to the hashing). */
async function untilQueued(gate: PasswordHasher['gate'], jobs: number): Promise<void> {
  for (let tries = 0; tries < 1000 && gate.waitingJobs < jobs; tries += 1) await sleep(10);
  expect(gate.waitingJobs, 'hashes queued by the burst').to.be.at.least(jobs);
}

const badSignIn = (app: ReturnType<typeof appWith>, address: string, tenant = 'NOSUCHTENANT') => app.post(`${API}/auth/login`)
  .set('X-Forwarded-For', address)
  .send({ tenant, email: `guess.${crypto.randomBytes(4).toString('hex')}@flood.test`, password: 'Wrong#Password2026' });

describe('a sign-in flood cannot slow sign-in down for everyone', function () {
  this.timeout(60_000);
  let tenant: TestTenant;

  before(async () => {
    tenant = await createTestTenant();
  });

  it('a burst of bad sign-ins from one address does not push a good one past a second, and hashing stays bounded', async () => {
    const hashingLimits = { maxConcurrent: 2, maxWaitMs: 10_000, maxQueued: 1000 };
    const app = appWith({ hashing: hashingLimits });
    const { result, peak } = await withSlowHashes(SLOW_HASH_MS, async () => {
      // 30 at 100 ms over two slots is 1.5 s of queued work in front of the good sign-in.
      const burst = Promise.all(Array.from({ length: 30 }, () => badSignIn(app, '203.0.113.7').then((res) => res)));
      await untilQueued(app.gate, 10);
      const started = performance.now();
      const good = await app.post(`${API}/auth/login`).set('X-Forwarded-For', '198.51.100.9')
        .send({ tenant: tenant.tenant_code, email: tenant.admin.email, password: tenant.admin.password });
      return { good, goodMs: performance.now() - started, burst: await burst };
    });
    expect(result.good.status, result.good.text).to.equal(200);
    expect(result.goodMs, 'the good sign-in took its turn, not the back of the queue').to.be.below(1000);
    expect(peak, 'argon2 computations at once').to.be.at.most(hashingLimits.maxConcurrent);
    expect(result.burst.map((res) => res.status)).to.satisfy((statuses: number[]) => statuses.every((status) => status === 401));
  });

  it('answers 503 with Retry-After once a sign-in has waited its turn too long, rather than answering slowly', async () => {
    const app = appWith({ hashing: { maxConcurrent: 1, maxWaitMs: 50, maxQueued: 1000 } });
    const { result } = await withSlowHashes(300, () => Promise.all(
      Array.from({ length: 6 }, (_, index) => badSignIn(app, `192.0.2.${index + 1}`).then((res) => res)),
    ));
    const statuses = result.map((res: Response) => res.status);
    expect(statuses.filter((status) => status === 503).length, JSON.stringify(statuses)).to.be.greaterThan(0);
    expect(statuses.every((status) => status === 401 || status === 503), JSON.stringify(statuses)).to.equal(true);
    for (const res of result.filter((answer) => answer.status === 503)) {
      expect(Number(res.headers['retry-after'])).to.be.at.least(1);
      expect(res.type).to.equal('application/problem+json');
    }
  });

  it('caps sign-ins per account named, whatever the address and whether the account exists', async () => {
    const app = appWith({ loginRateLimitPerAccountPerMinute: 3 });
    const body = { tenant: tenant.tenant_code, email: 'nobody@flood.test', password: 'Wrong#Password2026' };
    for (let i = 1; i <= 3; i += 1) {
      expect((await app.post(`${API}/auth/login`).set('X-Forwarded-For', `198.51.100.${i}`).send(body)).status).to.equal(401);
    }
    const capped = await app.post(`${API}/auth/login`).set('X-Forwarded-For', '198.51.100.99').send({ ...body, email: ' NOBODY@flood.test' });
    expect(capped.status).to.equal(429);
    expect(capped.body.code).to.equal('auth.rate_limited');
    expect(Number(capped.headers['retry-after'])).to.be.at.least(1);
    expect((await badSignIn(app, '198.51.100.100', tenant.tenant_code)).status, 'another account is not capped').to.equal(401);
  });

  it('caps sign-ins across all addresses', async () => {
    const app = appWith({ loginRateLimitGlobalPerMinute: 4 });
    for (let i = 1; i <= 4; i += 1) expect((await badSignIn(app, `203.0.113.${i}`)).status).to.equal(401);
    const capped = await badSignIn(app, '203.0.113.200');
    expect(capped.status).to.equal(429);
    expect(capped.body.code).to.equal('auth.rate_limited');
  });

  it('still caps sign-ins per address', async () => {
    const app = appWith({ loginRateLimitPerMinute: 2 });
    expect((await badSignIn(app, '203.0.113.50')).status).to.equal(401);
    expect((await badSignIn(app, '203.0.113.50')).status).to.equal(401);
    expect((await badSignIn(app, '203.0.113.50')).status).to.equal(429);
    expect((await badSignIn(app, '203.0.113.51')).status).to.equal(401);
  });
});
