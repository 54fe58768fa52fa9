import crypto from 'node:crypto';
import { expect } from 'chai';
import type { Response } from 'supertest';
import { Provider } from '../../schemas/providers.js';
import { API, api } from '../helpers/context.js';
import { bearer, createTestTenant, createTestUser, superAdminToken, type TestTenant } from '../helpers/actors.js';
import { UNKNOWN_ID, expectProblem } from '../helpers/problems.js';


const providerCode = () => `P${crypto.randomBytes(5).toString('hex').toUpperCase()}`;

const FULL_PROVIDER = {
  provider_name: 'Star Health and Allied Insurance',
  provider_type: 'health_insurance',
  description: 'Standalone health insurer',
  api_endpoint: 'https://api.starhealth.example/v2',
  webhook_url: 'https://hooks.starhealth.example/agent-mitra',
  license_number: 'IRDAI/HLT/129',
  regulatory_authority: 'IRDAI',
  established_year: 2006,
  headquarters: { city: 'Chennai', state: 'Tamil Nadu', pincode: '600034' },
  supported_languages: ['en', 'ta', 'hi'],
  service_regions: ['Tamil Nadu', 'Karnataka'],
  status: 'active',
  integration_status: 'testing',
};

describe('insurance providers (GET|POST /providers, GET|PATCH /providers/{provider_id})', () => {
  let rootToken: string;
  let tenant: TestTenant;

  before(async () => {
    tenant = await createTestTenant();
    rootToken = await superAdminToken();
  });

  const register = (body: object, token = rootToken) => api().post(`${API}/providers`).set(...bearer(token)).send(body);
  const amend = (id: string, body: object, token = rootToken) =>
    api().patch(`${API}/providers/${id}`).set(...bearer(token)).send(body);
  const read = (path: string, token = rootToken) => api().get(`${API}${path}`).set(...bearer(token));

  it('when a super admin registers a provider with every field, then it answers 201 echoing them', async () => {
    const code = providerCode();
    const res = await register({ provider_code: code, ...FULL_PROVIDER });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(() => Provider.parse(res.body)).not.to.throw();
    expect(res.body).to.deep.include({ provider_code: code, ...FULL_PROVIDER });
    expect((await read(`/providers/${res.body.provider_id}`)).body).to.deep.equal(res.body);
  });

  it('when only the required fields are given, then the defaults are filled in', async () => {
    const res = await register({ provider_code: providerCode(), provider_name: 'Bare Life', provider_type: 'life_insurance' });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body).to.deep.include({ regulatory_authority: 'IRDAI', supported_languages: ['en'], service_regions: [],
      status: 'active', integration_status: 'pending', headquarters: null, established_year: null, api_endpoint: null });
  });

  it('when the provider code is taken, then it answers 409', async () => {
    const code = providerCode();
    expect((await register({ provider_code: code, provider_name: 'First', provider_type: 'composite' })).status).to.equal(201);
    expectProblem(await register({ provider_code: code, provider_name: 'Second', provider_type: 'composite' }), 409);
  });

  it('when the body is malformed, then one 400 lists every bad field', async () => {
    const res = await register({
      provider_code: 'lower', provider_type: 'pet_insurance', api_endpoint: 'not a url', webhook_url: 'ftp://files.example',
      established_year: 1700, supported_languages: ['English'], status: 'closed', integration_status: 'done',
      headquarters: 'Mumbai', sponsor: 'x',
    });
    expectProblem(res, 400, ['body.provider_code', 'body.provider_name', 'body.provider_type', 'body.api_endpoint',
      'body.webhook_url', 'body.established_year', 'body.supported_languages.0', 'body.status', 'body.integration_status',
      'body.headquarters', 'body']);
  });

  it('when a tenant user reads providers, then it may; when it writes them, it answers 403', async () => {
    const code = providerCode();
    const created = (await register({ provider_code: code, provider_name: 'Visible', provider_type: 'general_insurance' })).body;
    const junior = await createTestUser(tenant, 'junior_agent', { agent: true });
    for (const token of [tenant.admin.token, junior.token]) {
      expect((await read(`/providers/${created.provider_id}`, token)).body.provider_code).to.equal(code);
      expect((await read('/providers?limit=200', token)).status).to.equal(200);
    }
    expectProblem(await register({ provider_code: providerCode(), provider_name: 'Nope', provider_type: 'composite' },
      tenant.admin.token), 403);
    expectProblem(await amend(created.provider_id, { provider_name: 'Hijacked' }, tenant.admin.token), 403);
    expect((await read(`/providers/${created.provider_id}`)).body.provider_name).to.equal('Visible');
  });

  it('when nobody is signed in, then reading providers answers 401', async () => {
    expectProblem(await api().get(`${API}/providers`), 401);
  });

  it('when the provider id is unknown or malformed, then it answers 404 or 400 naming it', async () => {
    expectProblem(await read(`/providers/${UNKNOWN_ID}`), 404);
    expectProblem(await amend(UNKNOWN_ID, { status: 'inactive' }), 404);
    expectProblem(await read('/providers/123'), 400, ['params.provider_id']);
  });

  it('when a super admin amends a provider, then only the named fields change; a taken code is 409', async () => {
    const code = providerCode();
    const created = (await register({ provider_code: code, ...FULL_PROVIDER })).body;
    const res = await amend(created.provider_id, { status: 'under_maintenance', integration_status: 'active',
      webhook_url: null, service_regions: ['Kerala'] });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.deep.include({ ...FULL_PROVIDER, provider_code: code, status: 'under_maintenance',
      integration_status: 'active', webhook_url: null, service_regions: ['Kerala'] });
    expect(Date.parse(res.body.updated_at)).to.be.greaterThan(Date.parse(created.updated_at));

    const other = (await register({ provider_code: providerCode(), provider_name: 'Other', provider_type: 'composite' })).body;
    expectProblem(await amend(other.provider_id, { provider_code: code }), 409);
    expectProblem(await amend(other.provider_id, {}), 400);
    expectProblem(await amend(other.provider_id, { established_year: 'old', tenant_id: tenant.tenant_id }), 400,
      ['body.established_year', 'body']);
  });

  it('when the list is filtered by type and status, then only matching providers come back', async () => {
    const health = (await register({ provider_code: providerCode(), provider_name: 'Filter Health',
      provider_type: 'health_insurance', status: 'suspended' })).body;
    const life = (await register({ provider_code: providerCode(), provider_name: 'Filter Life',
      provider_type: 'life_insurance', status: 'suspended' })).body;
    const res = await read('/providers?limit=200&provider_type=health_insurance&status=suspended', tenant.admin.token);
    expect(res.status).to.equal(200);
    const ids = res.body.data.map((provider: { provider_id: string }) => provider.provider_id);
    expect(ids).to.include(health.provider_id).and.not.include(life.provider_id);
    expect(res.body.data.every((p: { provider_type: string; status: string }) =>
      p.provider_type === 'health_insurance' && p.status === 'suspended')).to.equal(true);
    expectProblem(await read('/providers?provider_type=pets&status=gone&limit=x'), 400,
      ['query.provider_type', 'query.status', 'query.limit']);
  });

  it('when the list is read a page at a time, then every provider appears once', async () => {
    const mine = [];
    for (let i = 0; i < 3; i += 1) {
      mine.push((await register({ provider_code: providerCode(), provider_name: `Paged ${i}`, provider_type: 'composite' })).body);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: Response = await read(`/providers?limit=2${cursor ? `&cursor=${cursor}` : ''}`, tenant.admin.token);
      expect(res.body.data.length).to.be.at.most(2);
      seen.push(...res.body.data.map((provider: { provider_id: string }) => provider.provider_id));
      cursor = res.body.next_cursor;
      pages += 1;
    } while (cursor && pages < 500);
    expect(pages).to.be.at.least(2);
    expect(new Set(seen).size).to.equal(seen.length);
    expect(seen).to.include.members(mine.map((provider) => provider.provider_id));
  });
});
