import crypto from 'node:crypto';
import type { Tx } from '../../db/scope.js';
import { dataKeyring, keysForSealedRows } from './keyring.js';
import { openValue, placeOf, sealValue } from './sealed-values.js';

// A dependent's pre-existing conditions (health data), sealed with the tenant's data key and bound to the dependent;
// rows written before keep them in the plaintext column until the re-encryption job seals them.

export const SEALED_DEPENDENT_COLUMNS = ['pre_existing_conditions_sealed', 'sealed_key_version'] as const;

export interface SealedDependentColumns {
  readonly dependent_id: string;
  readonly pre_existing_conditions?: unknown;
  readonly pre_existing_conditions_sealed?: string | null;
  readonly sealed_key_version?: number | null;
}

const place = (dependentId: string) => placeOf('dependents', 'pre_existing_conditions_sealed', dependentId);
const listOf = (value: unknown): unknown[] => (typeof value === 'string' ? JSON.parse(value) : value ?? []) as unknown[];

/** The columns to store: conditions sealed (none: nothing sealed, no key read), the dependent id chosen if absent. */
export async function sealDependentConditions(tx: Tx, createdBy: string | null, values: Record<string, unknown>): Promise<Record<string, unknown>> {
  const dependentId = typeof values.dependent_id === 'string' ? values.dependent_id : crypto.randomUUID();
  const conditions = listOf(values.pre_existing_conditions);
  if (conditions.length === 0) {
    return { ...values, dependent_id: dependentId, pre_existing_conditions: '[]', pre_existing_conditions_sealed: null, sealed_key_version: null };
  }
  const keys = await dataKeyring().keys(tx, createdBy);
  return { ...values, dependent_id: dependentId, pre_existing_conditions: '[]',
    pre_existing_conditions_sealed: sealValue(keys.current, place(dependentId), JSON.stringify(conditions)),
    sealed_key_version: keys.current.version };
}

/** Rows with their conditions opened into pre_existing_conditions; the sealed columns left out. */
export async function openDependentRows<T extends SealedDependentColumns>(tx: Tx, rows: readonly T[]): Promise<T[]> {
  const keys = await keysForSealedRows(tx, rows);
  return rows.map((row) => {
    const { pre_existing_conditions_sealed: sealed, sealed_key_version: _version, ...plain } = row;
    return (sealed ? { ...plain, pre_existing_conditions: JSON.parse(openValue(keys, place(row.dependent_id), sealed)) } : plain) as T;
  });
}

/** Re-seals dependents on an older version, and seals legacy plaintext conditions; the number of rows done. */
export async function resealDependents(tx: Tx, version: number, limit: number): Promise<number> {
  const columns = ['dependent_id', 'pre_existing_conditions', ...SEALED_DEPENDENT_COLUMNS];
  const older: SealedDependentColumns[] = await tx('dependents').select(columns).where('sealed_key_version', '<', version)
    .orderBy(['sealed_key_version', 'dependent_id']).limit(limit).forUpdate();
  const legacy: SealedDependentColumns[] = older.length >= limit ? [] : await tx('dependents').select(columns).whereNull('sealed_key_version')
    .whereRaw("pre_existing_conditions <> '[]'::jsonb").orderBy('dependent_id').limit(limit - older.length).forUpdate();
  const rows = await openDependentRows(tx, [...older, ...legacy]);
  for (const row of rows) {
    const { dependent_id: id, ...sealed } = await sealDependentConditions(tx, null, { dependent_id: row.dependent_id,
      pre_existing_conditions: row.pre_existing_conditions });
    await tx('dependents').where({ dependent_id: id }).update(sealed);
  }
  return rows.length;
}
