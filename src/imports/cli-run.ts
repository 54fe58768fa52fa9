import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ImportKind } from '../../schemas/imports.js';
import type { AppDeps } from '../deps.js';
import { NotFoundError } from '../errors.js';
import { runAsSystem } from '../scope/run.js';
import type { TenantRecord } from '../tenants/repository.js';
import { runImport } from './job.js';
import type { ImportRecord } from './repository.js';
import { stageImport } from './service.js';

// An import from the command line (and the benchmark): the same staging and batches as POST /imports and its job,
// in the tenant's scope as the system actor, run here in the foreground instead of by a worker. The import is
// queued as well; a worker that picks it up after we finished finds it completed and does nothing.

export interface CliImport {
  readonly file: string;
  readonly agentCode: string;
  readonly kind?: ImportKind;
  readonly dryRun: boolean;
}

export interface CliProgress {
  staged(record: ImportRecord): void;
  batch(record: ImportRecord): void;
}

export async function importFromFile(deps: Pick<AppDeps, 'db' | 'log'>, tenant: TenantRecord, options: CliImport,
  progress: CliProgress): Promise<ImportRecord> {
  const content = await readFile(options.file);
  const inTenant = <T>(work: Parameters<typeof runAsSystem<T>>[3]) => runAsSystem(deps, tenant, 'import', work);
  const staged = await inTenant(async ({ tx, actor }) => {
    const agent = await tx('agents').first('agent_id').where({ agent_code: options.agentCode });
    if (!agent) throw new NotFoundError(`No agent ${options.agentCode} in ${tenant.tenant_code}.`, { code: 'agent.not_found' });
    return stageImport(tx, actor, {
      fileName: path.basename(options.file), contentType: '', content, kind: options.kind, agentId: agent.agent_id, dryRun: options.dryRun,
    });
  });
  progress.staged(staged.record);
  if (options.dryRun) return staged.record;
  return await runImport(inTenant, staged.record.import_id, { onBatch: progress.batch }) ?? staged.record;
}
