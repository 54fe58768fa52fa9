import { expect } from 'chai';
import { API, api } from '../helpers/context.js';
import { bearer, createTestTenant } from '../helpers/actors.js';

describe('harness', () => {
  it('onboards a tenant and signs its admin in', async () => {
    const tenant = await createTestTenant();
    const me = await api().get(`${API}/auth/me`).set(...bearer(tenant.admin.token));
    expect(me.status).to.equal(200);
    expect(me.body.tenant_code).to.equal(tenant.tenant_code);
    expect(me.body.role).to.equal('insurance_provider_admin');
  });
});
