import { z } from 'zod';
import { IdParams, Timestamp, Uuid } from './common.js';

// Bulk import of an agent's book: a CSV or XLSX file of customers (policyholders) or policies.

export const ImportKind = z.enum(['customers', 'policies']);
export type ImportKind = z.infer<typeof ImportKind>;

/** The form fields besides `file` (multipart/form-data). */
export const ImportForm = z.object({
  kind: ImportKind.optional().describe('customers or policies; by default read from the header (policy columns: policies)'),
  agent_id: Uuid.optional().describe('The book the rows go into: an agent you can see; by default your own'),
}).strict();
export type ImportForm = z.infer<typeof ImportForm>;

export const ImportQuery = z.object({
  dry_run: z.enum(['true', 'false']).optional().transform((value) => value === 'true')
    .describe('true: validate and report what would happen; nothing is written to the book'),
}).strict();

export const RowError = z.object({ column: z.string(), message: z.string() });
export type RowError = z.infer<typeof RowError>;

export const RejectedRow = z.object({
  line_number: z.number().int().describe('The line in the file (the header is line 1)'),
  errors: z.array(RowError),
});

export const ImportCounts = z.object({
  total_rows: z.number().int(),
  valid_rows: z.number().int(),
  invalid_rows: z.number().int(),
  processed_rows: z.number().int(),
  created_rows: z.number().int(),
  updated_rows: z.number().int(),
  skipped_rows: z.number().int(),
});

export const ImportCreated = z.object({ import_id: Uuid });

export const DryRunReport = z.object({
  import_id: Uuid,
  dry_run: z.literal(true),
  kind: ImportKind,
  total_rows: z.number().int(),
  valid_rows: z.number().int(),
  invalid_rows: z.number().int(),
  would_create: z.number().int(),
  would_update: z.number().int(),
  rejected_rows: z.array(RejectedRow),
  rejected_rows_truncated: z.boolean().describe('More rejected rows than listed; GET /imports/{import_id} pages through all'),
});

export const ImportStatus = z.enum(['validated', 'queued', 'running', 'completed', 'failed']);

export const DataImport = ImportCounts.extend({
  import_id: Uuid,
  agent_id: Uuid,
  kind: ImportKind,
  file_name: z.string(),
  file_format: z.enum(['csv', 'xlsx']),
  dry_run: z.boolean(),
  status: ImportStatus.describe('validated: a dry run; queued, running, then completed or failed'),
  progress_percent: z.number().int().min(0).max(100),
  last_error: z.string().nullable(),
  created_by: Uuid.nullable(),
  created_at: Timestamp,
  started_at: Timestamp.nullable(),
  finished_at: Timestamp.nullable(),
  rejected_rows: z.array(RejectedRow).describe('Rejected rows in line order, a page at a time'),
  rejected_rows_next_cursor: z.string().nullable().describe('Pass as ?rejected_after= for the next page'),
});

export const ImportParams = IdParams('import_id');
export const ImportDetailQuery = z.object({
  rejected_after: z.string().regex(/^[0-9]{1,7}$/, 'must be a line number').transform(Number).optional(),
  rejected_limit: z.string().regex(/^[0-9]{1,4}$/, 'must be a whole number').transform(Number)
    .pipe(z.number().int().min(1).max(1000)).default(100),
}).strict();
export type ImportDetailQuery = z.infer<typeof ImportDetailQuery>;
