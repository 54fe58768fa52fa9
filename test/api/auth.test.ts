import crypto from 'node:crypto';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import supertest from 'supertest';
import { PostgresRateLimitStore } from '../../src/limits/postgres-rate-limit-store.js';
import { createApp } from '../../src/app.js';
import { PasswordHasher } from '../../src/auth/passwords.js';
import { loginIdentityHash, login as serviceLogin } from '../../src/auth/service.js';
import { inOwnerTransaction } from '../../src/db/privileged.js';
import { enterTenant } from '../../src/db/scope.js';
import { bearer, createTestTenant, createTestUser, login, TEST_PASSWORD, type TestTenant, type TestUser } from '../helpers/actors.js';
import { API, api, SUPER_ADMIN, testDeps } from '../helpers/context.js';
import { expectProblem } from '../helpers/problems.js';

function signWith(payload: object, options: jwt.SignOptions & { secret?: string } = {}): string {
  const { secret, ...rest } = options;
  const { jwt: settings } = testDeps().config;
  const expiry = 'exp' in payload ? {} : { expiresIn: 60 };
  return jwt.sign(payload, secret ?? settings.secret, {
    algorithm: 'HS256', issuer: settings.issuer, audience: settings.audience, ...expiry, ...rest,
  });
}

async function me(token: string) {
  return api().get(`${API}/auth/me`).set(...bearer(token));
}

