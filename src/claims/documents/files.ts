import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';

// Where claim documents live: <DOCUMENTS_DIR>/<tenant uuid>/<document uuid>, names the server made up (never a
// client's path), and <DOCUMENTS_DIR>/.incoming for uploads still being received. Both on one file system, so
// keeping a file is a rename.

const KEY = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function incomingDir(root: string): string {
  return path.join(root, '.incoming');
}

export function storageKeyOf(tenantId: string, documentId: string): string {
  const key = `${tenantId}/${documentId}`.toLowerCase();
  if (!KEY.test(key)) throw new Error(`not a storage key: ${key}`);
  return key;
}

/** The file of a stored key; the key comes from the database, and is checked again so no path can escape the root. */
export function pathOfKey(root: string, key: string): string {
  if (!KEY.test(key)) throw new Error(`not a storage key: ${key}`);
  return path.join(root, ...key.split('/'));
}

export async function keepFile(from: string, root: string, key: string): Promise<string> {
  const to = pathOfKey(root, key);
  await mkdir(path.dirname(to), { recursive: true });
  await rename(from, to);
  return to;
}

export function removeFile(file: string): Promise<void> {
  return rm(file, { force: true });
}
