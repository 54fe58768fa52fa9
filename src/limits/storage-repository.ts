import type { Tx } from '../db/scope.js';

export interface NewStoredFile {
  readonly purpose: string;
  readonly file_name: string;
  readonly content_type: string;
  readonly byte_size: number;
  readonly created_by?: string | null;
}

/** Serialises storage reservations of one tenant until the transaction ends, so two uploads cannot both squeeze in. */
export async function lockTenantStorage(tx: Tx): Promise<void> {
  await tx.raw("SELECT pg_advisory_xact_lock(hashtextextended('storage:' || current_setting('app.tenant_id'), 0))");
}

/** Bytes of the tenant's files that are not deleted. */
export async function storedBytes(tx: Tx): Promise<number> {
  const row = await tx('stored_files').whereNull('deleted_at').sum({ bytes: 'byte_size' }).first();
  return Number(row?.bytes ?? 0);
}

export async function insertStoredFile(tx: Tx, file: NewStoredFile): Promise<string> {
  const [row] = await tx('stored_files').insert({ ...file, created_by: file.created_by ?? null }).returning('file_id');
  return row.file_id as string;
}

export async function markStoredFileDeleted(tx: Tx, fileId: string): Promise<void> {
  await tx('stored_files').where({ file_id: fileId }).whereNull('deleted_at').update({ deleted_at: tx.fn.now() });
}
