import type { Tx } from '../../db/scope.js';

export type KeyPurpose = 'seal' | 'index';

export interface DataKeyRow {
  readonly tenant_id: string;
  readonly purpose: KeyPurpose;
  readonly key_version: number;
  readonly wrapped_key: string;
  readonly created_at: Date;
}

export async function dataKeyRows(tx: Tx): Promise<DataKeyRow[]> {
  return tx('data_keys').select('tenant_id', 'purpose', 'key_version', 'wrapped_key', 'created_at').orderBy(['purpose', 'key_version']);
}

export async function currentTenantId(tx: Tx): Promise<string> {
  const { rows } = await tx.raw("SELECT current_setting('app.tenant_id') AS tenant_id");
  return rows[0].tenant_id;
}

/** Adds a key version; false when that version exists already (another process created it first). */
export async function insertDataKey(tx: Tx, row: { purpose: KeyPurpose; key_version: number; wrapped_key: string; created_by: string | null }): Promise<boolean> {
  const inserted = await tx('data_keys').insert(row).onConflict(['purpose', 'key_version']).ignore().returning('key_version');
  return inserted.length > 0;
}

export interface RevealRow {
  readonly table_name: string;
  readonly record_id: string;
  readonly fields: string[];
  readonly purpose: string;
  readonly actor_user_id: string | null;
}

export async function insertReveal(tx: Tx, row: RevealRow): Promise<void> {
  await tx('sensitive_field_reveals').insert(row);
}
