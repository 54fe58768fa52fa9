import jwt from 'jsonwebtoken';
import type { Knex } from 'knex';
import { listVisibleAgents } from '../../src/agents/repository.js';
import type { AccessClaims } from '../../src/auth/tokens.js';
import { boot } from '../../src/boot.js';
import { inOwnerTransaction } from '../../src/db/privileged.js';
import { type Tx } from '../../src/db/scope.js';
import type { AppDeps } from '../../src/deps.js';
import { createLogger } from '../../src/logger.js';
import { listPolicyholders } from '../../src/policyholders/repository.js';
import { runAsCaller } from '../../src/scope/run.js';
import { onboardTenant } from '../../src/tenants/onboarding.js';
import type { TenantRecord } from '../../src/tenants/repository.js';
import { benchConfig } from './bench-config.js';
import { seedBook, seedUser } from './seed.js';

// `npm run bench:book`: the agent book at scale. One tenant with 10,005 agents (5 regional managers over 2,000
// agents each: 40 seniors with 49 juniors) and 196,000 policyholders, seeded set-based in SQL. For a junior, a
// manager, a provider admin and a policyholder user it prints EXPLAIN (ANALYZE, BUFFERS) of the newest-50 page
// exactly as the API runs it (as the runtime role, through the same scope), and the mean time of a whole scoped
// transaction (actor load, range, page) over repeated runs; then the same with the policyholder arm OR-ed in.

const PASSWORD = 'Bench#Password2026';
const RUNS = Number(process.env.BENCH_RUNS ?? 100);

type Caller = 'junior' | 'manager' | 'admin' | 'policyholder user';

async function login(deps: AppDeps, tenantCode: string, email: string): Promise<AccessClaims> {
  const { login: signIn } = await import('../../src/auth/service.js');
  const pair = await signIn(deps, tenantCode, { email }, PASSWORD, { ip_address: null, user_agent: null });
  if (!('access_token' in pair)) throw new Error(`${email} must pass MFA: run the bench with MFA_REQUIRED_FOR_ADMINS=false`);
  return jwt.decode(pair.access_token) as AccessClaims;
}

