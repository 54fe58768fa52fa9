import { expect } from 'chai';
import { bearer, createTestTenant, createTestUser, login, superAdminToken, type TestTenant, type TestUser } from '../helpers/actors.js';
import { inOwnerTransaction } from '../../src/db/privileged.js';
import { enterTenant } from '../../src/db/scope.js';
import { API, api, testDeps } from '../helpers/context.js';
import { changePassword, signInByEmail } from '../helpers/accounts.js';
import { expectProblem } from '../helpers/problems.js';

// Issue 11: a user's own password and sessions, each test named by the OWASP ASVS 4.0.3 requirement it guards.

describe('your own password and sessions (ASVS V2.1, V3.3)', function () {
  this.timeout(60_000);
  let tenant: TestTenant;

  before(async () => {
    tenant = await createTestTenant();
  });

  const change = changePassword;
  const signIn = (user: TestUser, password: string) => signInByEmail(tenant, user.email, password);

  it('V2.1.5 V2.1.6 asks for the current password', async () => {
    const user = await createTestUser(tenant, 'junior_agent');
    expectProblem(await change(user.token, 'Not#TheRightOne1', 'Fresh#Password2026'), 403, [], 'auth.invalid_credentials');
    expectProblem(await api().post(`${API}/auth/password`).set(...bearer(user.token)).send({ new_password: 'Fresh#Password2026' }), 400,
      ['body.current_password']);
    expect((await signIn(user, user.password)).status, 'the old password still works').to.equal(200);
    for (const same of [user.password, user.password.normalize('NFKD').replace(/[A-Za-z]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0))]) {
      // The same password (also in a form NFKC folds into it) is no change: it would clear a required change.
      const res = await change(user.token, user.password, same);
      expectProblem(res, 400, ['body.new_password']);
      expect(JSON.stringify(res.body.errors)).to.include('must differ');
    }
    expect((await change(user.token, user.password, 'Fresh#Password2026')).status).to.equal(204);
    expect((await signIn(user, 'Fresh#Password2026')).status).to.equal(200);
    expect((await signIn(user, user.password)).status).to.equal(401);
  });

  it('V2.1.1 V2.1.2 V2.1.3 V2.1.9 counts 12 to 128 characters after normalising, spaces kept as typed', async () => {
    const user = await createTestUser(tenant, 'junior_agent');
    expectProblem(await change(user.token, user.password, 'Short#Pass1'), 400, ['body.new_password']);
    expectProblem(await change(user.token, user.password, `A#1${'x'.repeat(126)}`), 400, ['body.new_password']);
    const spaced = 'my   pass  phrase';
    expect((await change(user.token, user.password, spaced)).status).to.equal(204);
    expect((await signIn(user, 'my pass phrase')).status, 'spaces are not collapsed').to.equal(401);
    expect((await signIn(user, spaced)).status).to.equal(200);
    const longest = `A#1${'y'.repeat(125)}`;
    const token = (await login({ tenant: tenant.tenant_code, email: user.email, password: spaced })).access_token;
    expect((await change(token, spaced, longest)).status, '128 characters are allowed').to.equal(204);
  });

  it('V2.1.4 takes any printable Unicode, compared after NFKC normalisation', async () => {
    const user = await createTestUser(tenant, 'junior_agent');
    const fullWidth = 'Ｐａｓｓｗｏｒｄ＃２０２６ｘｙ';
    expect((await change(user.token, user.password, fullWidth)).status).to.equal(204);
    expect((await signIn(user, 'Password#2026xy')).status, 'the NFKC form signs in').to.equal(200);
    expect((await signIn(user, fullWidth)).status).to.equal(200);
  });

  it('V2.1.7 refuses a commonly used password (an offline list)', async () => {
    const user = await createTestUser(tenant, 'junior_agent');
    for (const common of ['qwerty123456', 'Q1W2E3R4T5Y6']) {
      const res = await change(user.token, user.password, common);
      expectProblem(res, 400, ['body.new_password']);
      expect(JSON.stringify(res.body.errors)).to.include('commonly used');
    }
    const created = await api().post(`${API}/users`).set(...bearer(tenant.admin.token))
      .send({ email: 'common@selfservice.test', password: '1qaz2wsx3edc', first_name: 'C', last_name: 'P' });
    expectProblem(created, 400, ['body.password']);
  });

  it('V3.3.3 ends the other sessions when the password changes, and keeps this one', async () => {
    const user = await createTestUser(tenant, 'junior_agent');
    const other = (await login({ tenant: tenant.tenant_code, email: user.email, password: user.password })).access_token;
    expect((await change(user.token, user.password, 'Another#Password2026')).status).to.equal(204);
    expectProblem(await api().get(`${API}/auth/me`).set(...bearer(other)), 401);
    expect((await api().get(`${API}/auth/me`).set(...bearer(user.token))).status).to.equal(200);
  });

  it('V2.2.1 locks the password change after five wrong current passwords (423)', async () => {
    const user = await createTestUser(tenant, 'junior_agent');
    for (let i = 0; i < 5; i += 1) expect((await change(user.token, 'Wrong#Current2026', 'Fresh#Password2026')).status).to.equal(403);
    const locked = await change(user.token, user.password, 'Fresh#Password2026');
    expectProblem(locked, 423, [], 'auth.locked');
    expect(Number(locked.headers['retry-after'])).to.be.at.least(1);
  });

  it('V3.3.4 lists your sessions (address, device, last activity) and ends one or all of them', async () => {
    const user = await createTestUser(tenant, 'junior_agent');
    const phone = (await api().post(`${API}/auth/login`).set('User-Agent', 'AgentMitra-Android/1.0')
      .send({ tenant: tenant.tenant_code, email: user.email, password: user.password })).body.access_token as string;
    const listed = await api().get(`${API}/auth/sessions`).set(...bearer(user.token));
    expect(listed.status, listed.text).to.equal(200);
    expect(listed.body.data).to.have.length(2);
    expect(listed.body.data.filter((session: { current: boolean }) => session.current)).to.have.length(1);
    const onPhone = listed.body.data.find((session: { user_agent: string | null }) => session.user_agent === 'AgentMitra-Android/1.0');
    expect(onPhone).to.include({ current: false });
    expect(onPhone.ip_address).to.be.a('string');

    expectProblem(await api().delete(`${API}/auth/sessions/${onPhone.session_id}`).set(...bearer(tenant.admin.token)), 404);
    expect((await api().get(`${API}/auth/me`).set(...bearer(phone))).status, 'another user cannot end it').to.equal(200);
    expect((await api().delete(`${API}/auth/sessions/${onPhone.session_id}`).set(...bearer(user.token))).status).to.equal(204);
    expectProblem(await api().get(`${API}/auth/me`).set(...bearer(phone)), 401);
    expectProblem(await api().delete(`${API}/auth/sessions/${onPhone.session_id}`).set(...bearer(user.token)), 404);

    const third = (await login({ tenant: tenant.tenant_code, email: user.email, password: user.password })).access_token;
    expect((await api().delete(`${API}/auth/sessions`).set(...bearer(user.token))).status).to.equal(204);
    for (const token of [user.token, third]) expectProblem(await api().get(`${API}/auth/me`).set(...bearer(token)), 401);
  });

  /** The clock we control: the session's last activity is moved back by `minutes`. */
  async function idleFor(refreshToken: string, minutes: number): Promise<void> {
    const sessionId = refreshToken.split('.')[2];
    await inOwnerTransaction(testDeps().db, async (tx) => {
      await enterTenant(tx, tenant);
      await tx('user_sessions').where({ session_id: sessionId })
        .update({ last_activity_at: tx.raw('now() - make_interval(mins => ?)', [minutes]) });
    });
  }

  it('V3.3.2 refuses to refresh a session idle past its limit: 30 minutes for administrators, 12 hours for others', async () => {
    const agent = await createTestUser(tenant, 'junior_agent');
    const refreshWith = (token: string) => api().post(`${API}/auth/refresh`).send({ refresh_token: token });
    const agentPair = await login({ tenant: tenant.tenant_code, email: agent.email, password: agent.password });
    await idleFor(agentPair.refresh_token, 31);
    const stillActive = await refreshWith(agentPair.refresh_token);
    expect(stillActive.status, 'an agent idle 31 minutes may go on').to.equal(200);
    await idleFor(stillActive.body.refresh_token, 12 * 60 + 1);
    expectProblem(await refreshWith(stillActive.body.refresh_token), 401);

    const adminPair = await login({ tenant: tenant.tenant_code, email: tenant.admin.email, password: tenant.admin.password });
    await idleFor(adminPair.refresh_token, 29);
    const admin = await refreshWith(adminPair.refresh_token);
    expect(admin.status, 'an admin idle 29 minutes may go on').to.equal(200);
    await idleFor(admin.body.refresh_token, 31);
    const expired = await refreshWith(admin.body.refresh_token);
    expectProblem(expired, 401);
    expect(expired.body.detail).to.match(/idle/);
    expectProblem(await api().get(`${API}/auth/me`).set(...bearer(admin.body.access_token)), 401);
  });

  it('V3.3.4 works for super admins too', async () => {
    const res = await api().get(`${API}/auth/sessions`).set(...bearer(await superAdminToken()));
    expect(res.status, res.text).to.equal(200);
    expect(res.body.data.some((session: { current: boolean }) => session.current)).to.equal(true);
  });
});
