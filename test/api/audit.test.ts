import { expect } from 'chai';
import { runAsSystem } from '../../src/scope/run.js';
import type { TenantRecord } from '../../src/tenants/repository.js';
import { bearer } from '../helpers/actors.js';
import { bookFixture, createPolicyholderAs, type BookFixture } from '../helpers/book.js';
import { API, api, testDeps } from '../helpers/context.js';
import { expectProblem } from '../helpers/problems.js';

interface Entry { table_name: string; record_id: string; action: string; actor_user_id: string | null; actor: string;
  old_values: Record<string, unknown> | null; new_values: Record<string, unknown> | null; changed_columns: string[] }

describe('audit trail', () => {
  let fx: BookFixture;
  const audit = async (query: Record<string, string | number>) => {
    const res = await api().get(`${API}/audit`).query(query).set(...bearer(fx.token('admin')));
    expect(res.status, res.text).to.equal(200);
    return res.body as { data: Entry[]; next_cursor: string | null };
  };

  before(async () => {
    fx = await bookFixture();
  });

  it('records insert and update of a policyholder with the acting user, old and new values', async () => {
    const id = await createPolicyholderAs(fx.token('juniorA'), { first_name: 'Audited' });
    await api().patch(`${API}/policyholders/${id}`).set(...bearer(fx.token('senior'))).send({ occupation: 'Potter' });
    const { data } = await audit({ table: 'policyholders', record_id: id });
    expect(data.map((entry) => entry.action)).to.deep.equal(['update', 'insert']);
    const [update, insert] = data as [Entry, Entry];
    expect(insert).to.include({ actor_user_id: fx.users.juniorA.user_id, actor: 'user', old_values: null });
    expect(insert.new_values).to.include({ first_name: 'Audited', agent_id: fx.users.juniorA.agent_id });
    expect(update).to.include({ actor_user_id: fx.users.senior.user_id });
    expect(update.changed_columns).to.include('occupation').and.not.include('first_name');
    expect(update.old_values).to.include({ occupation: null });
    expect(update.new_values).to.include({ occupation: 'Potter' });
  });

  it('filters by user and time, pages newest first, and never records a password hash', async () => {
    const byJunior = await audit({ user_id: fx.users.juniorA.user_id as string, limit: 200 });
    expect(byJunior.data.length).to.be.greaterThan(0);
    expect(byJunior.data.every((entry) => entry.actor_user_id === fx.users.juniorA.user_id)).to.equal(true);
    const future = await audit({ from: new Date(Date.now() + 3_600_000).toISOString() });
    expect(future.data).to.deep.equal([]);
    const first = await audit({ limit: 2 });
    const second = await audit({ limit: 2, cursor: first.next_cursor as string });
    expect(second.data.map((e) => JSON.stringify(e))).to.not.include.members(first.data.map((e) => JSON.stringify(e)));
    const users = await audit({ table: 'users', limit: 200 });
    expect(users.data.length).to.be.greaterThan(0);
    expect(JSON.stringify(users.data)).to.not.include('password_hash"').and.not.include('$argon2');
  });

  it('names a job as the actor of a system change', async () => {
    const tenant = await testDeps().tenants.byId(fx.tenant.tenant_id) as TenantRecord;
    await runAsSystem(testDeps(), tenant, 'lapse', ({ tx }) =>
      tx('policyholders').where({ policyholder_id: fx.policyholderB }).update({ occupation: 'Retired' }));
    const [entry] = (await audit({ record_id: fx.policyholderB, limit: 1 })).data;
    expect(entry).to.include({ actor: 'system:lapse', actor_user_id: null, action: 'update' });
  });

  it('the runtime role cannot write, change or delete audit rows', async () => {
    const tenant = await testDeps().tenants.byId(fx.tenant.tenant_id) as TenantRecord;
    for (const statement of ['UPDATE audit_log SET actor = \'forged\'', 'DELETE FROM audit_log',
      "INSERT INTO audit_log (table_name, record_id, action, actor) VALUES ('x', 'y', 'insert', 'forged')"]) {
      const error = await runAsSystem(testDeps(), tenant, 'probe', ({ tx }) => tx.raw(statement)).then(() => null, (caught: Error) => caught);
      expect(error?.message, statement).to.match(/permission denied/);
    }
  });

  it('is for tenant-wide administrators only, and rejects bad filters', async () => {
    expectProblem(await api().get(`${API}/audit`).set(...bearer(fx.token('manager'))), 403);
    expectProblem(await api().get(`${API}/audit?from=yesterday&table=Bad-Name&user_id=1`).set(...bearer(fx.token('admin'))), 400,
      ['query.from', 'query.table', 'query.user_id']);
    expectProblem(await api().get(`${API}/audit?cursor=abc`).set(...bearer(fx.token('admin'))), 400, ['query.cursor']);
    // Year 0000 is ISO 8601 but no PostgreSQL time: named here, not 'body: a value has the wrong format'.
    expectProblem(await api().get(`${API}/audit?from=0000-01-01T00:00:00Z`).set(...bearer(fx.token('admin'))), 400, ['query.from']);
  });
});
