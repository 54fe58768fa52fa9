import crypto from 'node:crypto';
import { expect } from 'chai';
import express from 'express';
import knexFactory from 'knex';
import supertest from 'supertest';
import { createApp } from '../../src/app.js';
import { createKnex } from '../../src/db/knex.js';
import { translatePgError } from '../../src/db/pg-errors.js';
import { ServiceUnavailableError } from '../../src/errors.js';
import { errorHandler } from '../../src/http/problem.js';
import { DEPTH_MESSAGE } from '../../src/http/validate.js';
import { bearer, createTestTenant, superAdminToken, type TestTenant } from '../helpers/actors.js';
import { API, api, testDeps } from '../helpers/context.js';
import { expectProblem } from '../helpers/problems.js';
import { deepObject, DEEP_ARRAYS, DEEP_OBJECTS, bodyText, cursor } from '../helpers/hostile-input.js';

// Hostile inputs that once caused a 500, nesting depth, and back-pressure: each must get a clear 4xx or a 503.

describe('no 500 on hostile input: regressions', () => {
  let tenant: TestTenant;
  let rootToken: string;

  before(async () => {
    tenant = await createTestTenant();
    rootToken = await superAdminToken();
  });

  it('when the login e-mail holds a NUL byte, then it answers 400 naming body.email', async () => {
    const res = await api().post(`${API}/auth/login`).send({ email: 'a\u0000b', password: 'whatever' });
    const problem = expectProblem(res, 400, ['body.email']);
    expect(problem.errors).to.deep.include({ path: 'body.email', message: 'must not contain a NUL character' });
    const tenantLogin = await api().post(`${API}/auth/login`)
      .send({ tenant: tenant.tenant_code, email: tenant.admin.email, password: 'pass\u0000word' });
    expectProblem(tenantLogin, 400, ['body.password']);
  });

  it('when a number is beyond JSON\'s range (1e400 parses as Infinity), then it answers 400 instead of storing null', async () => {
    const res = await api().put(`${API}/config/fuzz.huge`).set(...bearer(tenant.admin.token))
      .set('Content-Type', 'application/json').send('{"config_value":{"cap":1e400}}');
    expect(expectProblem(res, 400, ['body.config_value.cap']).errors).to.deep.include({ path: 'body.config_value.cap', message: 'must be a finite number' });
  });

  it('when limit is not plain digits (0x10, 1e2, 5.0), then it answers 400 naming query.limit', async () => {
    for (const limit of ['0x10', '1e2', '5.0', '%205']) {
      expectProblem(await api().get(`${API}/users?limit=${limit}`).set(...bearer(tenant.admin.token)), 400, ['query.limit']);
    }
  });

  it('when a list gets a query parameter it does not know (a misspelt filter), then it answers 400 naming it', async () => {
    const lists: [string, string][] = [['/users', tenant.admin.token], ['/roles', tenant.admin.token], ['/permissions', tenant.admin.token],
      ['/auth/sessions', tenant.admin.token], ['/providers', tenant.admin.token], ['/tenants', rootToken]];
    for (const [path, token] of lists) {
      const res = await api().get(`${API}${path}?limit=5&statu=active`).set(...bearer(token));
      expect(expectProblem(res, 400, ['query']).errors, path).to.deep.include({ path: 'query', message: 'unknown field(s): statu' });
    }
  });

  it('when the user search holds a NUL byte, then it answers 400 naming query.q', async () => {
    expectProblem(await api().get(`${API}/users?q=a%00b`).set(...bearer(tenant.admin.token)), 400, ['query.q']);
  });

  it('when a config value holds a NUL byte (as a string or deep in JSON), then it answers 400 naming where', async () => {
    const put = (key: string, body: object) => api().put(`${API}/config/${key}`).set(...bearer(tenant.admin.token)).send(body);
    expectProblem(await put('fuzz.nul', { config_value: 'a\u0000b' }), 400, ['body.config_value']);
    expectProblem(await put('fuzz.nul', { config_value: { a: { b: 'x\u0000' } } }), 400, ['body.config_value.a.b']);
    expectProblem(await put('fuzz.nul', { config_value: ['ok', { list: ['\u0000'] }] }), 400, ['body.config_value.1.list.0']);
    expectProblem(await put('fuzz.nul', { config_value: { 'k\u0000': 1 } }), 400, ['body.config_value.k\\u0000']);
    const platformPut = await api().put(`${API}/tenants/${tenant.tenant_id}/config/fuzz.nul`).set(...bearer(rootToken))
      .send({ config_value: 'a\u0000b' });
    expectProblem(platformPut, 400, ['body.config_value']);
    expectProblem(await api().get(`${API}/config/fuzz.nul`).set(...bearer(tenant.admin.token)), 404);
    // A NUL spelled as text (backslash, u, 0000) is an ordinary string and is stored as such.
    const escaped = await put('fuzz.escaped', { config_value: '\\u0000' });
    expect(escaped.status, escaped.text).to.equal(201);
    expect(escaped.body.config_value).to.equal('\\u0000');
  });

  it('when onboarding names a nested admin field with a NUL, then the 400 names body.admin.first_name', async () => {
    const res = await api().post(`${API}/tenants`).set(...bearer(rootToken)).send({
      tenant_code: 'FZNULADMIN', tenant_name: 'NUL admin', tenant_type: 'insurance_provider',
      admin: { email: 'nul@fuzz.test', password: 'Fuzz#Password2026', first_name: 'A\u0000', last_name: 'B' },
    });
    expectProblem(res, 400, ['body.admin.first_name']);
  });

  it('when a path param holds a NUL byte, then it answers 400 naming the param', async () => {
    expectProblem(await api().get(`${API}/config/a%00b`).set(...bearer(tenant.admin.token)), 400, ['params.key']);
    expectProblem(await api().get(`${API}/users/a%00b`).set(...bearer(tenant.admin.token)), 400, ['params.user_id']);
  });

  it('when a path segment is not valid percent-encoding, then it answers 400 problem+json', async () => {
    expectProblem(await api().get(`${API}/users/%E0%A4%A`).set(...bearer(tenant.admin.token)), 400, ['params']);
  });

  it('when the tenant code starts with PG_, then onboarding answers 400 naming body.tenant_code', async () => {
    const res = await api().post(`${API}/tenants`).set(...bearer(rootToken)).send({
      tenant_code: 'PG_TEST', tenant_name: 'Reserved', tenant_type: 'insurance_provider',
      admin: { email: 'admin@pg-test.test', password: 'Fuzz#Password2026', first_name: 'A', last_name: 'B' },
    });
    const problem = expectProblem(res, 400, ['body.tenant_code']);
    expect(problem.errors).to.deep.include({ path: 'body.tenant_code', message: 'must not start with PG_ (reserved by PostgreSQL)' });
  });

  it('when a cursor decodes but its created_at is no timestamp, then it answers 400 naming query.cursor', async () => {
    for (const createdAt of ['1', 'yesterday', '2026-02-31 10:00:00+00', '2026-13-01 10:00:00+00', '2026-01-01 25:00:00+00',
      '2026-01-01', 'Tue, 01 Jan 2026 10:00:00 GMT', '2026-01-01 10:00:00+99', '2026-01-01T10:00:00.1234567Z', '']) {
      for (const path of ['/users', '/roles', '/permissions', '/config']) {
        const res = await api().get(`${API}${path}?cursor=${cursor(createdAt)}`).set(...bearer(tenant.admin.token));
        expectProblem(res, 400, ['query.cursor']);
      }
      expectProblem(await api().get(`${API}/tenants?cursor=${cursor(createdAt)}`).set(...bearer(rootToken)), 400, ['query.cursor']);
    }
  });

  it('when a cursor carries a timestamp in any format our cursors use, then it is accepted', async () => {
    for (const createdAt of ['2026-11-22 02:10:11.123456+00', '2026-11-22 02:10:11+05:30', '2026-11-22 02:10:11-03',
      '2026-11-22T02:10:11.123Z', '2026-11-22T02:10:11Z', '2026-11-22T02:10:11.123456+00:00']) {
      const res = await api().get(`${API}/users?cursor=${cursor(createdAt)}`).set(...bearer(tenant.admin.token));
      expect(res.status, `${createdAt}: ${res.text}`).to.equal(200);
    }
  });

  it('when refresh tokens are hostile, then it answers 401 or 400, never 500', async () => {
    for (const token of ['rt1.platform.x.y', `rt1.${crypto.randomUUID()}.${crypto.randomUUID()}.x`, `rt1.${'x'.repeat(290)}`,
      'rt1....', 'rt1.platform.00000000-0000-0000-0000-000000000000.', '.'.repeat(300)]) {
      const res = await api().post(`${API}/auth/refresh`).send({ refresh_token: token });
      expect(res.status, `${token}: ${res.text}`).to.be.oneOf([400, 401]);
      expect(res.headers['content-type']).to.match(/^application\/problem\+json/);
    }
  });
});

