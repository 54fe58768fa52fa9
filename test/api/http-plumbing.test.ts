import { expect } from 'chai';
import type { Response } from 'supertest';
import { createTestTenant } from '../helpers/actors.js';
import { API, api, testDeps } from '../helpers/context.js';
import { expectProblem } from '../helpers/problems.js';

// What every response shares, whichever endpoint answers: a request id, security headers, and RFC 9457
// problem details for every error a client can cause before any endpoint runs.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;


describe('HTTP plumbing shared by every route', () => {
  describe('X-Request-Id', () => {
    it('echoes a sane id the client sent, on success and on error alike', async () => {
      const ok = await api().get('/healthz').set('X-Request-Id', 'mobile-app.42:7f3a_b');
      expect(ok.status).to.equal(200);
      expect(ok.headers['x-request-id']).to.equal('mobile-app.42:7f3a_b');
      const failed = await api().get(`${API}/auth/me`).set('X-Request-Id', 'trace-0001');
      expect(failed.status).to.equal(401);
      expect(failed.headers['x-request-id']).to.equal('trace-0001');
    });

    it('generates a fresh UUID for each request that sent none', async () => {
      const [first, second] = [await api().get('/healthz'), await api().get(`${API}/no-such-route`)];
      expect(first.headers['x-request-id']).to.match(UUID);
      expect(second.headers['x-request-id']).to.match(UUID);
      expect(first.headers['x-request-id']).to.not.equal(second.headers['x-request-id']);
    });

    it('replaces an id that is too long or carries odd characters with a UUID of its own', async () => {
      for (const sent of ['x'.repeat(129), 'has spaces in it', 'semi;colon', '<script>', 'a/b']) {
        const res = await api().get('/healthz').set('X-Request-Id', sent);
        expect(res.headers['x-request-id'], JSON.stringify(sent)).to.match(UUID);
      }
    });
  });

  describe('request bodies', () => {
    it('refuses a JSON body over the 100kb limit with 413 problem+json, and parses one just under it', async () => {
      expect(testDeps().config.bodyLimit).to.equal('100kb');
      const body = (size: number) => ({ email: 'someone@example.test', password: 'x'.repeat(size) });
      expect(JSON.stringify(body(101 * 1024)).length).to.be.greaterThan(100 * 1024);
      const problem = expectProblem(await api().post(`${API}/auth/login`).send(body(101 * 1024)), 413);
      expect(problem).to.not.have.property('errors');
      // Under the limit the body reaches validation, which finds the password too long.
      const invalid = expectProblem(await api().post(`${API}/auth/login`).send(body(99 * 1024)), 400);
      expect(invalid.errors).to.be.an('array').with.length(1);
      expect(JSON.stringify(invalid.errors)).to.include('password');
    });

    it('answers malformed JSON with 400 problem+json naming the body', async () => {
      for (const type of ['application/json', 'application/merge-patch+json']) {
        const res = await api().post(`${API}/auth/login`).set('Content-Type', type).send('{"email": "a@b.test", ');
        const problem = expectProblem(res, 400);
        expect(problem.errors).to.deep.equal([{ path: 'body', message: 'malformed JSON' }]);
      }
    });

    it('refuses a body that is not UTF-8 with 400 (its bytes would be stored as U+FFFD), and reads one that is', async () => {
      const json = (email: Buffer) => Buffer.concat([Buffer.from('{"email":"'), email, Buffer.from('@x.test","password":"wrong-password-1"}')]);
      // The bytes as they are: superagent writes a Buffer its serializer returns unchanged (its type says string).
      const post = (type: string, body: Buffer) => api().post(`${API}/auth/login`).set('Content-Type', type)
        .serialize((bytes: Buffer) => bytes as unknown as string).send(body);
      for (const type of ['application/json', 'application/json; charset=utf-8']) {
        const res = await post(type, json(Buffer.from([0x61, 0xff, 0x62])));
        const problem = expectProblem(res, 400, ['body'], 'request.malformed_json');
        expect(problem.errors).to.deep.equal([{ path: 'body', message: 'is not valid UTF-8' }]);
      }
      // A well-formed non-ASCII address reaches sign-in, which refuses the password.
      const good = await post('application/json', json(Buffer.from('आशा', 'utf8')));
      expect(good.status, good.text).to.equal(401);
    });
  });

  describe('routing', () => {
    it('answers an unknown route with 404 problem+json naming method and path, inside and outside /api/v1', async () => {
      const inside = expectProblem(await api().get(`${API}/no-such-route`), 404);
      expect(inside).to.include({ detail: `No route for GET ${API}/no-such-route.`, instance: `${API}/no-such-route` });
      const outside = expectProblem(await api().delete('/definitely/not/here?x=1'), 404);
      expect(outside).to.include({ detail: 'No route for DELETE /definitely/not/here.', instance: '/definitely/not/here?x=1' });
    });

    it('V13.2.1 answers a known path asked with another method with 405 and the methods it serves', async () => {
      const res = await api().put(`${API}/auth/login`).send({});
      expectProblem(res, 405);
      expect(res.headers.allow).to.equal('POST, OPTIONS');
      expect((await api().delete(`${API}/users`)).headers.allow).to.equal('GET, POST, HEAD, OPTIONS');
      const options = await api().options(`${API}/users`);
      expect(options.status).to.equal(204);
      expect(options.headers.allow).to.equal('GET, POST, HEAD, OPTIONS');
    });

    it('answers 405 for a path without parameters that a parametrised one also matches (/policies/lapse-run, not /policies/:policy_id)', async () => {
      const { token } = (await createTestTenant()).admin;
      for (const method of ['get', 'patch', 'delete'] as const) {
        const res = await api()[method](`${API}/policies/lapse-run`).set('Authorization', `Bearer ${token}`).send({ notes: 'x' });
        expectProblem(res, 405, [], 'request.method_not_allowed');
        expect(res.headers.allow, method).to.equal('POST, OPTIONS');
      }
      // What the static paths and the parametrised ones do serve still gets through.
      expect((await api().get(`${API}/claims/reviews`).set('Authorization', `Bearer ${token}`)).status).to.equal(200);
      expect((await api().get(`${API}/claims/policy-terms`).set('Authorization', `Bearer ${token}`)).status).to.equal(200);
      expectProblem(await api().get(`${API}/policies/lapse`).set('Authorization', `Bearer ${token}`), 400, ['params.policy_id']);
      expectProblem(await api().post(`${API}/policies/lapse-run`).set('Authorization', `Bearer ${token}`).send({ nope: 1 }), 400, ['body']);
    });
  });

  describe('security headers', () => {
    it('sends helmet headers and no X-Powered-By, on success, on error and on problem responses', async () => {
      const responses: [string, Response][] = [
        ['200', await api().get('/healthz')],
        ['404', await api().get(`${API}/no-such-route`)],
        ['401', await api().get(`${API}/auth/me`)],
        ['400', await api().post(`${API}/auth/login`).set('Content-Type', 'application/json').send('{')],
      ];
      for (const [status, res] of responses) {
        expect(res.status).to.equal(Number(status));
        expect(res.headers['x-content-type-options'], status).to.equal('nosniff');
        expect(res.headers['x-frame-options']).to.equal('SAMEORIGIN');
        expect(res.headers['strict-transport-security']).to.match(/max-age=\d+/);
        expect(res.headers['content-security-policy']).to.include("default-src 'self'");
        expect(res.headers['referrer-policy']).to.equal('no-referrer');
        expect(res.headers).to.not.have.property('x-powered-by');
      }
    });
  });

  describe('authentication errors', () => {
    it('answers a missing token with 401 problem+json and WWW-Authenticate: Bearer', async () => {
      for (const authorization of [undefined, 'Basic dXNlcjpwYXNz', 'Bearer', 'Bearer a b']) {
        const req = api().get(`${API}/auth/me`);
        const res = authorization ? await req.set('Authorization', authorization) : await req;
        const problem = expectProblem(res, 401);
        expect(res.headers['www-authenticate'], String(authorization)).to.equal('Bearer');
        expect(problem).to.not.have.property('errors');
      }
    });

    it('takes the scheme in any case and one or more spaces before the token (RFC 6750 "Bearer" 1*SP b64token)', async () => {
      const { token } = (await createTestTenant()).admin;
      for (const authorization of [`bearer ${token}`, `BEARER ${token}`, `Bearer  ${token}`, `Bearer   ${token}`]) {
        const res = await api().get(`${API}/auth/me`).set('Authorization', authorization);
        expect(res.status, `${authorization.slice(0, 10)}: ${res.text}`).to.equal(200);
      }
    });

    it('answers a token that is not a valid JWT with 401 problem+json and no field errors', async () => {
      for (const token of ['abc', 'eyJhbGciOiJIUzI1NiJ9.e30.c2lnbmF0dXJl']) {
        const res = await api().get(`${API}/auth/me`).set('Authorization', `Bearer ${token}`);
        const problem = expectProblem(res, 401);
        expect(problem).to.not.have.property('errors');
        expect(problem.detail).to.equal('The access token is not valid.');
        expect(res.text).to.not.include(token === 'abc' ? 'jwt malformed' : 'invalid signature');
      }
    });
  });
});
