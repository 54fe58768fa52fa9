import { expect } from 'chai';
import supertest from 'supertest';
import pg from 'pg';
import { readTogether, rideCommit, verbatim } from '../../src/db/knex.js';
import { inTenantScope } from '../../src/db/scope.js';
import { preparedOpening } from '../../src/db/sql-literals.js';
import { createPolicyholderAs } from '../helpers/book.js';
import { ownerInTenant } from '../helpers/catalog.js';
import { bearer, createTestTenant, createTestUser, superAdminToken, type TestTenant, type TestUser } from '../helpers/actors.js';
import { API, api, testDeps } from '../helpers/context.js';
import { secondAppProcess } from '../helpers/second-process.js';
import { skipBecause } from '../helpers/skip.js';
import { recordStatements } from '../helpers/statement-recorder.js';

// What a request costs in database round trips (every statement any pg client sends is one). The bare minimum for
// a tenant request is three (BEGIN with the settings, the query, COMMIT); the scope loads the caller and sets its
// book range inside the first. The tenant's per-minute quota adds a counter update only when this process's lease
// of hits runs out (src/limits/postgres-rate-limit-store.ts): once per request while a tenant is quiet, about once
// per 200 ms when it is busy. `npm run bench` measures the time; this keeps the count from creeping back.

let sent: string[] | undefined;
let stopRecording = (): void => undefined;

const COUNTER = /^INSERT INTO shared\.rate_limit_counters/;

/** The request's own statements (the quota counter's, when its lease ran out, apart). */
async function statementsOf(request: () => Promise<{ status: number }>): Promise<string[]> {
  sent = [];
  try {
    const res = await request();
    expect(res.status).to.equal(200);
    const statements = sent.map((text) => text.replace(/\s+/g, ' ').trim());
    expect(statements.filter((text) => COUNTER.test(text)).length, statements.join('\n')).to.be.at.most(1);
    return statements.filter((text) => !COUNTER.test(text));
  } finally {
    sent = undefined;
  }
}

