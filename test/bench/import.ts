import { writeFile, mkdir } from 'node:fs/promises';
import { boot } from '../../src/boot.js';
import { inOwnerTransaction } from '../../src/db/privileged.js';
import { enterTenant } from '../../src/db/scope.js';
import { insertAgentRow } from '../../src/agents/repository.js';
import { importFromFile } from '../../src/imports/cli-run.js';
import { createLogger } from '../../src/logger.js';
import { onboardTenant } from '../../src/tenants/onboarding.js';
import type { TenantRecord } from '../../src/tenants/repository.js';
import { benchConfig } from './bench-config.js';
import { traceStatements } from './statement-trace.js';

// `npm run bench:import`: 100,000 customers from one CSV into one agent's book, through the same code as
// `npm run import` (staging, then the batches as the system actor), on a throwaway embedded PostgreSQL. Prints the
// time to read and stage the file, the time to write it, and the same file again (a re-run: all skipped).
// BENCH_TRACE=1 adds the time spent in each kind of statement (knex query events).

const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);
const config = benchConfig('.data/bench-import');
const deps = await boot(config, createLogger(config), 'throwaway');
const trace = traceStatements(deps.db.app);
try {
  const code = `IMP${Date.now() % 100000}`;
  const created = await onboardTenant(deps, { tenant_code: code, tenant_name: 'Import bench', tenant_type: 'insurance_provider',
    admin: { email: 'admin@import.bench', password: 'Bench#Password2026', first_name: 'Bench', last_name: 'Admin' } } as never);
  const tenant = await deps.tenants.byId(created.tenant_id) as TenantRecord;
  await inOwnerTransaction(deps.db, async (tx) => {
    await enterTenant(tx, tenant, 'bench');
    await insertAgentRow(tx, { agent_code: 'BENCH-1', parent_agent_id: null });
  });
  const header = 'customer_id,first_name,last_name,email,phone_number,date_of_birth,gender,annual_income,address_line1,city,pincode';
  const lines = Array.from({ length: ROWS }, (_, i) =>
    `C-${i + 1},Asha${i % 97},Verma,asha.${i + 1}@example.in,+91${7000000000 + i},1985-03-${String(1 + (i % 28)).padStart(2, '0')},female,${500000 + i}.50,${i} MG Road,Pune,411001`);
  await mkdir('.data', { recursive: true });
  const file = '.data/bench-import.csv';
  await writeFile(file, `${[header, ...lines].join('\n')}\n`);
  for (const run of ['first run', 're-run (same file)']) {
    let stagedAt = 0;
    const started = performance.now();
    const done = await importFromFile(deps, tenant, { file, agentCode: 'BENCH-1', dryRun: false }, {
      staged: () => { stagedAt = performance.now(); },
      batch: () => undefined,
    });
    const ended = performance.now();
    const total = (ended - started) / 1000;
    console.log(`${run}: ${ROWS} rows in ${total.toFixed(1)} s (${Math.round(ROWS / total)} rows/s): read+check+stage `
      + `${((stagedAt - started) / 1000).toFixed(1)} s, write ${((ended - stagedAt) / 1000).toFixed(1)} s; `
      + `created ${done.created_rows}, updated ${done.updated_rows}, skipped ${done.skipped_rows}, rejected ${done.invalid_rows}`);
    trace?.report();
  }
} finally {
  await deps.db.close();
}
