import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import supertest from 'supertest';
import { insertSuperAdmin } from '../../src/auth/account-repository.js';
import { createApp } from '../../src/app.js';
import type { AppDeps } from '../../src/deps.js';
import { inOwnerTransaction } from '../../src/db/privileged.js';
import { inPlatformScope } from '../../src/db/scope.js';
import { bearer, createTestTenant, createTestUser, TEST_PASSWORD, type TestTenant, type TestUser } from '../helpers/actors.js';
import { API, testDeps } from '../helpers/context.js';
import { expectProblem } from '../helpers/problems.js';
import { SoftwareAuthenticator } from '../helpers/webauthn-authenticator.js';

// ASVS V2.3.2 (issue 11): security keys and passkeys as a second factor beside TOTP, through HTTP with a software
// authenticator (ES256, attestation 'none'). MFA is mandatory for administrators here, and the clock is this file's.

describe('WebAuthn security keys (ASVS V2.3.2)', function () {
  this.timeout(120_000);
  let clock = Date.UTC(2026, 11, 2, 0, 0, 0);
  let deps: AppDeps;
  let app: ReturnType<typeof supertest>;
  let tenant: TestTenant;
  let origin: string;
  let rpId: string;

  before(async () => {
    const base = testDeps();
    deps = { ...base, now: () => clock, config: { ...base.config, mfa: { ...base.config.mfa, requiredForAdmins: true } } };
    app = supertest(createApp(deps));
    tenant = await createTestTenant();
    origin = deps.config.webauthn.origins[0] as string;
    rpId = deps.config.webauthn.rpId;
  });

  const signIn = (email: string, tenantCode: string | null = tenant.tenant_code) => app.post(`${API}/auth/login`)
    .send({ ...(tenantCode ? { tenant: tenantCode } : {}), email, password: TEST_PASSWORD });
  const assertionOptions = (mfaToken: string) => app.post(`${API}/auth/mfa/webauthn/options`).send({ mfa_token: mfaToken });
  const verify = (mfaToken: string, credential: unknown) => app.post(`${API}/auth/mfa/webauthn/verify`).send({ mfa_token: mfaToken, credential });

  /** Registers a new software key for a signed-in user; returns it and the stored credential. */
  async function registerKey(token: string, name = 'YubiKey 5C'): Promise<{ key: SoftwareAuthenticator; credential_id: string }> {
    const key = new SoftwareAuthenticator(origin, rpId);
    const options = await app.post(`${API}/auth/webauthn/registration/options`).set(...bearer(token));
    expect(options.status, options.text).to.equal(200);
    const res = await app.post(`${API}/auth/webauthn/registration`).set(...bearer(token)).send({ name, credential: key.register(options.body) });
    expect(res.status, res.text).to.equal(201);
    return { key, credential_id: res.body.credential_id };
  }

  /** Password, then the key: the challenge's options, the assertion, the tokens. */
  async function signInWithKey(email: string, key: SoftwareAuthenticator, tenantCode: string | null = tenant.tenant_code) {
    const first = await signIn(email, tenantCode);
    expect(first.body.mfa_required, first.text).to.equal(true);
    const options = await assertionOptions(first.body.mfa_token);
    expect(options.status, options.text).to.equal(200);
    const res = await verify(first.body.mfa_token, key.assert(options.body));
    expect(res.status, res.text).to.equal(200);
    return res.body as { access_token: string; refresh_token: string };
  }

  async function failureReasonsOf(userId: string): Promise<string[]> {
    const rows = await inPlatformScope(deps.db, null, (tx) => tx('shared.security_events')
      .where({ actor_user_id: userId, kind: 'mfa.failed' }).orderBy('occurred_at').select('details'));
    return rows.map((row: { details: { reason: string } }) => row.details.reason);
  }

  describe('a junior agent with a security key', () => {
    let user: TestUser;
    let key: SoftwareAuthenticator;

    before(async () => {
      user = await createTestUser(tenant, 'junior_agent');
    });

    it('V2.3.2 registers a security key: the options name the relying party and a fresh challenge, and the key is listed', async () => {
      const options = await app.post(`${API}/auth/webauthn/registration/options`).set(...bearer(user.token));
      expect(options.status, options.text).to.equal(200);
      expect(options.body.rp).to.include({ id: rpId });
      expect(options.body.user.name).to.equal(user.email);
      expect(options.body.excludeCredentials).to.deep.equal([]);
      key = new SoftwareAuthenticator(origin, rpId);
      const registration = key.register(options.body);
      const res = await app.post(`${API}/auth/webauthn/registration`).set(...bearer(user.token)).send({ name: ' Desk key ', credential: registration });
      expect(res.status, res.text).to.equal(201);
      expect(res.body).to.include({ name: 'Desk key', backed_up: false, device_type: 'singleDevice', last_used_at: null });
      // The registration challenge worked once.
      expectProblem(await app.post(`${API}/auth/webauthn/registration`).set(...bearer(user.token)).send({ name: 'Again', credential: registration }),
        401, [], 'auth.webauthn_invalid');
      const listed = await app.get(`${API}/auth/webauthn/credentials`).set(...bearer(user.token));
      expect(listed.body.data.map((credential: { credential_id: string }) => credential.credential_id)).to.deep.equal([res.body.credential_id]);
      // The account's MFA status counts the key as its second factor.
      const status = await app.get(`${API}/auth/mfa`).set(...bearer(user.token));
      expect(status.body).to.include({ enabled: true, security_keys: 1 });
      expect(status.body.methods).to.deep.equal(['webauthn']);
      const again = await app.post(`${API}/auth/webauthn/registration/options`).set(...bearer(user.token));
      expect(again.status, 'adding a factor needs a recent sign-in with one: the password-only token is too weak').to.equal(401);
    });

    it('V2.3.2 signs in with the key: the challenge lists webauthn, the assertion issues tokens with amr pwd and hwk', async () => {
      const first = await signIn(user.email);
      expect(first.body).to.include({ mfa_required: true, mfa_enrolment_required: false });
      expect(first.body.methods).to.deep.equal(['webauthn']);
      const options = await assertionOptions(first.body.mfa_token);
      expect(options.status, options.text).to.equal(200);
      expect(options.body.allowCredentials.map((credential: { id: string }) => credential.id)).to.deep.equal([key.id]);
      const assertion = key.assert(options.body);
      const res = await verify(first.body.mfa_token, assertion);
      expect(res.status, res.text).to.equal(200);
      expect((jwt.decode(res.body.access_token) as jwt.JwtPayload).amr).to.deep.equal(['pwd', 'hwk']);
      const refreshed = await app.post(`${API}/auth/refresh`).send({ refresh_token: res.body.refresh_token });
      expect((jwt.decode(refreshed.body.access_token) as jwt.JwtPayload).amr, 'a refresh keeps the methods').to.deep.equal(['pwd', 'hwk']);
      const listed = await app.get(`${API}/auth/webauthn/credentials`).set(...bearer(res.body.access_token));
      expect(listed.body.data[0].last_used_at).to.be.a('string');

      // V2.3.2 the same assertion again is refused: the mfa_token was used up, and with a fresh sign-in's token the
      // key's challenge is gone (no options asked) or new (the old assertion signed another challenge).
      expectProblem(await verify(first.body.mfa_token, assertion), 401, [], 'auth.mfa_challenge_invalid');
      const second = await signIn(user.email);
      expectProblem(await verify(second.body.mfa_token, assertion), 401, [], 'auth.webauthn_invalid');
      await assertionOptions(second.body.mfa_token);
      expectProblem(await verify(second.body.mfa_token, assertion), 401, [], 'auth.webauthn_invalid');
      expect(await failureReasonsOf(user.user_id)).to.include.members(['no_challenge', 'not_verified']);
    });

    it('V2.3.2 refuses an assertion made for another origin', async () => {
      const first = await signIn(user.email);
      const options = await assertionOptions(first.body.mfa_token);
      expectProblem(await verify(first.body.mfa_token, key.assert(options.body, { origin: 'https://agent-mitra.example.evil' })),
        401, [], 'auth.webauthn_invalid');
      // A registration made on another origin is refused as well.
      const token = (await signInWithKey(user.email, key)).access_token;
      const creation = await app.post(`${API}/auth/webauthn/registration/options`).set(...bearer(token));
      expect(creation.status, creation.text).to.equal(200);
      const phished = new SoftwareAuthenticator('https://agent-mitra.example.evil', rpId);
      expectProblem(await app.post(`${API}/auth/webauthn/registration`).set(...bearer(token))
        .send({ name: 'Phished', credential: phished.register(creation.body) }), 401, [], 'auth.webauthn_invalid');
    });

    it('V2.3.2 refuses a signature counter that goes back (a cloned key) and records why', async () => {
      await signInWithKey(user.email, key);
      const first = await signIn(user.email);
      const options = await assertionOptions(first.body.mfa_token);
      key.counter -= 1;
      expectProblem(await verify(first.body.mfa_token, key.assert(options.body, { keepCounter: true })), 401, [], 'auth.webauthn_invalid');
      expect(await failureReasonsOf(user.user_id)).to.include('counter_regression');
      key.counter += 5;
      await signInWithKey(user.email, key);
    });

    it('V2.3.2 another user\u2019s key does not answer this user\u2019s challenge', async () => {
      const other = await createTestUser(tenant, 'junior_agent');
      const { key: otherKey } = await registerKey(other.token);
      const first = await signIn(user.email);
      const options = await assertionOptions(first.body.mfa_token);
      expectProblem(await verify(first.body.mfa_token, otherKey.assert(options.body)), 401, [], 'auth.webauthn_invalid');
      expect(await failureReasonsOf(user.user_id)).to.include('unknown_credential');
      // Nor can a signed-in user remove someone else's key.
      const own = (await app.get(`${API}/auth/webauthn/credentials`).set(...bearer(user.token))).body.data[0].credential_id;
      expectProblem(await app.delete(`${API}/auth/webauthn/credentials/${own}`).set(...bearer(other.token)), 404, [],
        'auth.webauthn_credential_not_found');
    });

    it('V2.3.2 failed answers count toward the lockout like wrong TOTP codes', async () => {
      const victim = await createTestUser(tenant, 'junior_agent');
      const { key: victimKey } = await registerKey(victim.token);
      const stranger = new SoftwareAuthenticator(origin, rpId);
      const first = await signIn(victim.email);
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 6; attempt += 1) {
        const options = await assertionOptions(first.body.mfa_token);
        statuses.push((await verify(first.body.mfa_token, stranger.assert(options.body))).status);
      }
      expect(statuses.slice(0, 5)).to.deep.equal([401, 401, 401, 401, 401]);
      expect(statuses[5]).to.equal(423);
      const options = await assertionOptions(first.body.mfa_token);
      expectProblem(await verify(first.body.mfa_token, victimKey.assert(options.body)), 423, [], 'auth.locked');
    });

    it('V2.3.2 removing a key needs a recent sign-in with a second factor', async () => {
      const { access_token: token } = await signInWithKey(user.email, key);
      const spare = await registerKey(token, 'Spare key');
      clock += 11 * 60_000;
      expectProblem(await app.delete(`${API}/auth/webauthn/credentials/${spare.credential_id}`).set(...bearer(token)), 401, [],
        'auth.step_up_required');
      const fresh = (await signInWithKey(user.email, spare.key)).access_token;
      const removed = await app.delete(`${API}/auth/webauthn/credentials/${spare.credential_id}`).set(...bearer(fresh));
      expect(removed.status, removed.text).to.equal(204);
      expect((await app.get(`${API}/auth/webauthn/credentials`).set(...bearer(fresh))).body.data).to.have.length(1);
    });
  });

  describe('a user whose only second factor is a security key', () => {
    it('V2.3.2 V3.7.1 adding a TOTP authenticator needs a recent sign-in with the key, as adding a key does', async () => {
      const user = await createTestUser(tenant, 'junior_agent');
      const { key } = await registerKey(user.token);
      // The password-only session that registered the key: a stolen one must not add an authenticator of its own.
      expectProblem(await app.post(`${API}/auth/mfa/enrolment`).set(...bearer(user.token)), 401, [], 'auth.step_up_required');
      expectProblem(await app.post(`${API}/auth/webauthn/registration/options`).set(...bearer(user.token)), 401, [], 'auth.step_up_required');
      expect((await app.get(`${API}/auth/mfa`).set(...bearer(user.token))).body).to.include({ enabled: true });
      const { access_token: fresh } = await signInWithKey(user.email, key);
      const enrolment = await app.post(`${API}/auth/mfa/enrolment`).set(...bearer(fresh));
      expect(enrolment.status, enrolment.text).to.equal(200);
      expect(enrolment.body.secret).to.be.a('string');
    });
  });

  describe('where MFA is mandatory', () => {
    it('V2.3.2 a provider admin enrols a security key through the sign-in challenge and cannot remove the last one', async () => {
      const admin = await createTestUser(tenant, 'insurance_provider_admin');
      const first = await signIn(admin.email);
      expect(first.body).to.include({ mfa_required: true, mfa_enrolment_required: true });
      expect(first.body.methods).to.include('webauthn');
      expectProblem(await assertionOptions(first.body.mfa_token), 409, [], 'auth.mfa_not_enrolled');
      const options = await app.post(`${API}/auth/mfa/challenge/webauthn/options`).send({ mfa_token: first.body.mfa_token });
      expect(options.status, options.text).to.equal(200);
      const key = new SoftwareAuthenticator(origin, rpId);
      const res = await app.post(`${API}/auth/mfa/challenge/webauthn/registration`)
        .send({ mfa_token: first.body.mfa_token, name: 'Admin key', credential: key.register(options.body) });
      expect(res.status, res.text).to.equal(200);
      expect((jwt.decode(res.body.access_token) as jwt.JwtPayload).amr).to.deep.equal(['pwd', 'hwk']);
      const [credential] = (await app.get(`${API}/auth/webauthn/credentials`).set(...bearer(res.body.access_token))).body.data;
      expectProblem(await app.delete(`${API}/auth/webauthn/credentials/${credential.credential_id}`).set(...bearer(res.body.access_token)),
        403, [], 'auth.mfa_mandatory');
      // Step-up for a power-handing change is met by the key.
      const target = await createTestUser(tenant, 'junior_agent');
      const reset = await app.patch(`${API}/users/${target.user_id}`).set(...bearer(res.body.access_token)).send({ password: 'Reset#ByAdmin2026x' });
      expect(reset.status, reset.text).to.equal(200);
      await signInWithKey(admin.email, key);
    });

    it('V2.3.2 a super admin signs in with a security key (the platform\u2019s own credential table)', async () => {
      const email = `root.webauthn.${Date.now()}@platform.test`;
      const hash = await deps.passwords.hash(TEST_PASSWORD);
      await inOwnerTransaction(deps.db, (tx) => insertSuperAdmin(tx, { email, password_hash: hash }));
      const first = await signIn(email, null);
      expect(first.body).to.include({ mfa_enrolment_required: true });
      const options = await app.post(`${API}/auth/mfa/challenge/webauthn/options`).send({ mfa_token: first.body.mfa_token });
      expect(options.status, options.text).to.equal(200);
      const key = new SoftwareAuthenticator(origin, rpId);
      const enrolled = await app.post(`${API}/auth/mfa/challenge/webauthn/registration`)
        .send({ mfa_token: first.body.mfa_token, name: 'Root key', credential: key.register(options.body) });
      expect(enrolled.status, enrolled.text).to.equal(200);
      const tokens = await signInWithKey(email, key, null);
      expect((jwt.decode(tokens.access_token) as jwt.JwtPayload).amr).to.deep.equal(['pwd', 'hwk']);
      expect((await app.get(`${API}/tenants?limit=1`).set(...bearer(tokens.access_token))).status).to.equal(200);
    });
  });
});