describe('auth', () => {
  let tenant: TestTenant;
  let agent: TestUser;

  before(async () => {
    tenant = await createTestTenant();
    agent = await createTestUser(tenant, 'junior_agent', { agent: true });
  });

  describe('login', () => {
    it('returns a bearer pair and the user with its role and tenant', async () => {
      const res = await api().post(`${API}/auth/login`).send({ tenant: tenant.tenant_code, email: agent.email, password: TEST_PASSWORD });
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ token_type: 'Bearer', expires_in: testDeps().config.jwt.accessTtlSeconds });
      expect(res.body.user).to.deep.equal({ user_id: agent.user_id, role: 'junior_agent', tenant_code: tenant.tenant_code });
      expect(res.body.refresh_token).to.match(/^rt1\./);
      expect(res.headers['cache-control'], 'tokens must not be cached').to.equal('no-store');
    });

    it('refuses fields it does not know, naming them', async () => {
      const res = await api().post(`${API}/auth/login`).send({ tenant: tenant.tenant_code, email: agent.email, password: TEST_PASSWORD, remember_me: true });
      expect(res.status).to.equal(400);
      expect(res.body.errors[0].message).to.include('remember_me');
    });

    it('takes the tenant from X-Tenant or from the subdomain', async () => {
      const byHeader = await api().post(`${API}/auth/login`).set('X-Tenant', tenant.tenant_code).send({ email: agent.email, password: TEST_PASSWORD });
      expect(byHeader.status).to.equal(200);
      const host = `${tenant.tenant_code.toLowerCase()}.agentmitra.in`;
      const bySubdomain = await api().post(`${API}/auth/login`).set('Host', host).send({ email: agent.email, password: TEST_PASSWORD });
      expect(bySubdomain.status).to.equal(200);
      expect(bySubdomain.body.user.tenant_code).to.equal(tenant.tenant_code);
      const capitalised = await api().post(`${API}/auth/login`).set('Host', `${tenant.tenant_code}.AgentMitra.IN:443`)
        .send({ email: agent.email, password: TEST_PASSWORD });
      expect(capitalised.status, 'host names are case-insensitive').to.equal(200);
      expect(capitalised.body.user.tenant_code).to.equal(tenant.tenant_code);
    });

    it('refuses a body tenant that contradicts X-Tenant', async () => {
      const res = await api().post(`${API}/auth/login`).set('X-Tenant', 'OTHER')
        .send({ tenant: tenant.tenant_code, email: agent.email, password: TEST_PASSWORD });
      expect(res.status).to.equal(400);
      expect(res.body.errors).to.deep.equal([{ path: 'body.tenant', message: 'names another tenant than the X-Tenant header' }]);
    });

    it('answers an unknown user exactly like a wrong password', async () => {
      const unknown = await api().post(`${API}/auth/login`).send({ tenant: tenant.tenant_code, email: 'nobody@nowhere.test', password: 'Wrong#Password1' });
      const wrong = await api().post(`${API}/auth/login`).send({ tenant: tenant.tenant_code, email: tenant.admin.email, password: 'Wrong#Password1' });
      expect(unknown.status).to.equal(401);
      expect(wrong.status).to.equal(401);
      expect(unknown.body.detail).to.equal(wrong.body.detail);
      expect(unknown.type).to.equal('application/problem+json');
    });

    it('treats an unknown tenant as bad credentials (401)', async () => {
      const res = await api().post(`${API}/auth/login`).send({ tenant: 'NOSUCHTENANT', email: agent.email, password: TEST_PASSWORD });
      expect(res.status).to.equal(401);
    });

    it('lists every bad field of a malformed login at once', async () => {
      const res = await api().post(`${API}/auth/login`).send({ tenant: 5 });
      expect(res.status).to.equal(400);
      expect(res.body.errors.map((e: { path: string }) => e.path)).to.have.members(['body.tenant', 'body.password', 'body.email']);
    });

    it('signs a super admin in without a tenant, and refuses tenant users there', async () => {
      const platform = await api().post(`${API}/auth/login`).send(SUPER_ADMIN);
      expect(platform.status).to.equal(200);
      expect(platform.body.user).to.include({ role: 'super_admin', tenant_code: null });
      const tenantUserWithoutTenant = await api().post(`${API}/auth/login`).send({ email: agent.email, password: TEST_PASSWORD });
      expect(tenantUserWithoutTenant.status).to.equal(401);
    });
  });

  describe('lockout', () => {
    it('V2.2.1 locks the account for 15 minutes after 5 failed attempts in a row (423), even for the right password', async () => {
      const victim = await createTestUser(tenant, 'senior_agent');
      const attempt = (password: string) => api().post(`${API}/auth/login`).send({ tenant: tenant.tenant_code, email: victim.email, password });
      for (let i = 1; i <= 5; i += 1) expect((await attempt('Wrong#Password1')).status, `attempt ${i}`).to.equal(401);
      const locked = await attempt(TEST_PASSWORD);
      expect(locked.status).to.equal(423);
      const retryAfter = Number(locked.headers['retry-after']);
      expect(retryAfter).to.be.within(14 * 60, 15 * 60);
    });

    it('locks even when the failures arrive all at once', async () => {
      const victim = await createTestUser(tenant, 'senior_agent');
      const attempt = (password: string) => api().post(`${API}/auth/login`).send({ tenant: tenant.tenant_code, email: victim.email, password });
      const burst = await Promise.all(Array.from({ length: 12 }, () => attempt('Wrong#Password1')));
      const statuses = burst.map((res) => res.status);
      expect(statuses.filter((status) => status === 401), 'only five guesses are checked').to.have.length(5);
      expect(statuses.filter((status) => status === 423)).to.have.length(7);
      expect((await attempt(TEST_PASSWORD)).status).to.equal(423);
    });

    it('gives a burst no more than five checks, and a right password among them still gets in', async () => {
      const victim = await createTestUser(tenant, 'senior_agent');
      const attempt = (password: string) => api().post(`${API}/auth/login`).send({ tenant: tenant.tenant_code, email: victim.email, password });
      const guesses = Array.from({ length: 12 }, (_, i) => (i === 1 ? TEST_PASSWORD : `Wrong#Password${i}`));
      const statuses = (await Promise.all(guesses.map(attempt))).map((res) => res.status);
      expect(statuses[1], 'the right password is admitted among the first five, or looks locked').to.be.oneOf([200, 423]);
      // Failures count in a row: a success resets the count, so guesses that arrive after it get five more checks.
      const checked = statuses.filter((status) => status === 401).length;
      expect(checked, 'wrong guesses checked').to.be.at.most(statuses[1] === 200 ? 10 : 5);
    });

    it('lets many concurrent sign-ins with the right password in: they wait for a check place, none is locked', async () => {
      const user = await createTestUser(tenant, 'senior_agent');
      const deps = testDeps();
      // Checks that take a while, as argon2's production cost does: all twelve sign-ins arrive while five are in flight.
      const passwords = new PasswordHasher(deps.config.argon2, deps.config.hashing, deps.config.masterKey);
      const check = passwords.verify.bind(passwords);
      passwords.verify = async (...args) => {
        await new Promise((resolve) => setTimeout(resolve, 150));
        return check(...args);
      };
      const slowApp = supertest(createApp({ ...deps, passwords }));
      const attempt = () => slowApp.post(`${API}/auth/login`).send({ tenant: tenant.tenant_code, email: user.email, password: TEST_PASSWORD });
      const statuses = (await Promise.all(Array.from({ length: 12 }, attempt))).map((res) => res.status);
      expect(statuses).to.deep.equal(Array.from({ length: 12 }, () => 200));
    });

    it('frees the places of checks lost in flight (a process that died) after a minute, and answers 429 until then', async () => {
      const user = await createTestUser(tenant, 'senior_agent');
      const identity = loginIdentityHash(tenant.tenant_code, 'email', user.email);
      const lostChecks = (age: string) => inOwnerTransaction(testDeps().db, (tx) => tx('shared.login_locks')
        .insert({ identity_hash: identity, failures: 0, checking: 5, updated_at: tx.raw(`now() - interval '${age}'`) })
        .onConflict('identity_hash').merge());
      const attempt = () => api().post(`${API}/auth/login`).send({ tenant: tenant.tenant_code, email: user.email, password: TEST_PASSWORD });
      await lostChecks('1 second');
      const waited = await attempt();
      expectProblem(waited, 429, [], 'auth.rate_limited');
      expect(waited.headers['retry-after']).to.equal('1');
      await lostChecks('61 seconds');
      expect((await attempt()).status).to.equal(200);
    });

    it('does not let in a login whose password was reset while it was being checked', async () => {
      const user = await createTestUser(tenant, 'senior_agent');
      const deps = testDeps();
      const passwords = new PasswordHasher(deps.config.argon2, deps.config.hashing, deps.config.masterKey);
      const newHash = await passwords.hash('Reset#Password2026');
      const check = passwords.verify.bind(passwords);
      passwords.verify = async (hash, password) => {
        const matches = await check(hash, password);
        await inOwnerTransaction(deps.db, async (tx) => {
          await enterTenant(tx, tenant);
          await tx('users').where({ user_id: user.user_id }).update({ password_hash: newHash });
        });
        return matches;
      };
      const attempt = serviceLogin({ ...deps, passwords }, tenant.tenant_code, { email: user.email }, TEST_PASSWORD,
        { ip_address: null, user_agent: null });
      await attempt.then(() => expect.fail('the old password got a session'), (error: Error) => expect(error.name).to.equal('UnauthenticatedError'));
    });

    it('counts only failures in a row: a success resets the count', async () => {
      const user = await createTestUser(tenant, 'senior_agent');
      const attempt = (password: string) => api().post(`${API}/auth/login`).send({ tenant: tenant.tenant_code, email: user.email, password });
      for (let i = 0; i < 4; i += 1) await attempt('Wrong#Password1');
      expect((await attempt(TEST_PASSWORD)).status).to.equal(200);
      for (let i = 0; i < 4; i += 1) expect((await attempt('Wrong#Password1')).status).to.equal(401);
      expect((await attempt(TEST_PASSWORD)).status).to.equal(200);
    });

    it('lets the user in again once the lock has expired', async () => {
      const user = await createTestUser(tenant, 'senior_agent');
      const attempt = (password: string) => api().post(`${API}/auth/login`).send({ tenant: tenant.tenant_code, email: user.email, password });
      for (let i = 0; i < 5; i += 1) await attempt('Wrong#Password1');
      expect((await attempt(TEST_PASSWORD)).status).to.equal(423);
      await inOwnerTransaction(testDeps().db, async (tx) => {
        await tx('shared.login_locks').where({ identity_hash: loginIdentityHash(tenant.tenant_code, 'email', user.email) })
          .update({ locked_until: tx.raw("now() - interval '1 second'") });
      });
      expect((await attempt(TEST_PASSWORD)).status).to.equal(200);
    });

    it('V2.2.1 throttles sign-in per client address (429)', async () => {
      const deps = testDeps();
      // Counters of its own: the shared store already counts this address's earlier sign-ins in the run.
      const prefix = crypto.randomBytes(4).toString('hex');
      const strict = supertest(createApp({ ...deps, config: { ...deps.config, loginRateLimitPerMinute: 2 },
        rateLimitStore: (name) => new PostgresRateLimitStore(deps.db.app, `${prefix}:${name}:`) }));
      const body = { tenant: tenant.tenant_code, email: agent.email, password: 'Wrong#Password1' };
      expect((await strict.post(`${API}/auth/login`).send(body)).status).to.equal(401);
      expect((await strict.post(`${API}/auth/login`).send(body)).status).to.equal(401);
      // Into the window, so its end is under a minute away.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      const throttled = await strict.post(`${API}/auth/login`).send(body);
      expect(throttled.status).to.equal(429);
      expect(throttled.type).to.equal('application/problem+json');
      // Retry-After says when the window ends, as the RateLimit header does, not a whole minute from now.
      const reset = Number(/reset=(\d+)/.exec(String(throttled.headers.ratelimit))?.[1]);
      const retryAfter = Number(throttled.headers['retry-after']);
      expect(retryAfter, String(throttled.headers.ratelimit)).to.be.within(Math.max(1, reset - 1), reset + 1);
      expect(retryAfter).to.be.below(60);
    });
  });

  describe('refresh tokens', () => {
    it('rotate: the new pair works and the used refresh token is dead', async () => {
      const first = await login({ tenant: tenant.tenant_code, email: agent.email, password: TEST_PASSWORD });
      const second = await api().post(`${API}/auth/refresh`).send({ refresh_token: first.refresh_token });
      expect(second.status).to.equal(200);
      expect(second.body.refresh_token).to.not.equal(first.refresh_token);
      expect((await me(second.body.access_token)).status).to.equal(200);
      const third = await api().post(`${API}/auth/refresh`).send({ refresh_token: second.body.refresh_token });
      expect(third.status).to.equal(200);
    });

    it('revoke the whole session when a rotated token is presented again', async () => {
      const first = await login({ tenant: tenant.tenant_code, email: agent.email, password: TEST_PASSWORD });
      const second = (await api().post(`${API}/auth/refresh`).send({ refresh_token: first.refresh_token })).body;
      const replay = await api().post(`${API}/auth/refresh`).send({ refresh_token: first.refresh_token });
      expect(replay.status).to.equal(401);
      expect(replay.body.detail).to.match(/already used/);
      expect((await api().post(`${API}/auth/refresh`).send({ refresh_token: second.refresh_token })).status).to.equal(401);
      expect((await me(second.access_token)).status).to.equal(401);
      expect((await me(first.access_token)).status).to.equal(401);
    });

    it('leave other sessions of the same user alone', async () => {
      const victim = await login({ tenant: tenant.tenant_code, email: agent.email, password: TEST_PASSWORD });
      const other = await login({ tenant: tenant.tenant_code, email: agent.email, password: TEST_PASSWORD });
      expect((await api().post(`${API}/auth/refresh`).send({ refresh_token: victim.refresh_token })).status).to.equal(200);
      expect((await api().post(`${API}/auth/refresh`).send({ refresh_token: victim.refresh_token })).status).to.equal(401);
      expect((await me(victim.access_token)).status, 'the reused session is revoked').to.equal(401);
      expect((await me(other.access_token)).status).to.equal(200);
    });

    it('refuse a forged token for a real session without ending that session', async () => {
      const pair = await login({ tenant: tenant.tenant_code, email: agent.email, password: TEST_PASSWORD });
      const forged = `${pair.refresh_token.split('.').slice(0, 3).join('.')}.${'A'.repeat(43)}`;
      const res = await api().post(`${API}/auth/refresh`).send({ refresh_token: forged });
      expect(res.status).to.equal(401);
      expect(res.body.detail).to.equal('The refresh token is not valid.');
      expect((await me(pair.access_token)).status).to.equal(200);
      expect((await api().post(`${API}/auth/refresh`).send({ refresh_token: pair.refresh_token })).status).to.equal(200);
    });

    it('let only one of two simultaneous refreshes with the same token through, and revoke the session', async () => {
      const pair = await login({ tenant: tenant.tenant_code, email: agent.email, password: TEST_PASSWORD });
      const both = await Promise.all([1, 2].map(() => api().post(`${API}/auth/refresh`).send({ refresh_token: pair.refresh_token })));
      expect(both.map((res) => res.status).sort()).to.deep.equal([200, 401]);
      const winner = both.find((res) => res.status === 200);
      expect((await me(winner?.body.access_token)).status, 'a double spend is treated as theft').to.equal(401);
    });

    it('refuse garbage and tokens for another tenant than X-Tenant names', async () => {
      expect((await api().post(`${API}/auth/refresh`).send({ refresh_token: 'rt1.nope' })).status).to.equal(401);
      expect((await api().post(`${API}/auth/refresh`).send({})).status).to.equal(400);
      const pair = await login({ tenant: tenant.tenant_code, email: agent.email, password: TEST_PASSWORD });
      const res = await api().post(`${API}/auth/refresh`).set('X-Tenant', 'SOMEONE_ELSE').send({ refresh_token: pair.refresh_token });
      expect(res.status).to.equal(403);
    });

    it('work for super admins too', async () => {
      const pair = await login(SUPER_ADMIN);
      const res = await api().post(`${API}/auth/refresh`).send({ refresh_token: pair.refresh_token });
      expect(res.status).to.equal(200);
      expect(res.body.user.role).to.equal('super_admin');
    });
  });

  describe('logout', () => {
    it('V3.3.1 V3.5.2 ends the session at once: access and refresh tokens stop working', async () => {
      const pair = await login({ tenant: tenant.tenant_code, email: agent.email, password: TEST_PASSWORD });
      const out = await api().post(`${API}/auth/logout`).set(...bearer(pair.access_token));
      expect(out.status).to.equal(204);
      expect((await me(pair.access_token)).status).to.equal(401);
      expect((await api().post(`${API}/auth/refresh`).send({ refresh_token: pair.refresh_token })).status).to.equal(401);
    });
  });

  describe('access tokens', () => {
    let claims: { sid: string; kind: string; tid: string; sub: string; auth_time: number; amr: string[] };

    before(async () => {
      const pair = await login({ tenant: tenant.tenant_code, email: agent.email, password: TEST_PASSWORD });
      const decoded = jwt.decode(pair.access_token) as typeof claims;
      claims = { sid: decoded.sid, kind: decoded.kind, tid: decoded.tid, sub: decoded.sub, auth_time: decoded.auth_time, amr: decoded.amr };
    });

    it('accept a token signed as the server signs them (the control for the cases below)', async () => {
      const { sub, ...rest } = claims;
      expect((await me(signWith(rest, { subject: sub }))).status).to.equal(200);
    });

    const tampered: [string, () => string][] = [
      ['alg none', () => `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify({
        ...claims, iss: testDeps().config.jwt.issuer, aud: testDeps().config.jwt.audience, exp: Math.floor(Date.now() / 1000) + 60 })).toString('base64url')}.`],
      ['a wrong secret', () => signWith(omitSub(claims), { subject: claims.sub, secret: 'x'.repeat(40) })],
      ['a wrong audience', () => signWith(omitSub(claims), { subject: claims.sub, audience: 'someone-else' })],
      ['a wrong issuer', () => signWith(omitSub(claims), { subject: claims.sub, issuer: 'someone-else' })],
      ['an expired token', () => signWith({ ...omitSub(claims), exp: Math.floor(Date.now() / 1000) - 10 }, { subject: claims.sub })],
      ['a token without an expiry', () => jwt.sign({ ...omitSub(claims) }, testDeps().config.jwt.secret, {
        algorithm: 'HS256', subject: claims.sub, issuer: testDeps().config.jwt.issuer, audience: testDeps().config.jwt.audience })],
      ['a malformed tenant claim', () => signWith({ ...omitSub(claims), tid: 'lic_schema' }, { subject: claims.sub })],
      ['a platform claim on a tenant session', () => signWith({ ...omitSub(claims), kind: 'platform', tid: null }, { subject: claims.sub })],
      ['not a JWT at all', () => 'abc.def.ghi'],
    ];
    for (const [name, token] of tampered) {
      it(`V3.5.3 refuse ${name} (401)`, async () => {
        const res = await me(token());
        expect(res.status).to.equal(401);
        expect(res.type).to.equal('application/problem+json');
      });
    }
  });
});

function omitSub<T extends { sub: string }>(claims: T): Omit<T, 'sub'> {
  const { sub: _sub, ...rest } = claims;
  return rest;
}
