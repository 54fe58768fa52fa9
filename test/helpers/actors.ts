import crypto from 'node:crypto';
import { expect } from 'chai';
import { insertAgentRow } from '../../src/agents/repository.js';
import { inOwnerTransaction } from '../../src/db/privileged.js';
import { enterTenant } from '../../src/db/scope.js';
import { assignRoles, insertUser } from '../../src/users/repository.js';
import { API, api, SUPER_ADMIN, testDeps } from './context.js';

export interface TestTenant {
  readonly tenant_id: string;
  readonly tenant_code: string;
  readonly schema_name: string;
  readonly admin: { email: string; password: string; token: string };
}

export interface TestUser {
  readonly user_id: string;
  readonly email: string;
  readonly password: string;
  readonly token: string;
  readonly agent_id: string | null;
}

export const TEST_PASSWORD = 'Test#Password2026';

/** A tenant code no other test file uses. */
export function uniqueTenantCode(prefix = 'T'): string {
  return `${prefix}${crypto.randomBytes(6).toString('hex').toUpperCase()}`.slice(0, 20);
}

export async function login(body: Record<string, unknown>): Promise<{ access_token: string; refresh_token: string }> {
  const res = await api().post(`${API}/auth/login`).send(body);
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
  return res.body;
}

export async function superAdminToken(): Promise<string> {
  return (await login(SUPER_ADMIN)).access_token;
}

/** Onboards a fresh tenant through the API, as a super admin would, and signs its provider admin in. */
export async function createTestTenant(overrides: Record<string, unknown> = {}): Promise<TestTenant> {
  const tenant_code = uniqueTenantCode();
  const admin = { email: `admin@${tenant_code.toLowerCase()}.test`, password: TEST_PASSWORD, first_name: 'Test', last_name: 'Admin' };
  const res = await api().post(`${API}/tenants`).set('Authorization', `Bearer ${await superAdminToken()}`)
    .send({ tenant_code, tenant_name: `Test tenant ${tenant_code}`, tenant_type: 'insurance_provider', admin, ...overrides });
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  const token = (await login({ tenant: tenant_code, email: admin.email, password: admin.password })).access_token;
  return { ...res.body, admin: { email: admin.email, password: admin.password, token } };
}

/**
 * Arranges a user with a system or custom role directly (privileged path, like the seeds), optionally as an
 * agent under `parentAgentId`, and signs it in. Tests of the users API itself go through HTTP instead.
 */
export async function createTestUser(tenant: TestTenant, role: string,
  options: { agent?: boolean; parentAgentId?: string | null; email?: string } = {}): Promise<TestUser> {
  const deps = testDeps();
  const email = options.email ?? `${role}.${crypto.randomBytes(4).toString('hex')}@${tenant.tenant_code.toLowerCase()}.test`;
  const passwordHash = await deps.passwords.hash(TEST_PASSWORD);
  const { userId, agentId } = await inOwnerTransaction(deps.db, async (tx) => {
    await enterTenant(tx, tenant);
    const user = await insertUser(tx, { email, password_hash: passwordHash, first_name: 'Test', last_name: role });
    const roleRow = await tx('roles').first('role_id').where({ role_name: role });
    if (!roleRow) throw new Error(`no role ${role} in ${tenant.tenant_code}`);
    await assignRoles(tx, user.user_id, [roleRow.role_id], null);
    if (!options.agent) return { userId: user.user_id, agentId: null };
    const agent = await insertAgentRow(tx, {
      user_id: user.user_id, agent_code: `AG-${crypto.randomBytes(4).toString('hex')}`, parent_agent_id: options.parentAgentId ?? null,
    });
    return { userId: user.user_id, agentId: agent.agent_id };
  });
  const token = (await login({ tenant: tenant.tenant_code, email, password: TEST_PASSWORD })).access_token;
  return { user_id: userId, email, password: TEST_PASSWORD, token, agent_id: agentId };
}

export function bearer(token: string): [string, string] {
  return ['Authorization', `Bearer ${token}`];
}
