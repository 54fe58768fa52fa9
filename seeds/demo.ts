import { insertAgentRow } from '../src/agents/repository.js';
import { loadTerms } from '../src/claims/offline-file.js';
import { insertTermsVersion } from '../src/claims/terms-repository.js';
import { DEMO_SUPER_ADMIN, type Config } from '../src/config.js';
import type { Tx } from '../src/db/scope.js';
import type { AppDeps } from '../src/deps.js';
import { onboardTenant } from '../src/tenants/onboarding.js';
import { assignRoles, insertUser } from '../src/users/repository.js';
import { seedDemoBook } from './demo-book.js';

// Demo tenants LIC and HDFC, each with a provider admin, a regional manager, a senior and a junior agent
// (manager > senior > junior), and the OPD claim terms PLUM_OPD_2024. Idempotent: a tenant that exists already is left alone.

export const DEMO_PASSWORD = 'AgentMitra#2026';

const DEMO_TENANTS = [
  { tenant_code: 'LIC', tenant_name: 'Life Insurance Corporation of India', domain: 'lic.demo' },
  { tenant_code: 'HDFC', tenant_name: 'HDFC Life Insurance', domain: 'hdfc.demo' },
] as const;

const DEMO_STAFF = [
  { local: 'manager', role: 'regional_manager', first_name: 'Rekha', last_name: 'Menon', agent_code: 'RM-001' },
  { local: 'senior', role: 'senior_agent', first_name: 'Suresh', last_name: 'Iyer', agent_code: 'SA-001' },
  { local: 'junior', role: 'junior_agent', first_name: 'Jaya', last_name: 'Rao', agent_code: 'JA-001' },
] as const;

export async function seedDemoTenants(deps: AppDeps): Promise<string[]> {
  const created: string[] = [];
  const passwordHash = await deps.passwords.hash(DEMO_PASSWORD);
  for (const demo of DEMO_TENANTS) {
    if (await deps.tenants.byCode(demo.tenant_code)) continue;
    // The staff join the onboarding transaction: a failure leaves no tenant half-seeded.
    await onboardTenant(deps, {
      tenant_code: demo.tenant_code, tenant_name: demo.tenant_name, tenant_type: 'insurance_provider',
      subscription_plan: 'enterprise',
      admin: { email: `admin@${demo.domain}`, password: DEMO_PASSWORD, first_name: 'Provider', last_name: 'Admin' },
    }, { beforeCommit: async (tx) => {
      await addDemoStaff(tx, demo.tenant_code, demo.domain, passwordHash);
      await insertTermsVersion(tx, loadTerms('PLUM_OPD_2024'), 1, null);
    } });
    await seedDemoBook(deps, demo.tenant_code);
    created.push(demo.tenant_code);
    deps.log.info({ tenant: demo.tenant_code }, 'seeded demo tenant');
  }
  return created;
}

/** Manager, senior and junior agent, each the parent of the next. */
async function addDemoStaff(tx: Tx, tenantCode: string, domain: string, passwordHash: string): Promise<void> {
  let parentAgentId: string | null = null;
  for (const staff of DEMO_STAFF) {
    const user = await insertUser(tx, {
      email: `${staff.local}@${domain}`, password_hash: passwordHash, first_name: staff.first_name, last_name: staff.last_name,
    });
    const role = await tx('roles').first('role_id').where({ role_name: staff.role });
    await assignRoles(tx, user.user_id, [role.role_id], null);
    const agent = await insertAgentRow(tx, {
      user_id: user.user_id, agent_code: `${tenantCode}-${staff.agent_code}`, parent_agent_id: parentAgentId,
    });
    parentAgentId = agent.agent_id;
  }
}

export function printDemoLogins(config: Config): void {
  const lines = [
    'Demo logins (POST /api/v1/auth/login):',
    config.superAdmin ? `  platform super admin (no tenant): ${config.superAdmin.email} / ${superAdminPassword(config.superAdmin.password)}` : '',
    ...DEMO_TENANTS.flatMap((demo) => [
      `  ${demo.tenant_code} (tenant "${demo.tenant_code}"), password ${DEMO_PASSWORD}:`,
      `    admin@${demo.domain} (insurance_provider_admin), ${DEMO_STAFF.map((s) => `${s.local}@${demo.domain} (${s.role})`).join(', ')}`,
    ]),
    config.mfa.requiredForAdmins ? '  MFA is mandatory for administrators: the first sign-in enrols an authenticator (README "MFA and step-up").'
      : '  MFA is optional here (MFA_REQUIRED_FOR_ADMINS=true enforces it for administrators, as production always does).',
  ].filter(Boolean);
  console.log(lines.join('\n'));
}

/** A configured password is not echoed; the built-in demo one is. */
function superAdminPassword(password: string): string {
  return password === DEMO_SUPER_ADMIN.password ? password : '(SUPER_ADMIN_PASSWORD)';
}
