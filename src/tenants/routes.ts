import { ProblemSchema } from '../../schemas/common.js';
import { CreateTenantBody, TenantCreated } from '../../schemas/tenants.js';
import { scopedEndpoint, type Endpoint } from '../http/endpoint.js';
import { onboardTenant } from './onboarding.js';

const problem = (description: string) => ({ description, schema: ProblemSchema });

export const tenantEndpoints: Endpoint[] = [
  scopedEndpoint({
    method: 'post', path: '/tenants', tag: 'platform', access: 'platform', body: CreateTenantBody,
    summary: 'Onboard a tenant: registry row, schema, migrations, system roles and first provider admin, all or nothing',
    responses: { 201: { description: 'Onboarded', schema: TenantCreated }, 400: problem('Invalid input'),
      403: problem('Not a platform administrator'), 409: problem('Duplicate tenant code') },
  }, async ({ body, deps }) => ({ status: 201, body: await onboardTenant(deps, body) })),
];
