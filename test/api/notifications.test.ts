import { expect } from 'chai';
import { generate } from 'otplib';
import supertest from 'supertest';
import { insertSuperAdmin } from '../../src/auth/account-repository.js';
import { createApp } from '../../src/app.js';
import { inOwnerTransaction } from '../../src/db/privileged.js';
import type { AppDeps } from '../../src/deps.js';
import { notificationJob } from '../../src/notifications/job.js';
import { bearer, createTestTenant, createTestUser, TEST_PASSWORD, type TestTenant, type TestUser } from '../helpers/actors.js';
import { API, testDeps } from '../helpers/context.js';
import { installTestQueues, jobProcess, waitFor, type JobProcess } from '../helpers/jobs.js';
import { expectProblem } from '../helpers/problems.js';

// Issue 11, second part: the account's owner is told of changes to its sign-in (ASVS V2.2.3, V2.5.5, V2.8.5).
// A tenant user's notice goes through the tenant's outbox and the notification job (src/notifications/), so this
// file runs a worker; a super admin's is written with the change. The app has a clock this file moves (TOTP steps).

describe('Account notifications (ASVS V2.2.3, V2.5.5, V2.8.5)', function () {
  this.timeout(120_000);
  let clock = Date.now();
  let deps: AppDeps;
  let app: ReturnType<typeof supertest>;
  let tenant: TestTenant;
  let worker: JobProcess;
  const code = (secret: string) => generate({ secret, epoch: Math.floor(clock / 1000) });

  before(async () => {
    deps = { ...testDeps(), now: () => clock };
    app = supertest(createApp(deps));
    tenant = await createTestTenant();
    await installTestQueues([notificationJob]);
    worker = await jobProcess([notificationJob], { workers: true });
  });

  after(async () => {
    await worker?.stop();
  });

  const signIn = (email: string, password: string, tenantCode: string | null = tenant.tenant_code) => app.post(`${API}/auth/login`)
    .send({ ...(tenantCode ? { tenant: tenantCode } : {}), email, password });
  const inbox = async (token: string, query = 'limit=50') => {
    const res = await app.get(`${API}/auth/notifications?${query}`).set(...bearer(token));
    expect(res.status, res.text).to.equal(200);
    return res.body as { data: { topic: string; subject: string; body: string; details: Record<string, unknown> }[]; next_cursor: string | null };
  };
  const topics = async (token: string) => (await inbox(token)).data.map((notice) => notice.topic);
  /** Waits until the worker has delivered `topic` to the user's inbox (after the commit). */
  async function delivered(token: string, topic: string, times = 1): Promise<void> {
    await waitFor(async () => (await topics(token)).filter((each) => each === topic).length >= times, 20_000, `${topic} delivered`);
  }

  it('V2.2.3 tells the owner of a password change and of an administrator\'s reset, once each, after the commit', async () => {
    const user = await createTestUser(tenant, 'junior_agent');
    const admin = await createTestUser(tenant, 'insurance_provider_admin');
    const wrong = await app.post(`${API}/auth/password`).set(...bearer(user.token))
      .send({ current_password: 'Not#TheRightOne2026', new_password: 'Brand-new pass phrase 2026' });
    expect(wrong.status).to.equal(403);
    const changed = await app.post(`${API}/auth/password`).set(...bearer(user.token))
      .send({ current_password: TEST_PASSWORD, new_password: 'Brand-new pass phrase 2026' });
    expect(changed.status, changed.text).to.equal(204);
    await delivered(user.token, 'account.password_changed');
    const reset = await app.patch(`${API}/users/${user.user_id}`).set(...bearer(admin.token)).send({ password: 'Administrator set 2026!' });
    expect(reset.status, reset.text).to.equal(200);
    const after = (await signIn(user.email, 'Administrator set 2026!')).body.access_token as string;
    await delivered(after, 'account.password_reset');
    const notices = (await inbox(after)).data;
    expect(notices.map((notice) => notice.topic), 'the refused change told nobody; each notice once')
      .to.deep.equal(['account.password_reset', 'account.password_changed']);
    expect(notices[0]?.subject).to.be.a('string').with.length.above(10);
    expect(JSON.stringify(notices)).not.to.include('Administrator set 2026!');
  });

  it('V2.2.3 tells the owner of a lockout after five wrong passwords, and of a reused refresh token', async () => {
    const user = await createTestUser(tenant, 'junior_agent');
    for (let attempt = 0; attempt < 5; attempt += 1) expect((await signIn(user.email, 'Wrong#Password2026')).status).to.equal(401);
    await delivered(user.token, 'account.locked_out');
    const other = await createTestUser(tenant, 'junior_agent');
    const first = await signIn(other.email, TEST_PASSWORD);
    const rotated = await app.post(`${API}/auth/refresh`).send({ refresh_token: first.body.refresh_token });
    expect(rotated.status).to.equal(200);
    expect((await app.post(`${API}/auth/refresh`).send({ refresh_token: first.body.refresh_token })).status).to.equal(401);
    await delivered(other.token, 'session.refresh_token_reused');
  });

  describe('MFA changes', () => {
    let user: TestUser;
    let secret: string;
    let recovery: string[];

    before(async () => {
      user = await createTestUser(tenant, 'junior_agent');
    });

    it('V2.5.5 tells the owner of MFA enrolment, replacement, renewed and used recovery codes, and switching MFA off', async () => {
      const enrol = async (token: string) => {
        const started = await app.post(`${API}/auth/mfa/enrolment`).set(...bearer(token));
        expect(started.status, started.text).to.equal(200);
        clock += 30_000;
        const confirmed = await app.post(`${API}/auth/mfa/enrolment/confirm`).set(...bearer(token)).send({ code: await code(started.body.secret) });
        expect(confirmed.status, confirmed.text).to.equal(200);
        secret = started.body.secret;
        recovery = confirmed.body.recovery_codes;
      };
      await enrol(user.token);
      await delivered(user.token, 'mfa.enrolled');
      clock += 30_000;
      const challenge = await signIn(user.email, TEST_PASSWORD);
      const withCode = await app.post(`${API}/auth/mfa/verify`).send({ mfa_token: challenge.body.mfa_token, code: await code(secret) });
      expect(withCode.status, withCode.text).to.equal(200);
      await enrol(withCode.body.access_token as string);
      await delivered(user.token, 'mfa.replaced');
      clock += 30_000;
      const renewed = await app.post(`${API}/auth/mfa/recovery-codes`).set(...bearer(user.token)).send({ code: await code(secret) });
      expect(renewed.status, renewed.text).to.equal(200);
      recovery = renewed.body.recovery_codes;
      await delivered(user.token, 'mfa.recovery_codes_renewed');
      const first = await signIn(user.email, TEST_PASSWORD);
      const used = await app.post(`${API}/auth/mfa/verify`).send({ mfa_token: first.body.mfa_token, recovery_code: recovery[0] });
      expect(used.status, used.text).to.equal(200);
      await delivered(user.token, 'mfa.recovery_code_used');
      clock += 30_000;
      expect((await app.post(`${API}/auth/mfa/disable`).set(...bearer(user.token)).send({ code: await code(secret) })).status).to.equal(204);
      await delivered(user.token, 'mfa.disabled');
    });

    it('V2.8.5 tells the owner of a replayed TOTP code, at sign-in and on a signed-in request (refused and logged as mfa.failed: mfa.test.ts)', async () => {
      const started = await app.post(`${API}/auth/mfa/enrolment`).set(...bearer(user.token));
      clock += 30_000;
      expect((await app.post(`${API}/auth/mfa/enrolment/confirm`).set(...bearer(user.token))
        .send({ code: await code(started.body.secret) })).status).to.equal(200);
      clock += 30_000;
      const usedCode = await code(started.body.secret);
      const first = await signIn(user.email, TEST_PASSWORD);
      expect((await app.post(`${API}/auth/mfa/verify`).send({ mfa_token: first.body.mfa_token, code: usedCode })).status).to.equal(200);
      const again = await signIn(user.email, TEST_PASSWORD);
      expectProblem(await app.post(`${API}/auth/mfa/verify`).send({ mfa_token: again.body.mfa_token, code: usedCode }), 401, [],
        'auth.mfa_code_invalid');
      await delivered(user.token, 'mfa.code_replayed');
      expect((await app.post(`${API}/auth/mfa/recovery-codes`).set(...bearer(user.token)).send({ code: usedCode })).status).to.equal(401);
      await delivered(user.token, 'mfa.code_replayed', 2);
      const wrong = await signIn(user.email, TEST_PASSWORD);
      expect((await app.post(`${API}/auth/mfa/verify`).send({ mfa_token: wrong.body.mfa_token, code: '000000' })).status).to.equal(401);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect((await topics(user.token)).filter((topic) => topic === 'mfa.code_replayed'), 'a merely wrong code is no replay').to.have.length(2);
    });
  });

  it('V2.2.3 pages the inbox newest first, shows each user only their own, and keeps a super admin\'s in shared', async () => {
    const user = await createTestUser(tenant, 'junior_agent');
    for (const password of ['First new phrase 2026', 'Second new phrase 2026']) {
      const current = password.startsWith('First') ? TEST_PASSWORD : 'First new phrase 2026';
      expect((await app.post(`${API}/auth/password`).set(...bearer(user.token)).send({ current_password: current, new_password: password })).status)
        .to.equal(204);
    }
    await delivered(user.token, 'account.password_changed', 2);
    const firstPage = await inbox(user.token, 'limit=1');
    expect(firstPage.data).to.have.length(1);
    expect(firstPage.next_cursor).to.be.a('string');
    const secondPage = await inbox(user.token, `limit=1&cursor=${firstPage.next_cursor}`);
    expect(secondPage.data).to.have.length(1);
    const stranger = await createTestUser(tenant, 'junior_agent');
    expect((await inbox(stranger.token)).data).to.deep.equal([]);
    expect((await app.get(`${API}/auth/notifications`)).status).to.equal(401);

    const email = `root.notice.${Date.now()}@platform.test`;
    await inOwnerTransaction(deps.db, async (tx) => insertSuperAdmin(tx, { email, password_hash: await deps.passwords.hash(TEST_PASSWORD) }));
    const root = (await signIn(email, TEST_PASSWORD, null)).body.access_token as string;
    expect((await app.post(`${API}/auth/password`).set(...bearer(root)).send({ current_password: TEST_PASSWORD, new_password: 'Platform new phrase 2026' }))
      .status).to.equal(204);
    expect(await topics(root), 'written with the change').to.deep.equal(['account.password_changed']);
  });
});
