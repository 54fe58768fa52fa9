import type { Tx } from '../db/scope.js';
import { BusinessRuleError } from '../errors.js';
import type { TenantRecord } from '../tenants/repository.js';
import { insertStoredFile, lockTenantStorage, markStoredFileDeleted, storedBytes, type NewStoredFile } from './storage-repository.js';

const BYTES_PER_GB = 1024 ** 3;

/** The 422 an upload gets when it would take the tenant past storage_limit_gb (pure: used by reserveStorage and tests). */
export function assertWithinStorageLimit(usedBytes: number, incomingBytes: number, limitGb: number, path = 'file'): void {
  if (usedBytes + incomingBytes <= limitGb * BYTES_PER_GB) return;
  throw new BusinessRuleError(
    `This upload of ${formatBytes(incomingBytes)} would take the tenant past its storage limit of ${limitGb} GB `
      + `(${formatBytes(usedBytes)} in use).`,
    [{ path, message: `exceeds the tenant's storage_limit_gb of ${limitGb}` }],
    { code: 'tenant.storage_limit' });
}

/**
 * For upload routes (claim documents, imports), in the request's transaction before the file is kept: checks
 * the tenant's storage limit and records the file's size, so the next check counts it. Rolled back with the
 * request, the reservation goes too.
 */
export async function reserveStorage(tx: Tx, tenant: Pick<TenantRecord, 'storage_limit_gb'>, file: NewStoredFile): Promise<string> {
  await lockTenantStorage(tx);
  assertWithinStorageLimit(await storedBytes(tx), file.byte_size, tenant.storage_limit_gb);
  return insertStoredFile(tx, file);
}

/** A deleted upload stops counting against storage_limit_gb (its stored_files row is kept, marked deleted). */
export function releaseStorage(tx: Tx, fileId: string): Promise<void> {
  return markStoredFileDeleted(tx, fileId);
}

/** The tenant's storage in use, in bytes (files not deleted). */
export function storageUsedBytes(tx: Tx): Promise<number> {
  return storedBytes(tx);
}

function formatBytes(bytes: number): string {
  if (bytes >= BYTES_PER_GB) return `${(bytes / BYTES_PER_GB).toFixed(2)} GB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${bytes} bytes`;
}
