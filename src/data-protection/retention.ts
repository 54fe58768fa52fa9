import type { RetentionClass, RetentionPurgeReport } from '../../schemas/data-protection.js';
import type { Tx } from '../db/scope.js';
import { ERASED_VALUES } from './erasure.js';

// Retention: how long each class of data is kept, per tenant (retention_periods overrides the defaults below),
// and the purge that applies it. The purge is idempotent: it only touches rows past their period that still hold
// what the period ends (a second run finds nothing), and reports what it removed or emptied, per class.

interface RetentionRule { readonly days: number; readonly description: string }

export const RETENTION_DEFAULTS: Readonly<Record<RetentionClass, RetentionRule>> = {
  closed_claims: { days: 3650, description: 'Decided claims: the request, trail and what was read off their documents are emptied (the financial record and the files stay)' },
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

/** A transaction of the tenant, opened by the caller (a job's inTenant, or runAsSystem for the endpoint). */
export type InTenant = <T>(work: (tx: Tx) => Promise<T>) => Promise<T>;

const cutoffOf = (tx: Tx, periods: Awaited<ReturnType<typeof retentionPeriods>>, dataClass: RetentionClass) =>
  tx.raw('now() - make_interval(days => ?)', [periods[dataClass].days]);

/** What the runtime role purges itself: closed claims' detail, ended sessions, finished imports' staged cells. */
async function purgeRows(tx: Tx): Promise<Record<string, number>> {
  const periods = await retentionPeriods(tx);
  const cutoff = (dataClass: RetentionClass) => cutoffOf(tx, periods, dataClass);
  const count = (result: { rowCount: number | null }) => result.rowCount ?? 0;
  // A closed claim's documents keep their files and metadata (the decision's evidence) but not what was read off them.
  await tx.raw(`UPDATE claim_documents d SET extracted_data = NULL, extracted_data_sealed = NULL, sealed_key_version = NULL
    FROM claims c WHERE c.claim_id = d.claim_id AND c.status IN ('decided', 'reviewed') AND c.created_at < ?
      AND (d.extracted_data IS NOT NULL OR d.extracted_data_sealed IS NOT NULL)`, [cutoff('closed_claims')]);
  return {
    closed_claims: count(await tx.raw(`UPDATE claims SET ${CLAIM_DETAIL}, updated_at = now()
      WHERE status IN ('decided', 'reviewed') AND created_at < ? AND (request <> '{}'::jsonb OR request_sealed IS NOT NULL)`, [cutoff('closed_claims')])),
    ended_sessions: count(await tx.raw('DELETE FROM user_sessions WHERE revoked_at < ? OR expires_at < ?',
      [cutoff('ended_sessions'), cutoff('ended_sessions')])),
    import_staging: count(await tx.raw(`UPDATE import_rows r SET raw = '{}'::jsonb, "values" = NULL
      FROM data_imports i WHERE i.import_id = r.import_id AND i.status IN ('completed', 'failed') AND i.finished_at < ?
        AND (r.raw <> '{}'::jsonb OR r."values" IS NOT NULL)`, [cutoff('import_staging')])),
  };
}

/** One trail, by the owner's function (the trails are insert-only for the runtime role), never younger than 90 days. */
async function purgeTrail(tx: Tx, dataClass: 'audit_log' | 'read_audit'): Promise<number> {
  const fn = dataClass === 'audit_log' ? 'purge_audit_log' : 'purge_personal_data_reads';
  const cutoff = cutoffOf(tx, await retentionPeriods(tx), dataClass);
  return Number((await tx.raw(`SELECT ${fn}(least(?, now() - interval '90 days')) AS n`, [cutoff])).rows[0].n);
}

/**
 * Applies every period once, as of the database's now(): the rows, then each trail, each in a transaction of its
 * own (on Citus a change by the owner's function and one by the runtime role cannot share a transaction).
 */
export async function purgeExpired(inTenant: InTenant): Promise<RetentionPurgeReport> {
  const rows = await inTenant(purgeRows);
  const auditLog = await inTenant((tx) => purgeTrail(tx, 'audit_log'));
  const readAudit = await inTenant((tx) => purgeTrail(tx, 'read_audit'));
  const purged = { closed_claims: rows.closed_claims ?? 0, ended_sessions: rows.ended_sessions ?? 0, audit_log: auditLog,
    read_audit: readAudit, import_staging: rows.import_staging ?? 0 };
  return { ran_at: new Date().toISOString(), purged };
}
