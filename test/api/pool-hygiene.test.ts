import { expect } from 'chai';
import type { Knex } from 'knex';
import { inTenantScope, setBookRange } from '../../src/db/scope.js';
import { bearer, createTestTenant, createTestUser, type TestTenant } from '../helpers/actors.js';
import { API, api, testDeps } from '../helpers/context.js';

// The runtime pool holds a handful of connections (DB_POOL_MAX=4 in tests) that every tenant's requests share.
// Tenant context lives only in SET LOCAL inside each request's transaction; these tests hammer the pool across
// tenants and then look at every pooled connection to prove nothing is left behind.

const REQUESTS = 300;
const BATCH = 30;

interface Caller {
  readonly tenant: TestTenant;
  readonly token: string;
  readonly user_id: string;
  readonly agent_id: string | null;
  readonly admin: boolean;
}

interface Settings {
  pid: number;
  tenant_id: string | null;
  user_id: string | null;
  agent_lo: string | null;
  agent_hi: string | null;
  policyholder_id: string | null;
  policyholder_lo: string | null;
  policyholder_hi: string | null;
  platform_user_id: string | null;
  search_path: string;
  default_search_path: string;
}

const SETTINGS_SQL = `
  SELECT pg_backend_pid() AS pid,
         current_setting('app.tenant_id', true) AS tenant_id, current_setting('app.user_id', true) AS user_id,
         current_setting('app.agent_lo', true) AS agent_lo, current_setting('app.agent_hi', true) AS agent_hi,
         current_setting('app.policyholder_id', true) AS policyholder_id, current_setting('app.platform_user_id', true) AS platform_user_id,
         current_setting('app.policyholder_lo', true) AS policyholder_lo, current_setting('app.policyholder_hi', true) AS policyholder_hi,
         current_setting('search_path') AS search_path,
         (SELECT reset_val FROM pg_settings WHERE name = 'search_path') AS default_search_path`;

/** Resolves once `parties` callers have arrived: transactions waiting on it hold distinct pooled connections. */
function barrier(parties: number): () => Promise<void> {
  let arrived = 0;
  let release: () => void = () => undefined;
  const all = new Promise<void>((resolve) => { release = resolve; });
  return async () => {
    arrived += 1;
    if (arrived === parties) release();
    await all;
  };
}

async function inBatches<T>(count: number, run: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let start = 0; start < count; start += BATCH) {
    results.push(...await Promise.all(Array.from({ length: Math.min(BATCH, count - start) }, (_, offset) => run(start + offset))));
  }
  return results;
}

/** Plain queries on the runtime pool, each holding its connection long enough that together they occupy all of them. */
async function settingsOfEveryConnection(): Promise<Settings[]> {
  const poolMax = testDeps().config.dbPoolMax;
  const rows = await Promise.all(Array.from({ length: poolMax }, async () =>
    (await testDeps().db.app.raw(`${SETTINGS_SQL}, pg_sleep(0.2)`)).rows[0] as Settings));
  expect(new Set(rows.map((row) => row.pid)).size, 'distinct pooled connections inspected').to.equal(poolMax);
  return rows;
}

/** What a connection still carries from a tenant: empty when it is clean. */
function leftovers(rows: Settings[], tenants: TestTenant[]): string[] {
  const found: string[] = [];
  for (const row of rows) {
    const settings = { 'app.tenant_id': row.tenant_id, 'app.user_id': row.user_id, 'app.agent_lo': row.agent_lo, 'app.agent_hi': row.agent_hi,
      'app.policyholder_id': row.policyholder_id, 'app.policyholder_lo': row.policyholder_lo, 'app.policyholder_hi': row.policyholder_hi,
      'app.platform_user_id': row.platform_user_id };
    for (const [name, value] of Object.entries(settings)) if (value) found.push(`connection ${row.pid}: ${name} = ${value}`);
    if (row.search_path !== row.default_search_path || tenants.some((t) => row.search_path.includes(t.schema_name))) {
      found.push(`connection ${row.pid}: search_path = ${row.search_path}`);
    }
  }
  return found;
}