describe('database round trips per request', () => {
  let tenant: TestTenant;
  let junior: TestUser;

  before(async () => {
    stopRecording = recordStatements(() => sent);
    tenant = await createTestTenant();
    junior = await createTestUser(tenant, 'junior_agent', { agent: true });
    // Warm the tenant registry (a miss is a platform transaction of its own, not counted here).
    await api().get(`${API}/auth/me`).set(...bearer(junior.token));
  });

  after(() => {
    stopRecording();
  });

  beforeEach(function onPostgresOnly() {
    const counting = !/^a scope whose opening fails|^a rider that fails|^a statement riding/.test(this.currentTest?.title ?? '');
    // Citus sends BEGIN, the opening SELECT and each book setting on their own (src/db/scope.ts): 8 for /auth/me.
    if (counting && testDeps().db.isCitus) skipBecause(this, 'Citus takes more round trips by design (BEGIN and SET LOCAL on their own)');
  });

  it('GET /auth/me: BEGIN with settings and caller, COMMIT', async () => {
    const statements = await statementsOf(() => api().get(`${API}/auth/me`).set(...bearer(junior.token)));
    expect(statements, statements.join('\n')).to.have.length(2);
    expect(statements[0]).to.match(/^BEGIN; SET LOCAL search_path/);
    expect(statements[1]).to.equal('COMMIT;');
  });

  it('a tenant the registry does not hold: its record comes with BEGIN and the settings, then COMMIT (two round trips)', async () => {
    testDeps().tenants.forget(tenant);
    const statements = await statementsOf(() => api().get(`${API}/auth/me`).set(...bearer(junior.token)));
    expect(statements, statements.join('\n')).to.have.length(4);
    expect(statements[0]).to.match(/^BEGIN; SET LOCAL search_path = "shared";.*EXECUTE am_tenant_by_id\('[0-9a-f-]{36}'\); SET LOCAL plan_cache_mode TO DEFAULT$/);
    expect(statements[1]).to.equal('COMMIT;');
    expect(statements[2]).to.match(/^BEGIN; SET LOCAL search_path = "t[0-9a-z]+_schema"/);
  });

  it('GET /policyholders as a junior agent: three round trips, as a bare server needs', async () => {
    const statements = await statementsOf(() => api().get(`${API}/policyholders?limit=50`).set(...bearer(junior.token)));
    expect(statements, statements.join('\n')).to.have.length(3);
    expect(statements[1]).to.match(/^select "policyholder_id"/);
  });

  it("the caller's opening is planned once per connection: later requests only EXECUTE the prepared statement", async () => {
    const openings: string[] = [];
    for (let index = 0; index < 12; index += 1) {
      sent = [];
      await api().get(`${API}/auth/me`).set(...bearer(junior.token)).expect(200);
      openings.push(...sent.filter((text) => text.startsWith('BEGIN')));
    }
    sent = undefined;
    expect(openings).to.have.length(12);
    const preparing = openings.filter((text) => text.includes('PREPARE am_session_actor AS'));
    expect(preparing.length, 'PREPAREs').to.be.below(openings.length / 2);
    for (const text of openings) {
      expect(text).to.match(/; EXECUTE am_session_actor__t[0-9a-z]+_schema\('[0-9a-f-]{36}', '[0-9a-f-]{36}'\); SET LOCAL plan_cache_mode TO DEFAULT$/);
    }
  });

  it('a connection serving two tenants in turn keeps a generic plan of the opening for each: nothing is planned again', async () => {
    const other = await createTestTenant();
    const oneConnection = secondAppProcess({ poolMax: 1 });
    try {
      for (let round = 0; round < 4; round += 1) {
        for (const token of [tenant.admin.token, other.admin.token]) {
          await supertest(oneConnection.app).get(`${API}/auth/me`).set(...bearer(token)).expect(200);
        }
      }
      const { rows } = await oneConnection.deps.db.app.raw<{ rows: { name: string; generic_plans: number; custom_plans: number }[] }>(
        "SELECT name, generic_plans::int, custom_plans::int FROM pg_prepared_statements WHERE name LIKE 'am_session_actor%' ORDER BY name");
      expect(rows).to.have.deep.members([tenant, other].map((each) => (
        { name: `am_session_actor__${each.schema_name}`, generic_plans: 4, custom_plans: 0 })));
    } finally {
      await oneConnection.close();
    }
  });

  it('a connection keeps at most DB_OPENINGS_PER_CONNECTION openings: the least recently used one is dropped', async () => {
    const tenants = [tenant, await createTestTenant(), await createTestTenant()];
    const oneConnection = secondAppProcess({ poolMax: 1, openingsPerConnection: 2 });
    const openings = async () => (await oneConnection.deps.db.app.raw<{ rows: { name: string }[] }>(
      "SELECT name FROM pg_prepared_statements WHERE name LIKE 'am_session_actor%' ORDER BY name")).rows.map((row) => row.name);
    try {
      for (const each of [...tenants, tenants[0]!, tenants[2]!]) {
        await supertest(oneConnection.app).get(`${API}/auth/me`).set(...bearer(each.admin.token)).expect(200);
      }
      // Served in the order 0, 1, 2, 0, 2: the third dropped 0's, the fourth prepared it again and dropped 1's.
      expect(await openings()).to.deep.equal([0, 2].map((index) => `am_session_actor__${tenants[index]!.schema_name}`).sort());
    } finally {
      await oneConnection.close();
    }
  });

  it('a busy tenant: 40 requests at once update the quota counter a few times, not 40', async () => {
    sent = [];
    try {
      const answers = await Promise.all(Array.from({ length: 40 }, () => api().get(`${API}/auth/me`).set(...bearer(junior.token))));
      expect(answers.map((res) => res.status)).to.deep.equal(Array(40).fill(200));
      expect(sent.filter((text) => COUNTER.test(text.trim())).length).to.be.within(1, 20);
    } finally {
      sent = undefined;
    }
  });

  it('a page that hands out personal data writes its read audit with COMMIT: still three round trips', async () => {
    await createPolicyholderAs(junior.token, { first_name: 'Audited' });
    const statements = await statementsOf(() => api().get(`${API}/policyholders?limit=50`).set(...bearer(junior.token)));
    expect(statements, statements.join('\n')).to.have.length(3);
    expect(statements[2]).to.match(/^INSERT INTO personal_data_reads .*; COMMIT;$/);
  });

  it('a statement riding the commit travels with COMMIT and takes effect with the transaction', async function riding() {
    if (testDeps().db.isCitus) skipBecause(this, 'on Citus a rider runs at once, on its own');
    const { db } = testDeps();
    const ref = { tenant_id: tenant.tenant_id, tenant_code: tenant.tenant_code, schema_name: tenant.schema_name };
    const phone = `+9198${String(Date.now()).slice(-8)}`;
    sent = [];
    await inTenantScope(db, ref, { system: 'test' }, (tx) =>
      rideCommit(tx, `UPDATE users SET phone_number = '${phone}' WHERE user_id = '${junior.user_id}'`));
    const statements = sent;
    sent = undefined;
    expect(statements, statements.join('\n')).to.have.length(2);
    expect(statements[1]).to.match(/^UPDATE users SET phone_number = .*; COMMIT;$/);
    const stored = await ownerInTenant(tenant, async (client) =>
      (await client.query('SELECT phone_number FROM users WHERE user_id = $1', [junior.user_id])).rows[0].phone_number);
    expect(stored).to.equal(phone);
  });

  it('statements of literals keep every "?" as written, in a batch and riding COMMIT (knex would bind it)', async () => {
    const { db } = testDeps();
    const ref = { tenant_id: tenant.tenant_id, tenant_code: tenant.tenant_code, schema_name: tenant.schema_name };
    const name = `Why? ?? ${Date.now()}`;
    const read = await inTenantScope(db, ref, { system: 'test' }, async (tx) => {
      const answers = await readTogether(tx, ["SELECT 'who?' AS said", "SELECT '??' AS said"]);
      await rideCommit(tx, `UPDATE users SET first_name = ${pg.escapeLiteral(name)} WHERE user_id = '${junior.user_id}'`);
      return answers.map((answer) => answer.rows[0].said);
    });
    expect(read).to.deep.equal(['who?', '??']);
    const stored = await ownerInTenant(tenant, async (client) =>
      (await client.query('SELECT first_name FROM users WHERE user_id = $1', [junior.user_id])).rows[0].first_name);
    expect(stored).to.equal(name);
    expect(() => verbatim("SELECT E'\\\\?'")).to.throw(/backslash before/);
  });

  it('a rider that fails fails the transaction, undoes its work and leaves the pooled connection clean', async () => {
    const { db } = testDeps();
    const ref = { tenant_id: tenant.tenant_id, tenant_code: tenant.tenant_code, schema_name: tenant.schema_name };
    const phone = '+919000000001';
    for (let index = 0; index < 8; index += 1) {
      const failed = await inTenantScope(db, ref, { system: 'test' }, async (tx) => {
        await tx.raw(`UPDATE users SET phone_number = '${phone}' WHERE user_id = ?`, [junior.user_id]);
        await rideCommit(tx, 'SELECT 1 / 0');
      }).catch((error: Error) => error);
      expect(failed).to.be.instanceOf(Error).with.property('message').that.matches(/division by zero/, String(failed));
    }
    const answers = await Promise.all(Array.from({ length: 8 }, () =>
      inTenantScope(db, ref, { system: 'test' }, async (tx) => (await tx.raw('SELECT 1 AS one')).rows[0].one)));
    expect(answers).to.deep.equal(Array(8).fill(1));
    const stored = await ownerInTenant(tenant, async (client) =>
      (await client.query('SELECT phone_number FROM users WHERE user_id = $1', [junior.user_id])).rows[0].phone_number);
    expect(stored).to.not.equal(phone);
  });

  it('GET /tenants as a super admin: BEGIN with settings and caller, the query, COMMIT', async () => {
    const token = await superAdminToken();
    const statements = await statementsOf(() => api().get(`${API}/tenants`).set(...bearer(token)));
    expect(statements, statements.join('\n')).to.have.length(3);
  });

  it('a scope whose opening fails in SQL leaves no aborted transaction and no half-prepared statement on the pooled connection', async () => {
    const { db } = testDeps();
    const ref = { tenant_id: tenant.tenant_id, tenant_code: tenant.tenant_code, schema_name: tenant.schema_name };
    // The PREPARE succeeds and the EXECUTE fails: were the statement kept, the next PREPARE would fail on its name.
    const failing = preparedOpening('am_test_failing', 'SELECT 1 / 0 AS never', []);
    for (let index = 0; index < 8; index += 1) {
      const failed = await inTenantScope(db, ref, { system: 'test' }, async () => 'ran', failing).catch((error: Error) => error);
      expect(failed).to.be.instanceOf(Error).with.property('message').that.matches(/division by zero/, String(failed));
    }
    const answers = await Promise.all(Array.from({ length: 8 }, () =>
      inTenantScope(db, ref, { system: 'test' }, async (tx) => (await tx.raw('SELECT 1 AS one')).rows[0].one)));
    expect(answers).to.deep.equal(Array(8).fill(1));
  });
});