describe('no 500 on hostile input: nesting depth', () => {
  let tenant: TestTenant;

  before(async () => {
    tenant = await createTestTenant();
  });

  const nested = (depth: number): unknown => deepObject(depth);

  it('when a config value nests deeper than the limit, then it answers 400 naming where; within it, it is stored', async () => {
    const put = (body: string) => api().put(`${API}/config/fuzz.deep`).set(...bearer(tenant.admin.token))
      .set('Content-Type', 'application/json').send(body);
    const refused = expectProblem(await put(bodyText({ config_value: DEEP_ARRAYS })), 400);
    const errors = refused.errors as { path: string; message: string }[];
    expect(errors).to.have.length(1);
    expect(errors[0]?.path).to.match(/^body\.config_value(\.0)+$/);
    expect(errors[0]?.message).to.equal(DEPTH_MESSAGE);
    const stored = await put(JSON.stringify({ config_value: nested(40) }));
    expect(stored.status, stored.text).to.equal(201);
  });

  it('when role conditions nest 10000 deep, then it answers 400, not a stack overflow', async () => {
    const res = await api().post(`${API}/roles`).set(...bearer(tenant.admin.token)).set('Content-Type', 'application/json')
      .send(bodyText({ role_name: 'fuzz_deep', permissions: [{ action: 'read', subject: 'Policy', conditions: DEEP_OBJECTS }] }));
    const problem = expectProblem(res, 400);
    expect((problem.errors as { path: string }[])[0]?.path).to.match(/^body\.permissions\.0\.conditions(\.a)+$/);
  });

  it('when 20 NUL fields come before deep role conditions, then it is still a 400 (the depth is found regardless)', async () => {
    const nuls = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`n${i}`, 'x\u0000']));
    const res = await api().post(`${API}/roles`).set(...bearer(tenant.admin.token)).set('Content-Type', 'application/json')
      .send(bodyText({ ...nuls, role_name: 'fuzz_deep', permissions: [{ action: 'read', subject: 'Policy', conditions: DEEP_OBJECTS }] }));
    expectProblem(res, 400);
  });
});

