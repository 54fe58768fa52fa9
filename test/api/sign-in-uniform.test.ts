import crypto from 'node:crypto';
import { expect } from 'chai';
import type { Response } from 'supertest';
import { insertSuperAdmin } from '../../src/auth/account-repository.js';
import { inOwnerTransaction } from '../../src/db/privileged.js';
import { bearer, createTestTenant, createTestUser, superAdminToken, TEST_PASSWORD, type TestTenant } from '../helpers/actors.js';
import { API, api, testDeps } from '../helpers/context.js';

// "An unknown account answers exactly as a known one would" (API.md), at every step: the same statuses, codes,
// details and headers over ten failed attempts, lockout included; a suspended tenant shows only behind a right password.

const WRONG = 'Wrong#Password2026';

/** What a client can tell from one answer (everything but the request id and timing). */
function visible(res: Response): string {
  const retryAfter = res.headers['retry-after'] === undefined ? 'none' : 'set';
  return `${res.status} ${res.body.code} ${res.body.detail} retry-after:${retryAfter}`;
}

async function tenTries(body: Record<string, unknown>): Promise<string[]> {
  const answers: string[] = [];
  for (let i = 0; i < 10; i += 1) answers.push(visible(await api().post(`${API}/auth/login`).send(body)));
  return answers;
}

describe('sign-in answers alike for unknown and existing accounts', function () {
  this.timeout(60_000);
  let tenant: TestTenant;

  before(async () => {
    tenant = await createTestTenant();
  });

  it('gives identical status sequences over ten failed attempts, whoever is named', async () => {
    const user = await createTestUser(tenant, 'junior_agent');
    const existing = await tenTries({ tenant: tenant.tenant_code, email: user.email, password: WRONG });
    expect(existing.slice(0, 5).every((answer) => answer.startsWith('401 auth.invalid_credentials'))).to.equal(true);
    expect(existing.slice(5).every((answer) => answer.startsWith('423 auth.locked'))).to.equal(true);

    const suffix = crypto.randomBytes(4).toString('hex');
    const others = {
      'an unknown e-mail in a known tenant': { tenant: tenant.tenant_code, email: `nobody.${suffix}@nowhere.test`, password: WRONG },
      'an unknown tenant': { tenant: `NO${suffix.toUpperCase()}`, email: user.email, password: WRONG },
      'a malformed tenant code': { tenant: 'x!', email: user.email, password: WRONG },
      'an unknown username': { tenant: tenant.tenant_code, username: `ghost_${suffix}`, password: WRONG },
      'an unknown platform account': { email: `ghost.${suffix}@platform.test`, password: WRONG },
    };
    for (const [who, body] of Object.entries(others)) expect(await tenTries(body), who).to.deep.equal(existing);
  });

  it('gives a super admin the same sequence as an unknown platform e-mail', async () => {
    const email = `root.${crypto.randomBytes(4).toString('hex')}@platform.test`;
    const passwordHash = await testDeps().passwords.hash(TEST_PASSWORD);
    await inOwnerTransaction(testDeps().db, (tx) => insertSuperAdmin(tx, { email, password_hash: passwordHash }));
    const known = await tenTries({ email, password: WRONG });
    const unknown = await tenTries({ email: `nobody.${crypto.randomBytes(4).toString('hex')}@platform.test`, password: WRONG });
    expect(known).to.deep.equal(unknown);
    expect(known[9]).to.match(/^423 /);
  });

  it('a locked identity answers 423 even to the right password, as an unknown one does', async () => {
    const user = await createTestUser(tenant, 'junior_agent');
    await tenTries({ tenant: tenant.tenant_code, email: user.email, password: WRONG });
    const right = await api().post(`${API}/auth/login`).send({ tenant: tenant.tenant_code, email: user.email, password: TEST_PASSWORD });
    expect(right.status).to.equal(423);
  });

  it('names a suspended tenant only to a right password', async () => {
    const victim = await createTestTenant();
    const root = await superAdminToken();
    const suspend = await api().patch(`${API}/tenants/${victim.tenant_id}`).set(...bearer(root)).send({ status: 'suspended' });
    expect(suspend.status, suspend.text).to.equal(200);
    const wrong = await api().post(`${API}/auth/login`).send({ tenant: victim.tenant_code, email: victim.admin.email, password: WRONG });
    const unknown = await api().post(`${API}/auth/login`).send({ tenant: 'NOSUCHTENANT', email: victim.admin.email, password: WRONG });
    expect(visible(wrong)).to.equal(visible(unknown));
    expect(wrong.text).to.not.include(victim.tenant_code);
    const right = await api().post(`${API}/auth/login`).send({ tenant: victim.tenant_code, email: victim.admin.email, password: victim.admin.password });
    expect(right.status).to.equal(403);
    expect(right.body.code).to.equal('tenant.suspended');
  });

  it('an administrator\'s password reset lifts the lock its owner\'s failures earned', async () => {
    const user = await createTestUser(tenant, 'junior_agent');
    await tenTries({ tenant: tenant.tenant_code, email: user.email, password: WRONG });
    const reset = await api().patch(`${API}/users/${user.user_id}`).set(...bearer(tenant.admin.token)).send({ password: 'Brand#New2026pass' });
    expect(reset.status, reset.text).to.equal(200);
    const res = await api().post(`${API}/auth/login`).send({ tenant: tenant.tenant_code, email: user.email, password: 'Brand#New2026pass' });
    expect(res.status, res.text).to.equal(200);
  });
});
