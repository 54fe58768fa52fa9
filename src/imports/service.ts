import type { z } from 'zod';
import type { DataImport, DryRunReport, ImportDetailQuery, ImportKind } from '../../schemas/imports.js';
import { resolveAgentForWrite } from '../agents/book-owner.js';
import { authorize } from '../auth/ability.js';
import type { Actor } from '../auth/actor.js';
import type { Tx } from '../db/scope.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { enqueueInTransaction } from '../jobs/outbox.js';
import { reserveStorage } from '../limits/storage.js';
import { detectFormat, readDataLines } from './file.js';
import {
  findImport, insertImport, NO_SUCH_CUSTOMER, refuseLinesWithoutCustomer, rejectedLines, remainingValidLines, updateImport,
  type ImportRecord,
} from './repository.js';
import { inferKind, IMPORT_COLUMNS, MATCH_KEY } from './rows.js';
import { checkAndStage, type StagedLines } from './staging.js';

// Bulk import: the file is read, every line checked with the policyholder / policy API's own schema and staged
// in the tenant's schema. A dry run stops there and reports; a real run queues the import job (through the
// outbox, in the same transaction) which writes the valid lines in batches.

export const IMPORT_QUEUE = 'imports.run';
const DRY_RUN_REPORTED = 100;

export interface ImportUpload {
  readonly fileName: string;
  readonly contentType: string;
  readonly content: Buffer;
  readonly kind?: ImportKind;
  readonly agentId?: string;
  readonly dryRun: boolean;
}

const SUBJECT = { customers: 'Policyholder', policies: 'Policy' } as const;

function assertColumns(kind: ImportKind, headers: readonly string[]): void {
  const key = MATCH_KEY[kind];
  const known = new Set(IMPORT_COLUMNS[kind]);
  const unknown = headers.filter((header) => header && !known.has(header));
  const errors = [
    ...(headers.includes(key) ? [] : [{ path: 'body.file', message: `has no ${key} column (a re-run matches on it)` }]),
    ...unknown.slice(0, 20).map((header) => ({ path: 'body.file', message: `has an unknown column ${header}` })),
  ];
  if (errors.length) throw new ValidationError(errors, 'The file\'s columns do not fit the import.', { code: 'import.bad_columns' });
}

export async function stageImport(tx: Tx, actor: Actor, upload: ImportUpload): Promise<{ record: ImportRecord; report?: z.infer<typeof DryRunReport> }> {
  const format = detectFormat(upload.fileName, upload.contentType, upload.content);
  const lines = await readDataLines(format, upload.content);
  // Every line has a cell (maybe '') for each named column of the header, in CSV and XLSX alike.
  const headers = Object.keys(lines[0]?.cells ?? {});
  const kind = upload.kind ?? inferKind(headers);
  authorize(actor.ability, 'create', SUBJECT[kind]);
  const owner = await resolveAgentForWrite(tx, actor, upload.agentId);
  assertColumns(kind, headers);
  const fileId = upload.dryRun ? null : await reserveStorage(tx, actor.tenant as NonNullable<Actor['tenant']>, {
    purpose: 'import', file_name: upload.fileName, content_type: upload.contentType || 'application/octet-stream',
    byte_size: upload.content.length, created_by: actor.user_id,
  });
  // The counts are set once every line is checked and staged (in this transaction: nobody sees the zeros).
  const importId = await insertImport(tx, {
    agent_id: owner.agent_id, agent_order: owner.pre_order, kind, file_name: upload.fileName, file_format: format, file_id: fileId,
    dry_run: upload.dryRun, status: upload.dryRun ? 'validated' : 'queued', total_rows: lines.length,
    valid_rows: 0, invalid_rows: 0, created_by: actor.user_id,
  });
  const staged = await checkAndStage(tx, kind, { importId, agentOrder: owner.pre_order }, lines, DRY_RUN_REPORTED + 1);
  if (upload.dryRun && kind === 'policies') await refuseWithoutCustomer(tx, importId, owner.agent_id, staged);
  await updateImport(tx, importId, { valid_rows: staged.valid, invalid_rows: staged.invalid });
  if (!upload.dryRun) await enqueueInTransaction(tx, IMPORT_QUEUE, { import_id: importId }, { userId: actor.user_id, singletonKey: importId });
  const record = await findImport(tx, importId) as ImportRecord;
  if (!upload.dryRun) return { record };
  const existing = await existingKeys(tx, kind, owner.agent_id, staged.validKeys);
  return {
    record,
    report: {
      import_id: importId, dry_run: true, kind, total_rows: lines.length, valid_rows: staged.valid, invalid_rows: staged.invalid,
      would_create: staged.valid - existing, would_update: existing,
      rejected_rows: staged.rejected.slice(0, DRY_RUN_REPORTED).map((line) => ({ line_number: line.line, errors: line.errors ?? [] })),
      rejected_rows_truncated: staged.invalid > DRY_RUN_REPORTED,
    },
  };
}