describe('database back-pressure answers 503 with Retry-After, not 500', () => {
  /** The app's own error handler behind a route that fails with `error`. */
  function failingApp(error: unknown) {
    const app = express();
    app.get('/fail', () => {
      throw error;
    });
    app.use(errorHandler(testDeps().log.child({}, { level: 'silent' })));
    return supertest(app);
  }

  it('when the database cannot be reached, then it answers 503, not 500', async () => {
    const unreachable = createKnex('postgres://nobody:nothing@127.0.0.1:1/none', 1);
    try {
      const deps = testDeps();
      const app = supertest(createApp({ ...deps, db: { ...deps.db, app: unreachable, platform: unreachable } }));
      const res = await app.get(`${API}/tenants`).set(...bearer(await superAdminToken()));
      expectProblem(res, 503);
      expect(res.headers['retry-after']).to.match(/^\d+$/);
    } finally {
      await unreachable.destroy();
    }
  });

  it('gives every pooled connection a statement timeout and an idle-in-transaction timeout', async () => {
    const { rows } = await testDeps().db.app.raw(`SELECT current_setting('statement_timeout') AS statement,
      current_setting('idle_in_transaction_session_timeout') AS idle`);
    expect(rows[0]).to.deep.equal({ statement: '30s', idle: '1min' });
  });

  it('when the pool stays full past acquireConnectionTimeout (KnexTimeoutError), then it answers 503', async () => {
    const quiet = () => undefined;
    const tiny = knexFactory({ client: 'pg', connection: testDeps().db.ownerUrl, pool: { min: 0, max: 1 }, acquireConnectionTimeout: 200,
      log: { warn: quiet, error: quiet, debug: quiet, deprecate: quiet } });
    let timeout: unknown;
    try {
      // The one connection is held by this transaction; a second one (as each request opens) cannot get any.
      await tiny.transaction(async () => {
        timeout = await tiny.transaction(async () => undefined).catch((error: unknown) => error);
      });
    } finally {
      await tiny.destroy();
    }
    expect(timeout).to.be.instanceOf(knexFactory.KnexTimeoutError);
    const res = await failingApp(timeout).get('/fail');
    expectProblem(res, 503);
    expect(res.headers['retry-after']).to.match(/^\d+$/);
  });

  it('when a statement runs past statement_timeout (57014), then it answers 503', async () => {
    const error = await testDeps().db.app.transaction(async (tx) => {
      await tx.raw("SET LOCAL statement_timeout = '20ms'");
      await tx.raw('SELECT pg_sleep(1)');
    }).then(() => undefined, (caught: unknown) => caught);
    expect(error).to.have.property('code', '57014');
    expect(translatePgError(error)).to.be.instanceOf(ServiceUnavailableError);
    const res = await failingApp(error).get('/fail');
    expectProblem(res, 503);
    expect(res.headers['retry-after']).to.match(/^\d+$/);
  });

  it('V7.4.1 V7.4.3 when something unexpected fails, then it still answers 500 problem+json (nothing is swallowed)', async () => {
    const problem = expectProblem(await failingApp(new TypeError('a bug')).get('/fail'), 500);
    expect(problem.detail, 'a generic message, no internals').to.equal('Something went wrong on our side.');
    expect(JSON.stringify(problem)).not.to.match(/a bug|TypeError|at .*\.ts/);
  });
});

