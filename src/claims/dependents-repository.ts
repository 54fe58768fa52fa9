import { paginate, type Page } from '../db/pagination.js';
import type { Tx } from '../db/scope.js';
import { openDependentRows, SEALED_DEPENDENT_COLUMNS, sealDependentConditions } from '../data-protection/encryption/dependent-fields.js';

export interface DependentRow {
  readonly dependent_id: string;
  readonly policyholder_id: string;
  readonly full_name: string;
  readonly relationship: 'spouse' | 'child' | 'parent' | 'other';
  readonly date_of_birth: string;
  readonly gender: 'male' | 'female' | 'other' | null;
  readonly pre_existing_conditions: string[];
  readonly covered_from: string | null;
  readonly status: 'active' | 'removed';
  readonly created_at: Date;
}

/** A dependent's columns as read; also read in a claim's batch (readClaimInputs). */
export const DEPENDENT_COLUMNS = ['dependent_id', 'policyholder_id', 'full_name', 'relationship', 'date_of_birth', 'gender', 'pre_existing_conditions',
  'covered_from', 'status', 'created_at', ...SEALED_DEPENDENT_COLUMNS];
// Conditions are health data: sealed when written, opened when read (src/data-protection/encryption/dependent-fields.ts).

export async function insertDependent(tx: Tx, values: Record<string, unknown>): Promise<DependentRow> {
  const sealed = await sealDependentConditions(tx, (values.created_by as string | null | undefined) ?? null, values);
  const [row] = await tx('dependents').insert(sealed).returning(DEPENDENT_COLUMNS);
  return (await openDependentRows(tx, [row as DependentRow]))[0] as DependentRow;
}

export async function findDependent(tx: Tx, policyholderId: string, dependentId: string): Promise<DependentRow | undefined> {
  const row: DependentRow | undefined = await tx('dependents').first(DEPENDENT_COLUMNS).where({ policyholder_id: policyholderId, dependent_id: dependentId });
  return row && (await openDependentRows(tx, [row]))[0];
}

export async function dependentsOf(tx: Tx, policyholderId: string): Promise<DependentRow[]> {
  return openDependentRows(tx, await tx('dependents').select(DEPENDENT_COLUMNS).where({ policyholder_id: policyholderId }).orderBy(['created_at', 'dependent_id']));
}

export async function listDependents(tx: Tx, policyholderId: string, page: { limit: number; cursor?: string | undefined }): Promise<Page<DependentRow>> {
  const found = await paginate<DependentRow>(tx('dependents').select(DEPENDENT_COLUMNS).where({ policyholder_id: policyholderId }), 'dependent_id', page);
  return { ...found, data: await openDependentRows(tx, found.data) };
}