/** A dry run counts as rejected the policy lines the write would refuse for want of their customer in the book. */
async function refuseWithoutCustomer(tx: Tx, importId: string, agentId: string, staged: StagedLines): Promise<void> {
  const refused = await refuseLinesWithoutCustomer(tx, importId, agentId);
  if (!refused.length) return;
  const numbers = new Set(refused.map((line) => line.policy_number));
  staged.valid -= refused.length;
  staged.invalid += refused.length;
  staged.validKeys = staged.validKeys.filter((key) => !numbers.has(key));
  staged.rejected = [...staged.rejected, ...refused.map((line) => ({ line: line.line_number, raw: {}, values: null, errors: [NO_SUCH_CUSTOMER] }))]
    .sort((a, b) => a.line - b.line).slice(0, DRY_RUN_REPORTED + 1);
}

/** How many match keys already exist in the book (customers: updated or left as they are; policies: skipped). */
async function existingKeys(tx: Tx, kind: ImportKind, agentId: string, keys: string[]): Promise<number> {
  const table = kind === 'customers' ? 'policyholders' : 'policies';
  const row = await tx(table).count({ n: '*' }).whereIn(MATCH_KEY[kind], keys).where({ agent_id: agentId }).first();
  return Number(row?.n ?? 0);
}

export async function getImport(tx: Tx, actor: Actor, importId: string, query: ImportDetailQuery): Promise<z.infer<typeof DataImport>> {
  const record = await findImport(tx, importId);
  if (!record) throw new NotFoundError('No such import.', { code: 'import.not_found' });
  authorize(actor.ability, 'read', SUBJECT[record.kind]);
  const remaining = record.dry_run ? 0 : await remainingValidLines(tx, record);
  const rejected = await rejectedLines(tx, importId, query.rejected_after ?? 0, query.rejected_limit + 1);
  const page = rejected.slice(0, query.rejected_limit);
  return {
    import_id: record.import_id, agent_id: record.agent_id, kind: record.kind, file_name: record.file_name,
    file_format: record.file_format, dry_run: record.dry_run, status: record.status,
    total_rows: record.total_rows, valid_rows: record.valid_rows, invalid_rows: record.invalid_rows,
    processed_rows: record.processed_rows, created_rows: record.created_rows, updated_rows: record.updated_rows,
    skipped_rows: record.skipped_rows,
    progress_percent: record.total_rows === 0 ? 100 : Math.floor((100 * (record.total_rows - remaining)) / record.total_rows),
    last_error: record.last_error, created_by: record.created_by,
    created_at: record.created_at.toISOString(), started_at: record.started_at?.toISOString() ?? null,
    finished_at: record.finished_at?.toISOString() ?? null,
    rejected_rows: page.map((row) => ({ line_number: row.line_number, errors: row.errors })),
    rejected_rows_next_cursor: rejected.length > query.rejected_limit ? String(page[page.length - 1]?.line_number) : null,
  };
}
