import type { Tx } from '../../db/scope.js';

export type KeyPurpose = 'seal' | 'index';

export interface DataKeyRow {
  readonly tenant_id: string;
  readonly purpose: KeyPurpose;
  readonly key_version: number;
  /** Null once the version is retired: its key is destroyed. */
  readonly wrapped_key: string | null;
  readonly created_at: Date;
  readonly retired_at: Date | null;
}

/** The tenant's key rows, oldest version first per purpose; also sent inside a caller's batch of reads (DataKeyring.adopt). */
export const DATA_KEY_ROWS_SQL = 'SELECT tenant_id, purpose, key_version, wrapped_key, created_at, retired_at FROM data_keys ORDER BY purpose, key_version';

export async function dataKeyRows(tx: Tx): Promise<DataKeyRow[]> {
  return (await tx.raw<{ rows: DataKeyRow[] }>(DATA_KEY_ROWS_SQL)).rows;
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

export type RetireOutcome = 'retired' | 'not_found' | 'current' | 'too_recent' | 'in_use';

/** Destroys a version's wrapped key, by the owner's function, which refuses unless nothing uses it (see the migration). */
export async function retireDataKey(tx: Tx, version: number, minAgeSeconds: number): Promise<RetireOutcome> {
  const { rows } = await tx.raw('SELECT retire_data_key(?::integer, make_interval(secs => ?)) AS outcome', [version, minAgeSeconds]);
  return rows[0].outcome;
}

export interface RevealRow {
  readonly table_name: string;
  readonly record_id: string;
  readonly fields: string[];
  readonly purpose: string;
  readonly actor_user_id: string | null;
  /** As the audit trail labels it: 'user', or 'system:<job>'. */
  readonly actor: string;
}

export async function insertReveal(tx: Tx, row: RevealRow): Promise<void> {
  await tx('sensitive_field_reveals').insert(row);
}

export async function sealedRowCounts(tx: Tx): Promise<{ version: number | null; rows: number; legacy: number }[]> {
  // Every table holding sealed values (policyholders, claims, dependents, claim documents, reviews): a version is in use while any row uses it.
  const { rows } = await tx.raw(`SELECT version, sum(rows)::int AS rows, sum(legacy)::int AS legacy FROM (
      SELECT sealed_key_version AS version, count(*) AS rows,
        count(*) FILTER (WHERE sealed_key_version IS NULL AND pre_existing_conditions <> '[]'::jsonb) AS legacy
      FROM policyholders GROUP BY sealed_key_version
      UNION ALL
      SELECT sealed_key_version, count(*), 0 FROM claims WHERE sealed_key_version IS NOT NULL GROUP BY sealed_key_version
      UNION ALL
      SELECT sealed_key_version, count(*) FILTER (WHERE sealed_key_version IS NOT NULL),
        count(*) FILTER (WHERE sealed_key_version IS NULL AND pre_existing_conditions <> '[]'::jsonb)
      FROM dependents GROUP BY sealed_key_version
      UNION ALL
      SELECT sealed_key_version, count(*) FILTER (WHERE sealed_key_version IS NOT NULL),
        count(*) FILTER (WHERE sealed_key_version IS NULL AND extracted_data IS NOT NULL)
      FROM claim_documents GROUP BY sealed_key_version
      UNION ALL
      SELECT sealed_key_version, count(*) FILTER (WHERE sealed_key_version IS NOT NULL),
        count(*) FILTER (WHERE sealed_key_version IS NULL AND review_notes IS NOT NULL)
      FROM manual_reviews GROUP BY sealed_key_version
    ) counts GROUP BY version`);
  return rows;
}

const RESEAL_COLUMNS = ['policyholder_id', 'pan_sealed', 'aadhaar_sealed', 'bank_account_sealed', 'pre_existing_conditions_sealed',
  'pre_existing_conditions', 'sealed_key_version'];

/**
 * The next rows to re-seal, locked: sealed with a version below `version`, or (legacy) never sealed but holding
 * plaintext conditions. FOR UPDATE waits for a request writing a row and then re-checks it, so a row sealed with
 * the old key by a request that started before the rotation is found by a later batch.
 */
export async function rowsToReseal<T>(tx: Tx, version: number, limit: number): Promise<T[]> {
  const older = await tx('policyholders').select(RESEAL_COLUMNS).where('sealed_key_version', '<', version)
    .orderBy(['sealed_key_version', 'policyholder_id']).limit(limit).forUpdate();
  if (older.length >= limit) return older;
  const legacy = await tx('policyholders').select(RESEAL_COLUMNS).whereNull('sealed_key_version')
    .whereRaw("pre_existing_conditions <> '[]'::jsonb").orderBy('policyholder_id').limit(limit - older.length).forUpdate();
  return [...older, ...legacy];
}

/** Writes re-sealed columns; updated_at/updated_by stay (the record's content did not change). */
export async function writeResealed(tx: Tx, policyholderId: string, columns: Record<string, unknown>): Promise<void> {
  await tx('policyholders').where({ policyholder_id: policyholderId }).update(columns);
}
