import { bearer, type TestTenant } from './actors.js';
import { API, api } from './context.js';

// A user's own account through the API, as test/api/asvs.test.ts and self-service.test.ts (and others) use it.

/** POST /auth/password with the current and the new password. */
export function changePassword(token: string, current: string, next: string) {
  return api().post(`${API}/auth/password`).set(...bearer(token)).send({ current_password: current, new_password: next });
}

/** POST /auth/login to the tenant by e-mail. */
export function signInByEmail(tenant: TestTenant, email: string, password: string) {
  return api().post(`${API}/auth/login`).send({ tenant: tenant.tenant_code, email, password });
}
