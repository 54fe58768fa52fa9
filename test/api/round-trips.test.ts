import { expect } from 'chai';
import pg from 'pg';
import { inTenantScope } from '../../src/db/scope.js';
import { bearer, createTestTenant, createTestUser, superAdminToken, type TestTenant, type TestUser } from '../helpers/actors.js';
import { API, api, testDeps } from '../helpers/context.js';
import { skipBecause } from '../helpers/skip.js';

// What a request costs in database round trips (every statement any pg client sends is one). The bare minimum for
// a tenant request is three (BEGIN with the settings, the query, COMMIT); the scope loads the caller and sets its
// book range inside the first, and the tenant's per-minute quota adds one counter update. `npm run bench` measures
// the time; this keeps the count from creeping back.

let sent: string[] | undefined;
const query = pg.Client.prototype.query;

async function statementsOf(request: () => Promise<{ status: number }>): Promise<string[]> {
  sent = [];
  try {
    const res = await request();
    expect(res.status).to.equal(200);
    return sent.map((text) => text.replace(/\s+/g, ' ').trim().slice(0, 60));
  } finally {
    sent = undefined;
  }
}

describe('database round trips per request', () => {
  let tenant: TestTenant;
  let junior: TestUser;

  before(async () => {
    pg.Client.prototype.query = function recorded(this: pg.Client, ...args: unknown[]) {
      const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | undefined)?.text ?? '';
      sent?.push(text);
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof pg.Client.prototype.query;
    tenant = await createTestTenant();
    junior = await createTestUser(tenant, 'junior_agent', { agent: true });
    // Warm the tenant registry (a miss is a platform transaction of its own, not counted here).
    await api().get(`${API}/auth/me`).set(...bearer(junior.token));
  });

  after(() => {
    pg.Client.prototype.query = query;
  });

  beforeEach(function onPostgresOnly() {
    const counting = !this.currentTest?.title.startsWith('a scope whose opening fails');
    // Citus sends BEGIN, the opening SELECT and each book setting on their own (src/db/scope.ts): 8 for /auth/me.
    if (counting && testDeps().db.isCitus) skipBecause(this, 'Citus takes more round trips by design (BEGIN and SET LOCAL on their own)');
  });

  it('GET /auth/me: the quota counter, then BEGIN with settings and caller, COMMIT', async () => {
    const statements = await statementsOf(() => api().get(`${API}/auth/me`).set(...bearer(junior.token)));
    expect(statements, statements.join('\n')).to.have.length(3);
    expect(statements[0]).to.match(/^INSERT INTO shared\.rate_limit_counters/);
    expect(statements[1]).to.match(/^BEGIN; SET LOCAL search_path/);
    expect(statements[2]).to.equal('COMMIT;');
  });

  it('GET /policyholders as a junior agent: the quota counter and three round trips, as a bare server needs', async () => {
    const statements = await statementsOf(() => api().get(`${API}/policyholders?limit=50`).set(...bearer(junior.token)));
    expect(statements, statements.join('\n')).to.have.length(4);
    expect(statements[2]).to.match(/^select "policyholder_id"/);
  });

  it('GET /tenants as a super admin: BEGIN with settings and caller, the query, COMMIT', async () => {
    const token = await superAdminToken();
    const statements = await statementsOf(() => api().get(`${API}/tenants`).set(...bearer(token)));
    expect(statements, statements.join('\n')).to.have.length(3);
  });

  it('a scope whose opening fails in SQL leaves no aborted transaction on the pooled connection', async () => {
    const { db } = testDeps();
    const ref = { tenant_id: tenant.tenant_id, tenant_code: tenant.tenant_code, schema_name: tenant.schema_name };
    for (let index = 0; index < 8; index += 1) {
      const failed = await inTenantScope(db, ref, { system: 'test' }, async () => 'ran', 'SELECT 1 / 0').catch((error: Error) => error);
      expect(failed).to.be.instanceOf(Error).with.property('message').that.matches(/division by zero/);
    }
    const answers = await Promise.all(Array.from({ length: 8 }, () =>
      inTenantScope(db, ref, { system: 'test' }, async (tx) => (await tx.raw('SELECT 1 AS one')).rows[0].one)));
    expect(answers).to.deep.equal(Array(8).fill(1));
  });
});
