import { expect } from 'chai';
import supertest from 'supertest';
import { createApp } from '../../src/app.js';
import type { Database } from '../../src/db/database.js';
import { listMigrationFiles } from '../../src/db/migrator.js';
import { inOwnerTransaction } from '../../src/db/privileged.js';
import { API_ENDPOINTS } from '../../src/endpoints.js';
import { openApiPath } from '../../src/ops/openapi.js';
import { createTestTenant, superAdminToken } from '../helpers/actors.js';
import { API, api, testDeps } from '../helpers/context.js';

describe('operations endpoints', () => {
  it('answers /healthz without the database', async () => {
    const res = await api().get('/healthz');
    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ status: 'ok' });
  });

  describe('/readyz', () => {
    it('is ready when the database answers and every migration is applied', async () => {
      const res = await api().get('/readyz');
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body).to.deep.equal({ status: 'ready', database: 'ok', migrations: { shared: 'current', tenants_behind: 0 } });
    });

    it('names a tenant whose schema is behind to a super admin only, until it catches up', async () => {
      const tenant = await createTestTenant();
      const setVersion = (version: string) => inOwnerTransaction(testDeps().db, (tx) =>
        tx('shared.tenants').update({ schema_version: version }).where({ tenant_id: tenant.tenant_id }));
      const latest = (await listMigrationFiles('tenant')).at(-1) as string;
      await setVersion('0_older');
      try {
        const anonymous = await api().get('/readyz');
        expect(anonymous.status).to.equal(503);
        expect(anonymous.text, 'no tenant code without a login').to.not.include(tenant.tenant_code);
        expect(JSON.parse(anonymous.text)).to.include({ database: 'ok', migrations: 'behind' });
        const asTenantAdmin = await api().get('/readyz').set('Authorization', `Bearer ${tenant.admin.token}`);
        expect(asTenantAdmin.text).to.not.include(tenant.tenant_code);
        const res = await api().get('/readyz').set('Authorization', `Bearer ${await superAdminToken()}`);
        expect(res.status).to.equal(503);
        expect(res.type).to.equal('application/problem+json');
        const body = JSON.parse(res.text);
        expect(body.migrations.shared).to.equal('current');
        expect(body.migrations.tenants_behind).to.be.at.least(1);
        expect(body.migrations.tenants).to.deep.include({ tenant_code: tenant.tenant_code, schema_version: '0_older' });
      } finally {
        await setVersion(latest);
      }
      expect((await api().get('/readyz')).status).to.equal(200);
    });

    it('is not ready when the database does not answer', async () => {
      const refused = { transaction: () => Promise.reject(new Error('connection refused')) };
      const down = { ...testDeps().db, app: refused, platform: refused } as unknown as Database;
      const res = await supertest(createApp({ ...testDeps(), db: down })).get('/readyz');
      expect(res.status).to.equal(503);
      expect(JSON.parse(res.text)).to.include({ status: 503, database: 'unreachable' });
    });
  });

  describe('/metrics', () => {
    it('counts requests by route template, not by raw URL', async () => {
      await api().get('/healthz');
      await api().get(`${API}/auth/me`);
      await api().get('/no/such/route');
      const res = await api().get('/metrics');
      expect(res.status).to.equal(200);
      expect(res.type).to.equal('text/plain');
      expect(res.text).to.include('process_cpu_user_seconds_total');
      expect(res.text).to.match(/http_requests_total\{method="GET",route="\/healthz",status="200"\} \d+/);
      expect(res.text).to.match(/http_requests_total\{method="GET",route="\/api\/v1\/auth\/me",status="401"\} \d+/);
      expect(res.text).to.match(/http_requests_total\{method="GET",route="unmatched",status="404"\} \d+/);
      expect(res.text).to.include('http_request_duration_seconds_bucket{');
    });

    it('keeps a registry per app, so a second app starts from zero', async () => {
      const other = supertest(createApp(testDeps()));
      const res = await other.get('/metrics');
      expect(res.status).to.equal(200);
      expect(res.text).not.to.include('route="/healthz"');
    });
  });

  describe('/openapi.json', () => {
    it('is an OpenAPI 3.1 document describing every API endpoint', async () => {
      const res = await api().get('/openapi.json');
      expect(res.status).to.equal(200);
      const doc = res.body;
      expect(doc.openapi).to.match(/^3\.1\.\d+$/);
      expect(doc.info).to.include.keys('title', 'version');
      expect(doc.servers[0].url).to.equal(API);
      for (const { spec } of API_ENDPOINTS) {
        const operation = doc.paths[openApiPath(spec.path)]?.[spec.method];
        expect(operation, `${spec.method.toUpperCase()} ${spec.path}`).to.be.an('object');
        expect(operation.responses).to.include.keys(...Object.keys(spec.responses));
        const pathParams = operation.parameters?.filter((p: { in: string }) => p.in === 'path').map((p: { name: string }) => p.name) ?? [];
        expect(pathParams).to.have.members([...spec.path.matchAll(/:(\w+)/g)].map((match) => match[1]));
        if (spec.access === 'public') expect(operation.security).to.equal(undefined);
        else expect(operation.security).to.deep.equal([{ bearer: [] }]);
        expect(operation.responses, `${spec.method} ${spec.path}`).to.include.keys('406');
        // A tenant user's every request counts against the tenant's api_rate_limit: a 429 may answer any of them.
        if (spec.access === 'tenant' || spec.access === 'signed_in') expect(operation.responses, `${spec.method} ${spec.path}`).to.include.keys('429');
      }
    });

    it("states every list's page size range and default, which the limit's string schema cannot show", async () => {
      const doc = (await api().get('/openapi.json')).body;
      const limits = Object.entries(doc.paths as Record<string, Record<string, { parameters?: { name: string; in: string; description?: string }[] }>>)
        .flatMap(([path, item]) => Object.entries(item).flatMap(([method, op]) => (op.parameters ?? [])
          .filter((parameter) => parameter.in === 'query' && parameter.name === 'limit')
          .map((parameter) => ({ at: `${method} ${path}`, description: parameter.description }))));
      expect(limits.map(({ at }) => at)).to.include.members(['get /policies', 'get /claims', 'get /claims/reviews']);
      for (const { at, description } of limits) expect(description, at).to.match(/1 to 200, 50 when left out/);
    });

    it('describes bodies, problems and the operational endpoints', async () => {
      const doc = (await api().get('/openapi.json')).body;
      const loginOp = doc.paths['/auth/login'].post;
      expect(loginOp.requestBody.content['application/json'].schema.required).to.include('password');
      expect(loginOp.responses['401'].content['application/problem+json'].schema).to.deep.equal({ $ref: '#/components/schemas/Problem' });
      expect(doc.components.schemas.Problem.required).to.include.members(['type', 'title', 'status', 'detail']);
      expect(doc.components.securitySchemes.bearer).to.include({ type: 'http', scheme: 'bearer' });
      for (const path of ['/healthz', '/readyz', '/metrics', '/openapi.json', '/docs']) {
        expect(doc.paths[path]?.get, path).to.be.an('object');
        expect(doc.paths[path].servers).to.deep.equal([{ url: '/' }]);
      }
    });
  });

  it('answers another method on an operational path with 405 and Allow, and OPTIONS with 204, as on the API', async () => {
    for (const path of ['/healthz', '/readyz', '/metrics', '/openapi.json', '/docs/']) {
      const posted = await api().post(path);
      expect(posted.status, path).to.equal(405);
      expect(posted.headers.allow, path).to.equal('GET, HEAD, OPTIONS');
      expect(posted.body, path).to.include({ status: 405, code: 'request.method_not_allowed' });
      expect((await api().delete(path)).status, path).to.equal(405);
      const options = await api().options(path);
      expect(options.status, path).to.equal(204);
      expect(options.headers.allow, path).to.equal('GET, HEAD, OPTIONS');
      expect((await api().get(path)).status, path).to.be.oneOf([200, 503]);
    }
  });

  describe('/docs', () => {
    it('serves Swagger UI under /docs/ with its own content security policy', async () => {
      const redirect = await api().get('/docs');
      expect(redirect.status).to.equal(301);
      expect(redirect.headers.location).to.equal('docs/');
      const page = await api().get('/docs/');
      expect(page.status).to.equal(200);
      expect(page.type).to.equal('text/html');
      expect(page.text).to.include('swagger-ui');
      expect(page.headers['content-security-policy']).to.include("script-src 'self'")
        .and.not.to.include('upgrade-insecure-requests');
      const init = await api().get('/docs/swagger-ui-init.js');
      expect(init.text).to.include('../openapi.json');
      expect((await api().get('/docs/swagger-ui-bundle.js')).status).to.equal(200);
    });

    it("leaves helmet's policy on everything else", async () => {
      const [docs, health] = await Promise.all([api().get('/docs/'), api().get('/healthz')]);
      expect(health.headers['content-security-policy']).to.be.a('string')
        .and.not.to.equal(docs.headers['content-security-policy']);
    });
  });
});
