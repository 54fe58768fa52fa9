import crypto from 'node:crypto';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import { pino } from 'pino';
import { SECURITY_EVENT_KINDS } from '../../schemas/security-events.js';
import { inTenantScope } from '../../src/db/scope.js';
import { recordSecurityEvent } from '../../src/security-events/record.js';
import { bearer, createTestTenant, createTestUser, login, superAdminToken, type TestTenant } from '../helpers/actors.js';
import { API, api, testDeps } from '../helpers/context.js';
import { expectProblem } from '../helpers/problems.js';

// Issue 11, item 5: the security event log (OWASP ASVS 4.0.3 V7), each test named by the requirement it guards.

interface EventView {
  event_id: string; kind: string; outcome: string; tenant_id: string | null; actor_user_id: string | null;
  actor_role: string | null; client_address: string | null; request_id: string | null; target_type: string | null;
  target_id: string | null; details: Record<string, unknown>; occurred_at: string;
}

describe('the security event log (ASVS V7)', function () {
  this.timeout(90_000);
  let tenant: TestTenant;
  let platform: string;

  before(async () => {
    tenant = await createTestTenant();
    platform = await superAdminToken();
  });

  async function events(token: string, query: Record<string, string> = {}): Promise<EventView[]> {
    const res = await api().get(`${API}/security-events`).query({ limit: '200', ...query }).set(...bearer(token));
    expect(res.status, res.text).to.equal(200);
    return res.body.data;
  }
  const adminEvents = (query: Record<string, string> = {}) => events(tenant.admin.token, query);
  const signIn = (email: string, password: string, requestId?: string) => {
    const request = api().post(`${API}/auth/login`).send({ tenant: tenant.tenant_code, email, password });
    return requestId ? request.set('X-Request-Id', requestId) : request;
  };

  it('V7.2.1 V7.1.1 records a failed sign-in and the lockout, with address and request id, and no password', async () => {
    const user = await createTestUser(tenant, 'junior_agent');
    const requestId = `failed-${crypto.randomUUID()}`;
    expect((await signIn(user.email, 'Wrong#Password2026', requestId)).status).to.equal(401);
    const [failed] = await adminEvents({ kind: 'auth.sign_in_failed' }).then((all) => all.filter((e) => e.request_id === requestId));
    expect(failed).to.include({ outcome: 'failure', tenant_id: tenant.tenant_id, actor_user_id: null, target_type: 'user',
      target_id: user.user_id });
    expect(failed?.client_address).to.be.a('string').and.not.equal('');
    expect(failed?.details).to.include({ reason: 'invalid_credentials', identifier_kind: 'email' });
    expect(JSON.stringify(failed)).not.to.include('Wrong#Password2026').and.not.to.include(user.email);
    for (let i = 0; i < 4; i += 1) await signIn(user.email, 'Wrong#Password2026');
    expect((await signIn(user.email, user.password)).status).to.equal(423);
    const lockouts = (await adminEvents({ kind: 'auth.locked_out' })).filter((e) => e.target_id === user.user_id);
    expect(lockouts).to.have.length(1);
    expect(lockouts[0]?.details.lock_seconds).to.be.a('number').above(0);
    const refused = (await adminEvents({ kind: 'auth.sign_in_failed' })).filter((e) => e.details.identity_hash === failed?.details.identity_hash);
    expect(refused.map((e) => e.details.reason)).to.include('locked');
  });

  it('V7.2.1 records a failed sign-in for an account that does not exist, like one that does', async () => {
    const requestId = `unknown-${crypto.randomUUID()}`;
    expect((await signIn(`nobody.${crypto.randomUUID()}@nowhere.test`, 'Wrong#Password2026', requestId)).status).to.equal(401);
    const [failed] = (await adminEvents({ kind: 'auth.sign_in_failed' })).filter((e) => e.request_id === requestId);
    expect(failed).to.include({ outcome: 'failure', tenant_id: tenant.tenant_id, target_id: null });
  });

  it('V7.1.3 records a successful sign-in with the session it opened', async () => {
    const user = await createTestUser(tenant, 'junior_agent');
    const mine = await adminEvents({ kind: 'auth.sign_in_succeeded', actor: user.user_id });
    expect(mine).to.have.length(1);
    expect(mine[0]).to.include({ outcome: 'success', actor_role: 'junior_agent', target_type: 'session', tenant_id: tenant.tenant_id });
  });

  it('V7.2.1 records refresh-token reuse, which revokes the session', async () => {
    const user = await createTestUser(tenant, 'junior_agent');
    const pair = await login({ tenant: tenant.tenant_code, email: user.email, password: user.password });
    expect((await api().post(`${API}/auth/refresh`).send({ refresh_token: pair.refresh_token })).status).to.equal(200);
    expect((await api().post(`${API}/auth/refresh`).send({ refresh_token: pair.refresh_token })).status).to.equal(401);
    const reuse = await adminEvents({ kind: 'auth.refresh_token_reused', actor: user.user_id });
    expect(reuse).to.have.length(1);
    expect(reuse[0]).to.include({ outcome: 'denied', target_type: 'session' });
  });

  it('V7.1.3 records password changes, administrator resets, deactivation and ended sessions', async () => {
    const user = await createTestUser(tenant, 'junior_agent');
    expect((await api().post(`${API}/auth/password`).set(...bearer(user.token))
      .send({ current_password: user.password, new_password: 'Changed#Password2026' })).status).to.equal(204);
    expect((await api().delete(`${API}/auth/sessions`).set(...bearer(user.token))).status).to.equal(204);
    expect((await api().patch(`${API}/users/${user.user_id}`).set(...bearer(tenant.admin.token))
      .send({ password: 'Reset#ByAdmin2026' })).status).to.equal(200);
    expect((await api().delete(`${API}/users/${user.user_id}`).set(...bearer(tenant.admin.token))).status).to.equal(204);
    const about = (await adminEvents()).filter((e) => e.target_id === user.user_id);
    const kinds = about.map((e) => e.kind);
    expect(kinds).to.include.members(['auth.password_changed', 'session.revoked', 'auth.password_reset', 'user.deactivated']);
    const reset = about.find((e) => e.kind === 'auth.password_reset');
    expect(reset?.actor_role).to.equal('insurance_provider_admin');
    expect(about.find((e) => e.kind === 'auth.password_changed')?.actor_user_id).to.equal(user.user_id);
  });

  it('V7.1.3 records role grants and role permission changes', async () => {
    const user = await createTestUser(tenant, 'junior_agent');
    const roles = (await api().get(`${API}/roles?limit=200`).set(...bearer(tenant.admin.token))).body.data as { role_id: string; role_name: string }[];
    const senior = roles.find((role) => role.role_name === 'senior_agent');
    expect((await api().put(`${API}/users/${user.user_id}/roles`).set(...bearer(tenant.admin.token))
      .send({ role_ids: [senior?.role_id] })).status).to.equal(200);
    const [granted] = await adminEvents({ kind: 'user.roles_changed' }).then((all) => all.filter((e) => e.target_id === user.user_id));
    expect(granted?.details).to.deep.include({ granted: ['senior_agent'], revoked: ['junior_agent'] });
    const role = await api().post(`${API}/roles`).set(...bearer(tenant.admin.token)).send({
      role_name: `auditor_${crypto.randomBytes(3).toString('hex')}`, data_scope: 'tenant',
      permissions: [{ action: 'read', subject: 'Audit' }] });
    expect(role.status, role.text).to.equal(201);
    expect((await api().patch(`${API}/roles/${role.body.role_id}`).set(...bearer(tenant.admin.token))
      .send({ permissions: [{ action: 'read', subject: 'Agent' }] })).status).to.equal(200);
    const changes = (await adminEvents({ kind: 'role.permissions_changed' })).filter((e) => e.target_id === role.body.role_id);
    expect(changes.map((e) => e.details.change)).to.have.members(['created', 'updated']);
  });

  it('V7.2.2 records every 403, although the request that was refused rolled back', async () => {
    const junior = await createTestUser(tenant, 'junior_agent');
    const requestId = `denied-${crypto.randomUUID()}`;
    expectProblem(await api().get(`${API}/users`).set(...bearer(junior.token)).set('X-Request-Id', requestId), 403);
    // The event is written once the 403 has been answered: it may take a few milliseconds to appear.
    const deniedEvents = async (until: (e: { request_id: string | null; target_id: string | null }) => boolean) => {
      for (let attempt = 0; ; attempt += 1) {
        const found = await adminEvents({ kind: 'access.denied', actor: junior.user_id });
        if (found.some(until) || attempt === 40) return found;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const [denied] = (await deniedEvents((e) => e.request_id === requestId)).filter((e) => e.request_id === requestId);
    expect(denied).to.include({ outcome: 'denied', actor_role: 'junior_agent', tenant_id: tenant.tenant_id, target_type: 'route',
      target_id: 'GET /api/v1/users' });
    expectProblem(await api().get(`${API}/tenants`).set(...bearer(junior.token)), 403);
    expect((await deniedEvents((e) => e.target_id === 'GET /api/v1/tenants')).map((e) => e.target_id)).to.include('GET /api/v1/tenants');
  });

  it('V7.1.3 records a tenant suspension, seen platform-wide and by tenant', async () => {
    const other = await createTestTenant();
    expect((await api().patch(`${API}/tenants/${other.tenant_id}`).set(...bearer(platform)).send({ status: 'suspended' })).status).to.equal(200);
    const everywhere = await events(platform, { kind: 'tenant.suspended' });
    expect(everywhere.map((e) => e.target_id)).to.include(other.tenant_id);
    const one = await events(platform, { tenant_id: other.tenant_id });
    expect(one.length).to.be.above(0);
    expect(one.every((e) => e.tenant_id === other.tenant_id)).to.equal(true);
    expect(one.find((e) => e.kind === 'tenant.suspended')).to.include({ actor_role: 'super_admin', outcome: 'success' });
  });

  it('V7.1.3 records a change of status only: sending the status a tenant has already records nothing', async () => {
    const other = await createTestTenant();
    const patch = (body: Record<string, unknown>) => api().patch(`${API}/tenants/${other.tenant_id}`).set(...bearer(platform)).send(body);
    const kinds = async () => (await events(platform, { tenant_id: other.tenant_id }))
      .filter((e) => e.kind.startsWith('tenant.')).map((e) => `${e.kind} ${String(e.details.from)}`);
    expect((await patch({ status: 'active', max_users: 40 })).status).to.equal(200);
    expect(await kinds()).to.deep.equal([]);
    expect((await patch({ status: 'suspended' })).status).to.equal(200);
    expect((await patch({ status: 'suspended', api_rate_limit: 500 })).status).to.equal(200);
    expect((await patch({ status: 'active' })).status).to.equal(200);
    expect((await kinds()).sort()).to.deep.equal(['tenant.reactivated suspended', 'tenant.suspended active']);
  });

  it("V7.3.3 shows a tenant's administrators their own tenant's events only, and nobody else any", async () => {
    const other = await createTestTenant();
    const mine = await adminEvents();
    expect(mine.length).to.be.above(0);
    expect(mine.every((e) => e.tenant_id === tenant.tenant_id)).to.equal(true);
    expect((await events(other.admin.token)).every((e) => e.tenant_id === other.tenant_id)).to.equal(true);
    expectProblem(await api().get(`${API}/security-events`).query({ tenant_id: other.tenant_id }).set(...bearer(tenant.admin.token)), 403);
    const junior = await createTestUser(tenant, 'junior_agent');
    expectProblem(await api().get(`${API}/security-events`).set(...bearer(junior.token)), 403);
    expectProblem(await api().get(`${API}/security-events`), 401);
  });

  it('V7.1.4 pages the timeline with a cursor and filters by actor and time', async () => {
    const user = await createTestUser(tenant, 'junior_agent');
    for (let i = 0; i < 3; i += 1) await login({ tenant: tenant.tenant_code, email: user.email, password: user.password });
    const all = await adminEvents({ actor: user.user_id });
    expect(all).to.have.length(4);
    const first = await api().get(`${API}/security-events`).query({ actor: user.user_id, limit: '3' }).set(...bearer(tenant.admin.token));
    expect(first.body.data).to.have.length(3);
    const second = await api().get(`${API}/security-events`).query({ actor: user.user_id, limit: '3', cursor: first.body.next_cursor })
      .set(...bearer(tenant.admin.token));
    expect(second.body.next_cursor).to.equal(null);
    expect([...first.body.data, ...second.body.data].map((e: EventView) => e.event_id)).to.deep.equal(all.map((e) => e.event_id));
    const newest = all[0]?.occurred_at ?? '';
    expect(await adminEvents({ actor: user.user_id, since: newest })).to.have.length(1);
    expect(await adminEvents({ actor: user.user_id, until: newest })).to.have.length(3);
    expectProblem(await api().get(`${API}/security-events`).query({ cursor: 'bogus' }).set(...bearer(tenant.admin.token)), 400, ['query.cursor']);
    expectProblem(await api().get(`${API}/security-events`).query({ kind: 'made.up' }).set(...bearer(tenant.admin.token)), 400, ['query.kind']);
  });

  it('V7.3.3 lets the runtime role only insert events, and only its own tenant\'s', async () => {
    const { db } = testDeps();
    const inTenant = (sql: string) => inTenantScope(db, tenant, { system: 'probe' }, (tx) => tx.raw(sql));
    for (const sql of ['SELECT * FROM shared.security_events', "UPDATE shared.security_events SET outcome = 'success'",
      'DELETE FROM shared.security_events', 'TRUNCATE shared.security_events']) {
      let error: { code?: string } | undefined;
      await inTenant(sql).catch((caught: { code?: string }) => { error = caught; });
      expect(error?.code, sql).to.equal('42501');
    }
    const other = await createTestTenant();
    let refused: { code?: string } | undefined;
    await inTenant(`INSERT INTO shared.security_events (kind, outcome, tenant_id) VALUES ('access.denied', 'denied', '${other.tenant_id}')`)
      .catch((caught: { code?: string }) => { refused = caught; });
    expect(refused?.code, 'another tenant').to.equal('42501');
    await inTenant(`INSERT INTO shared.security_events (kind, outcome, tenant_id) VALUES ('access.denied', 'denied', '${tenant.tenant_id}')`);
  });

  it('V7.1.3 accepts every kind, the MFA ones included, and logs each event too', async () => {
    const lines: string[] = [];
    const log = pino(new Writable({ write(chunk, _encoding, done) { lines.push(String(chunk)); done(); } }));
    const user = await createTestUser(tenant, 'junior_agent');
    await inTenantScope(testDeps().db, tenant, { user_id: user.user_id }, async (tx) => {
      for (const kind of SECURITY_EVENT_KINDS) {
        await recordSecurityEvent(tx, { kind, outcome: 'success', tenant_id: tenant.tenant_id,
          actor: { user_id: user.user_id, role: 'junior_agent' }, details: { probe: true } }, log);
      }
    });
    const recorded = await adminEvents({ actor: user.user_id });
    expect(recorded.filter((e) => e.details.probe).map((e) => e.kind)).to.have.members([...SECURITY_EVENT_KINDS]);
    expect(lines.filter((line) => line.includes('"security_event"'))).to.have.length(SECURITY_EVENT_KINDS.length);
  });

  it('V7.3.1 keeps a hostile value inside its field: one JSON log line, stored as given', async () => {
    const lines: string[] = [];
    const log = pino(new Writable({ write(chunk, _encoding, done) { lines.push(String(chunk)); done(); } }));
    const user = await createTestUser(tenant, 'junior_agent');
    const forged = 'x"}\n{"level":30,"msg":"security event auth.sign_in_succeeded","forged":true}\r\n';
    await inTenantScope(testDeps().db, tenant, { user_id: user.user_id }, (tx) => recordSecurityEvent(tx, {
      kind: 'access.denied', outcome: 'denied', tenant_id: tenant.tenant_id, actor: { user_id: user.user_id, role: null },
      details: { note: forged } }, log));
    const written = lines.join('').split('\n').filter(Boolean);
    expect(written).to.have.length(1);
    expect(JSON.parse(written[0] ?? '{}').security_event.details.note).to.equal(forged);
    const [stored] = await adminEvents({ kind: 'access.denied', actor: user.user_id });
    expect(stored?.details.note).to.equal(forged);
  });

  it('V7.3.4 stamps each event by the database clock and answers it in UTC', async () => {
    const before = Date.now();
    const user = await createTestUser(tenant, 'junior_agent');
    const [signedIn] = await adminEvents({ kind: 'auth.sign_in_succeeded', actor: user.user_id });
    expect(signedIn?.occurred_at).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    const at = Date.parse(signedIn?.occurred_at ?? '');
    expect(at).to.be.within(before - 5_000, Date.now() + 5_000);
  });

  it('never fails the request when an event cannot be written', async () => {
    const other = await createTestTenant();
    const lines: string[] = [];
    const log = pino(new Writable({ write(chunk, _encoding, done) { lines.push(String(chunk)); done(); } }));
    const answer = await inTenantScope(testDeps().db, tenant, { system: 'probe' }, async (tx) => {
      // Another tenant's event: the policy refuses it; the transaction goes on.
      await recordSecurityEvent(tx, { kind: 'access.denied', outcome: 'denied', tenant_id: other.tenant_id }, log);
      return (await tx.raw('SELECT 1 AS one')).rows[0].one;
    });
    expect(answer).to.equal(1);
    expect(lines.some((line) => line.includes('security event not stored'))).to.equal(true);
  });
});
