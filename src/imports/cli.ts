import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { ImportKind } from '../../schemas/imports.js';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/database.js';
import { createDeps } from '../deps.js';
import { createLogger } from '../logger.js';
import { importFromFile } from './cli-run.js';

// `npm run import -- FILE --tenant LIC --agent CODE [--kind customers|policies] [--dry-run]`: imports a CSV or XLSX
// into the book of agent CODE with a progress bar, as POST /imports does. Exit 1 when any row was rejected.
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { tenant: { type: 'string' }, agent: { type: 'string' }, kind: { type: 'string' }, 'dry-run': { type: 'boolean', default: false } },
});
const kind = values.kind === undefined ? undefined : ImportKind.safeParse(values.kind);
if (positionals.length !== 1 || !values.tenant || !values.agent || kind?.success === false) {
  console.error('usage: npm run import -- FILE --tenant CODE --agent AGENT_CODE [--kind customers|policies] [--dry-run]');
  process.exit(2);
}
const config = loadConfig();
const log = createLogger(config);
const db = await openDatabase(config, (line) => log.info(line));
const bar = new cliProgress.SingleBar({ format: 'importing [{bar}] {percentage}% | {value}/{total} rows | {eta_formatted} left' },
  cliProgress.Presets.shades_classic);
try {
  const deps = createDeps(config, db, log);
  const tenant = await deps.tenants.byCode(values.tenant.toUpperCase());
  if (!tenant) throw new Error(`no tenant ${values.tenant.toUpperCase()}`);
  const started = performance.now();
  const done = await importFromFile(deps, tenant, { file: positionals[0] as string, agentCode: values.agent, kind: kind?.data, dryRun: values['dry-run'] }, {
    staged: (record) => {
      console.log(`${record.total_rows} rows read: ${record.valid_rows} valid, ${record.invalid_rows} rejected (import ${record.import_id})`);
      if (!record.dry_run) bar.start(record.valid_rows, 0);
    },
    batch: (record) => bar.update(record.processed_rows),
  });
  bar.stop();
  const seconds = (performance.now() - started) / 1000;
  console.log(done.dry_run ? 'dry run: nothing written'
    : `${done.created_rows} created, ${done.updated_rows} updated, ${done.skipped_rows} skipped, ${done.invalid_rows} rejected in ${seconds.toFixed(1)} s`);
  if (done.invalid_rows) console.log(`rejected rows with their reasons: GET /api/v1/imports/${done.import_id}`);
  process.exitCode = done.invalid_rows ? 1 : 0;
} catch (error) {
  bar.stop();
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
} finally {
  await db.close();
}