/** Runs `work` once on every pooled connection at the same time. */
function onEveryConnection(work: (trx: Knex.Transaction) => Promise<void>): Promise<void[]> {
  const { db, config } = testDeps();
  const arrive = barrier(config.dbPoolMax);
  return Promise.all(Array.from({ length: config.dbPoolMax }, () => db.app.transaction(async (trx) => {
    await arrive();
    await work(trx);
  })));
}

describe('pool hygiene: a pooled connection never carries one tenant into the next request', () => {
  const callers: Caller[] = [];
  let tenants: TestTenant[];

  before(async function () {
    this.timeout(60_000);
    tenants = [await createTestTenant(), await createTestTenant()];
    for (const tenant of tenants) {
      const admin = await api().get(`${API}/auth/me`).set(...bearer(tenant.admin.token));
      callers.push({ tenant, token: tenant.admin.token, user_id: admin.body.user_id, agent_id: null, admin: true });
      const second = await createTestUser(tenant, 'insurance_provider_admin');
      const senior = await createTestUser(tenant, 'senior_agent', { agent: true });
      const junior = await createTestUser(tenant, 'junior_agent', { agent: true, parentAgentId: senior.agent_id });
      callers.push({ tenant, token: second.token, user_id: second.user_id, agent_id: null, admin: true });
      for (const user of [senior, junior]) callers.push({ tenant, token: user.token, user_id: user.user_id, agent_id: user.agent_id, admin: false });
    }
  });

  it(`answers ${REQUESTS} interleaved /auth/me calls across two tenants, each for its own caller`, async function () {
    this.timeout(60_000);
    const mismatches = await inBatches(REQUESTS, async (index) => {
      // Alternate tenants on every request, and walk through the callers of each.
      const caller = callers[(index % 2) * 4 + (Math.floor(index / 2) % 4)] as Caller;
      const res = await api().get(`${API}/auth/me`).set(...bearer(caller.token));
      const expected = { status: 200, user_id: caller.user_id, tenant_id: caller.tenant.tenant_id,
        tenant_code: caller.tenant.tenant_code, agent_id: caller.agent_id };
      const actual = { status: res.status, user_id: res.body.user_id, tenant_id: res.body.tenant_id,
        tenant_code: res.body.tenant_code, agent_id: res.body.agent_id };
      return JSON.stringify(actual) === JSON.stringify(expected) ? null : { index, expected, actual };
    });
    expect(mismatches.filter(Boolean)).to.deep.equal([]);
  });

  it(`answers ${REQUESTS} interleaved /auth/me and /users calls: every user listed belongs to the caller's tenant`, async function () {
    this.timeout(60_000);
    const idsByTenant = new Map(tenants.map((t) => [t.tenant_id, callers.filter((c) => c.tenant === t).map((c) => c.user_id).sort()]));
    const mismatches = await inBatches(REQUESTS, async (index) => {
      const caller = callers[(index % 2) * 4 + (Math.floor(index / 2) % 4)] as Caller;
      if (!caller.admin || index % 3 === 0) {
        const me = await api().get(`${API}/auth/me`).set(...bearer(caller.token));
        const ok = me.status === 200 && me.body.user_id === caller.user_id && me.body.tenant_id === caller.tenant.tenant_id;
        return ok ? null : { index, route: '/auth/me', status: me.status, body: me.body };
      }
      const list = await api().get(`${API}/users`).query({ limit: 200 }).set(...bearer(caller.token));
      const rows: { user_id: string; tenant_id: string }[] = list.body.data ?? [];
      const ok = list.status === 200 && rows.every((row) => row.tenant_id === caller.tenant.tenant_id)
        && JSON.stringify(rows.map((row) => row.user_id).sort()) === JSON.stringify(idsByTenant.get(caller.tenant.tenant_id));
      return ok ? null : { index, route: '/users', status: list.status, tenant: caller.tenant.tenant_code, rows };
    });
    expect(mismatches.filter(Boolean)).to.deep.equal([]);
  });

  it('runs a scoped transaction on every pooled connection at once, each seeing only its own tenant', async () => {
    const { db, config } = testDeps();
    const arrive = barrier(config.dbPoolMax);
    const seen = await Promise.all(Array.from({ length: config.dbPoolMax }, (_, index) => {
      const caller = callers[(index % 2) * 4 + 3] as Caller;
      return inTenantScope(db, caller.tenant, { user_id: caller.user_id }, async (tx) => {
        await setBookRange(db, tx, { lo: 7, hi: 7, policyholder_id: caller.agent_id });
        await arrive();
        const settings = (await tx.raw(SETTINGS_SQL)).rows[0] as Settings;
        const users = (await tx.raw('SELECT DISTINCT tenant_id FROM users')).rows.map((row: { tenant_id: string }) => row.tenant_id);
        return { caller, settings, users };
      });
    }));
    expect(new Set(seen.map((s) => s.settings.pid)).size).to.equal(config.dbPoolMax);
    for (const { caller, settings, users } of seen) {
      expect(settings).to.include({ tenant_id: caller.tenant.tenant_id, user_id: caller.user_id, agent_lo: '7', agent_hi: '7',
        policyholder_id: caller.agent_id });
      expect(settings.search_path).to.equal(`${caller.tenant.schema_name}, shared`);
      expect(users).to.deep.equal([caller.tenant.tenant_id]);
    }
  });

  it('leaves every pooled connection without tenant context after scoped transactions commit, roll back or fail in SQL', async () => {
    const { db, config } = testDeps();
    const arrive = barrier(config.dbPoolMax);
    const pids = await Promise.all(Array.from({ length: config.dbPoolMax }, async (_, index) => {
      const caller = callers[(index % 2) * 4 + 3] as Caller;
      const outcome = ['commit', 'throw', 'sql error', 'commit'][index % 4];
      let pid = 0;
      await inTenantScope(db, caller.tenant, { user_id: caller.user_id }, async (tx) => {
        await setBookRange(db, tx, { lo: 7, hi: 7, policyholder_id: caller.agent_id });
        pid = (await tx.raw('SELECT pg_backend_pid() AS pid')).rows[0].pid;
        await arrive();
        if (outcome === 'throw') throw new Error('the handler failed');
        if (outcome === 'sql error') await tx.raw('SELECT 1 / 0');
      }).catch((error: Error) => {
        if (outcome === 'commit') throw error;
      });
      return pid;
    }));
    expect(new Set(pids).size).to.equal(config.dbPoolMax);
    for (let round = 0; round < 3; round += 1) {
      const rows = await settingsOfEveryConnection();
      expect(rows.map((row) => row.pid)).to.have.members(pids);
      expect(leftovers(rows, tenants)).to.deep.equal([]);
    }
  });

  it('leaves every pooled connection without tenant context after a burst of API traffic from both tenants', async () => {
    await inBatches(60, (index) => api().get(`${API}/auth/me`).set(...bearer((callers[index % callers.length] as Caller).token)));
    expect(leftovers(await settingsOfEveryConnection(), tenants)).to.deep.equal([]);
  });

  it('would notice a connection poisoned by a session-level SET (the mistake SET LOCAL avoids)', async () => {
    const [tenant] = tenants as [TestTenant];
    let poisoned: string[];
    try {
      let first = true;
      await onEveryConnection(async (trx) => {
        if (!first) return;
        first = false;
        await trx.raw(`SET app.tenant_id = '${tenant.tenant_id}'`);
        await trx.raw(`SET search_path = "${tenant.schema_name}", shared`);
      });
      poisoned = leftovers(await settingsOfEveryConnection(), tenants);
    } finally {
      await onEveryConnection(async (trx) => { await trx.raw('RESET app.tenant_id; RESET search_path'); });
    }
    expect(poisoned).to.have.length(2);
    expect(poisoned[0]).to.match(new RegExp(`^connection \\d+: app.tenant_id = ${tenant.tenant_id}$`));
    expect(poisoned[1]).to.match(new RegExp(`^connection \\d+: search_path = ${tenant.schema_name}, shared$`));
    expect(leftovers(await settingsOfEveryConnection(), tenants)).to.deep.equal([]);
  });
});
