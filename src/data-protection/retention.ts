import type { RetentionClass, RetentionPurgeReport } from '../../schemas/data-protection.js';
import type { Tx } from '../db/scope.js';
import { ERASED_VALUES } from './erasure.js';

// Retention: how long each class of data is kept, per tenant (retention_periods overrides the defaults below),
// and the purge that applies it. The purge is idempotent: it only touches rows past their period that still hold
// what the period ends (a second run finds nothing), and reports what it removed or emptied, per class.

interface RetentionRule { readonly days: number; readonly description: string }

export const RETENTION_DEFAULTS: Readonly<Record<RetentionClass, RetentionRule>> = {
  closed_claims: { days: 3650, description: 'Decided claims: the request, trail and documents are emptied (the financial record stays)' },
  ended_sessions: { days: 90, description: 'Sessions and their refresh tokens, counted from revocation or expiry' },
  audit_log: { days: 3650, description: 'The change audit trail (never less than 90 days)' },
  read_audit: { days: 1095, description: 'The read audit of personal data (never less than 90 days)' },
  import_staging: { days: 30, description: 'Staged lines of finished imports (raw cells of the uploaded file)' },
};

export async function retentionPeriods(tx: Tx): Promise<Record<RetentionClass, { days: number; source: 'default' | 'tenant' }>> {
  const rows = await tx('retention_periods').select<{ data_class: RetentionClass; days: number }[]>('data_class', 'days');
  const set = new Map(rows.map((row) => [row.data_class, row.days]));
  return Object.fromEntries(Object.keys(RETENTION_DEFAULTS).map((dataClass) => {
    const days = set.get(dataClass as RetentionClass);
    return [dataClass, days === undefined ? { days: RETENTION_DEFAULTS[dataClass as RetentionClass].days, source: 'default' } : { days, source: 'tenant' }];
  })) as Record<RetentionClass, { days: number; source: 'default' | 'tenant' }>;
}

export async function setRetentionPeriod(tx: Tx, dataClass: RetentionClass, days: number): Promise<void> {
  // now() in VALUES, not in DO UPDATE SET: Citus takes only immutable functions there.
  await tx.raw(`INSERT INTO retention_periods (data_class, days, updated_at) VALUES (?, ?, now())
    ON CONFLICT (data_class) DO UPDATE SET days = EXCLUDED.days, updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at`,
  [dataClass, days]);
}

const CLAIM_DETAIL = Object.entries(ERASED_VALUES.claims ?? {}).map(([column, value]) => `${column} = ${value}`).join(', ');

/** Applies every period once; as of the database's now(). */
export async function purgeExpired(tx: Tx): Promise<RetentionPurgeReport> {
  const periods = await retentionPeriods(tx);
  const cutoff = (dataClass: RetentionClass) => tx.raw("now() - make_interval(days => ?)", [periods[dataClass].days]);
  const count = (result: { rowCount: number | null }) => result.rowCount ?? 0;
  const purged: Record<string, number> = {};
  purged.closed_claims = count(await tx.raw(`UPDATE claims SET ${CLAIM_DETAIL}, updated_at = now()
    WHERE status IN ('decided', 'reviewed') AND created_at < ? AND request <> '{}'::jsonb`, [cutoff('closed_claims')]));
  purged.ended_sessions = count(await tx.raw('DELETE FROM user_sessions WHERE revoked_at < ? OR expires_at < ?',
    [cutoff('ended_sessions'), cutoff('ended_sessions')]));
  // The trails are insert-only for the runtime role: the owner's functions delete, never younger than 90 days.
  purged.audit_log = Number((await tx.raw('SELECT purge_audit_log(least(?, now() - interval \'90 days\')) AS n',
    [cutoff('audit_log')])).rows[0].n);
  purged.read_audit = Number((await tx.raw('SELECT purge_personal_data_reads(least(?, now() - interval \'90 days\')) AS n',
    [cutoff('read_audit')])).rows[0].n);
  purged.import_staging = count(await tx.raw(`UPDATE import_rows r SET raw = '{}'::jsonb, "values" = NULL
    FROM data_imports i WHERE i.import_id = r.import_id AND i.status IN ('completed', 'failed') AND i.finished_at < ?
      AND r.raw <> '{}'::jsonb`, [cutoff('import_staging')]));
  return { ran_at: new Date().toISOString(), purged };
}
