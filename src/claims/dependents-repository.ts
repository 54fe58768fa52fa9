import { paginate, type Page } from '../db/pagination.js';
import type { Tx } from '../db/scope.js';

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

const COLUMNS = ['dependent_id', 'policyholder_id', 'full_name', 'relationship', 'date_of_birth', 'gender', 'pre_existing_conditions',
  'covered_from', 'status', 'created_at'];

export async function insertDependent(tx: Tx, values: Record<string, unknown>): Promise<DependentRow> {
  const [row] = await tx('dependents').insert(values).returning(COLUMNS);
  return row as DependentRow;
}

export async function findDependent(tx: Tx, policyholderId: string, dependentId: string): Promise<DependentRow | undefined> {
  return tx('dependents').first(COLUMNS).where({ policyholder_id: policyholderId, dependent_id: dependentId });
}

export async function dependentsOf(tx: Tx, policyholderId: string): Promise<DependentRow[]> {
  return tx('dependents').select(COLUMNS).where({ policyholder_id: policyholderId }).orderBy(['created_at', 'dependent_id']);
}

export function listDependents(tx: Tx, policyholderId: string, page: { limit: number; cursor?: string | undefined }): Promise<Page<DependentRow>> {
  return paginate<DependentRow>(tx('dependents').select(COLUMNS).where({ policyholder_id: policyholderId }), 'dependent_id', page);
}
