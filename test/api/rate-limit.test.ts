import { expect } from 'chai';
import type { Express } from 'express';
import supertest from 'supertest';
import { createTestTenant, superAdminToken, type TestTenant } from '../helpers/actors.js';
import { API, api, testDeps } from '../helpers/context.js';
import { expectProblem } from '../helpers/problems.js';
import { secondAppProcess } from '../helpers/second-process.js';

describe('tenant rate limit (api_rate_limit, counted in PostgreSQL)', () => {
  let limited: TestTenant;
  let other: TestTenant;
  let second: ReturnType<typeof secondAppProcess>;
  const me = (app: Express | undefined, token: string) =>
    (app ? supertest(app) : api()).get(`${API}/auth/me`).set('Authorization', `Bearer ${token}`);

  before(async () => {
    limited = await createTestTenant({ api_rate_limit: 6 });
    other = await createTestTenant({ api_rate_limit: 6 });
    second = secondAppProcess();
  });
  after(async () => second.close());

  it('two app processes on one database share the count: the 7th request of the minute is a 429 with Retry-After, whichever process gets it', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      const res = await me(i % 2 ? second.app : undefined, limited.admin.token);
      statuses.push(res.status);
      expect(res.headers['ratelimit-policy'] ?? res.headers.ratelimit).to.be.a('string');
    }
    expect(statuses).to.deep.equal([200, 200, 200, 200, 200, 200]);
    for (const app of [undefined, second.app]) {
      const res = await me(app, limited.admin.token);
      const problem = expectProblem(res, 429, [], 'tenant.rate_limited');
      expect(problem.detail).to.include(limited.tenant_code).and.include('6 requests');
      const retryAfter = Number(res.headers['retry-after']);
      expect(retryAfter).to.be.within(1, 60);
    }
  });

  it('another tenant, platform administrators and unauthenticated callers are not counted against it', async () => {
    expect((await me(second.app, other.admin.token)).status).to.equal(200);
    expect((await me(undefined, await superAdminToken())).status).to.equal(200);
    expectProblem(await api().get(`${API}/auth/me`), 401);
  });

  it('keeps each tenant on its own row, with the window\'s end in the database', async () => {
    const { rows } = await testDeps().db.app.raw(
      'SELECT key, hits, reset_at > now() AS open FROM shared.rate_limit_counters WHERE key = ANY(?)',
      [[`tenant:${limited.tenant_id}`, `tenant:${other.tenant_id}`]]);
    const byKey = Object.fromEntries(rows.map((row: { key: string; hits: number; open: boolean }) => [row.key, row]));
    expect(byKey[`tenant:${limited.tenant_id}`]).to.include({ hits: 8, open: true });
    expect(byKey[`tenant:${other.tenant_id}`]).to.include({ hits: 1, open: true });
  });
});