/** Runs `work` in the caller's scope, capturing the SQL it sends, and returns the plan of the last statement. */
async function explain(deps: AppDeps, claims: AccessClaims, work: (tx: Tx) => Promise<unknown>): Promise<string> {
  return runAsCaller(deps, claims, undefined, async ({ tx }) => {
    const sent: { sql: string; bindings: readonly Knex.Value[] }[] = [];
    const record = (query: { sql: string; bindings?: readonly Knex.Value[] }) => sent.push({ sql: query.sql, bindings: query.bindings ?? [] });
    deps.db.app.on('query', record);
    try {
      await work(tx);
    } finally {
      deps.db.app.off('query', record);
    }
    const last = sent.at(-1) as { sql: string; bindings: readonly Knex.Value[] };
    // The query event shows pg's $n placeholders; Knex's raw takes ? (they come in the same order).
    const { rows } = await tx.raw(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${last.sql.replace(/\$\d+/g, '?')}`, last.bindings as Knex.Value[]);
    return rows.map((row: Record<string, string>) => row['QUERY PLAN']).join('\n');
  });
}

async function meanMs(deps: AppDeps, claims: AccessClaims, work: (tx: Tx) => Promise<unknown>): Promise<number> {
  for (let index = 0; index < 20; index += 1) await runAsCaller(deps, claims, undefined, ({ tx }) => work(tx));
  const started = performance.now();
  for (let index = 0; index < RUNS; index += 1) await runAsCaller(deps, claims, undefined, ({ tx }) => work(tx));
  return (performance.now() - started) / RUNS;
}

async function measure(deps: AppDeps, callers: Record<Caller, AccessClaims>, label: string): Promise<void> {
  const page = (tx: Tx) => listPolicyholders(tx, { limit: 50 });
  const search = (tx: Tx) => listPolicyholders(tx, { limit: 50, q: 'sharma' });
  const selective = (tx: Tx) => listPolicyholders(tx, { limit: 50, q: '70000123' });
  console.log(`\n## ${label}\n`);
  console.log('| caller | newest 50 | ?q=sharma (10% of rows match) | ?q=70000123 (phone digits, 10 match) |\n| --- | --- | --- | --- |');
  for (const [name, claims] of Object.entries(callers)) {
    const times = [await meanMs(deps, claims, page), await meanMs(deps, claims, search), await meanMs(deps, claims, selective)];
    console.log(`| ${name} | ${times.map((time) => `${time.toFixed(2)} ms`).join(' | ')} |`);
  }
  for (const [name, claims] of Object.entries(callers)) {
    console.log(`\n### ${name}: GET /policyholders?limit=50\n\n\`\`\`\n${await explain(deps, claims, page)}\n\`\`\``);
  }
  for (const name of ['manager', 'admin'] as const) {
    console.log(`\n### ${name}: GET /policyholders?q=sharma\n\n\`\`\`\n${await explain(deps, callers[name], search)}\n\`\`\``);
    console.log(`\n### ${name}: GET /policyholders?q=70000123\n\n\`\`\`\n${await explain(deps, callers[name], selective)}\n\`\`\``);
  }
  console.log(`\n### manager: GET /agents?limit=50\n\n\`\`\`\n${await explain(deps, callers.manager, (tx) => listVisibleAgents(tx, { limit: 50 }))}\n\`\`\``);
}

const config = benchConfig('.data/bench-book');
const deps = await boot(config, createLogger(config), 'throwaway');
try {
  const code = `BOOK${Date.now() % 100000}`;
  const created = await onboardTenant(deps, { tenant_code: code, tenant_name: 'Book bench', tenant_type: 'insurance_provider',
    admin: { email: 'admin@book.bench', password: PASSWORD, first_name: 'Bench', last_name: 'Admin' } } as never);
  const tenant = await deps.tenants.byId(created.tenant_id) as TenantRecord;
  const seeded = await seedBook(deps, tenant, { perJunior: 20, policies: 'none' }, async (tx) => {
    const hash = await deps.passwords.hash(PASSWORD);
    const junior = await seedUser(tx, hash, 'junior@book.bench', 'junior_agent');
    const manager = await seedUser(tx, hash, 'manager@book.bench', 'regional_manager');
    const holder = await seedUser(tx, hash, 'holder@book.bench', 'policyholder');
    await tx('agents').where({ agent_code: 'BJ-2-7-3' }).update({ user_id: junior });
    await tx('agents').where({ agent_code: 'BM-2' }).update({ user_id: manager });
    const ph = await tx('policyholders').first('policyholder_id', 'agent_order').where({ customer_id: 'BJ-4-1-1-5' });
    await tx('users').where({ user_id: holder }).update({ policyholder_id: ph.policyholder_id, policyholder_agent_order: ph.agent_order });
  });
  const counts = seeded.counts;
  console.log(`# Agent book at scale: ${counts.agents} agents, ${counts.policyholders} policyholders `
    + `(seeded in ${seeded.seconds.toFixed(1)} s; PostgreSQL ${(await deps.db.app.raw('SHOW server_version')).rows[0].server_version})`);
  const callers: Record<Caller, AccessClaims> = {
    junior: await login(deps, code, 'junior@book.bench'),
    manager: await login(deps, code, 'manager@book.bench'),
    admin: await login(deps, code, 'admin@book.bench'),
    'policyholder user': await login(deps, code, 'holder@book.bench'),
  };
  await measure(deps, callers, 'As built: range AND (own rows when a policyholder user)');
  // Skipped with BENCH_SKIP_COMPARISON (on Citus the policy change would have to reach every worker).
  if (!process.env.BENCH_SKIP_COMPARISON) {
    // The shape it replaced, for comparison: the policyholder arm OR-ed beside the range.
    const or = `tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid AND (agent_order BETWEEN `
      + `nullif(current_setting('app.agent_lo', true), '')::bigint AND nullif(current_setting('app.agent_hi', true), '')::bigint `
      + `OR policyholder_id = nullif(current_setting('app.policyholder_id', true), '')::uuid)`;
    await inOwnerTransaction(deps.db, (tx) => tx.raw(`ALTER POLICY policyholders_select ON "${tenant.schema_name}".policyholders USING (${or})`));
    const { 'policyholder user': _holder, ...agents } = callers;
    await measure(deps, agents as Record<Caller, AccessClaims>, 'For comparison: range OR policyholder_id (the first design)');
  }
} finally {
  await deps.db.close();
}
