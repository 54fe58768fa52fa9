import type { ConsentBody, ConsentNoticeBody, ConsentPurpose, ConsentRecord } from '../../schemas/data-protection.js';
import type { Tx } from '../db/scope.js';
import { BusinessRuleError } from '../errors.js';

// Consent (DPDP s.6): notices per purpose with versions, and each policyholder's decisions per purpose (given or
// withdrawn, when, through which channel, against which notice), one row per decision, never changed. The
// latest decision is the consent in force. Processing that needs a consent asks hasConsent / consentedAmong;
// policyholders.marketing_consent is kept as the derived value of the 'marketing' consent (the API field works
// as before: setting it records a decision through the 'agent' channel).

interface NoticeRow { notice_id: string; purpose: string; version: number; title: string; body: string; language: string;
  created_by: string | null; created_at: Date }

export function noticeView(row: NoticeRow) {
  return { ...row, created_at: row.created_at.toISOString() };
}

export async function publishNotice(tx: Tx, body: ConsentNoticeBody): Promise<NoticeRow> {
  // The next version of the purpose; the unique (purpose, version) key turns a concurrent publish into a conflict.
  const [row] = await tx.raw(`
    INSERT INTO consent_notices (purpose, version, title, body, language, created_by)
    SELECT :purpose, coalesce(max(version), 0) + 1, :title, :body, :language, nullif(current_setting('app.user_id', true), '')::uuid
      FROM consent_notices WHERE purpose = :purpose
    RETURNING notice_id, purpose, version, title, body, language, created_by, created_at`,
  { purpose: body.purpose, title: body.title, body: body.body, language: body.language ?? 'en' }).then((result) => result.rows as NoticeRow[]);
  return row as NoticeRow;
}

export async function listNotices(tx: Tx, purpose?: ConsentPurpose): Promise<NoticeRow[]> {
  const query = tx('consent_notices').select('notice_id', 'purpose', 'version', 'title', 'body', 'language', 'created_by', 'created_at')
    .orderBy([{ column: 'purpose' }, { column: 'version', order: 'desc' }]);
  if (purpose) query.where({ purpose });
  return query;
}

/** Records one decision (and keeps marketing_consent in step); the notice is the one named, or the purpose's latest. */
export async function recordConsent(tx: Tx, policyholderId: string, body: ConsentBody): Promise<void> {
  // The decision joins the person's book (its agent and number), as every book row does.
  const holder = await tx('policyholders').where({ policyholder_id: policyholderId })
    .first<{ policyholder_id: string; agent_id: string; agent_order: string }>('policyholder_id', 'agent_id', 'agent_order');
  if (!holder) throw new Error(`policyholder ${policyholderId} is not visible`);
  let noticeId: string | null = body.notice_id ?? null;
  if (noticeId) {
    const notice = await tx('consent_notices').where({ notice_id: noticeId, purpose: body.purpose }).first('notice_id');
    if (!notice) {
      throw new BusinessRuleError('No such notice for this purpose.', [{ path: 'body.notice_id', message: 'names no notice of this purpose' }],
        { code: 'data_protection.notice_not_found' });
    }
  } else {
    const latest = await tx('consent_notices').where({ purpose: body.purpose }).orderBy('version', 'desc').first('notice_id');
    noticeId = latest?.notice_id ?? null;
  }
  await tx('policyholder_consents').insert({ policyholder_id: holder.policyholder_id, agent_id: holder.agent_id, agent_order: holder.agent_order,
    purpose: body.purpose, status: body.status, channel: body.channel, notice_id: noticeId });
  if (body.purpose === 'marketing') {
    await tx('policyholders').where({ policyholder_id: holder.policyholder_id }).update({ marketing_consent: body.status === 'given' });
  }
}

export async function consentHistory(tx: Tx, policyholderId: string): Promise<ConsentRecord[]> {
  const rows = await tx('policyholder_consents as c').leftJoin('consent_notices as n', 'n.notice_id', 'c.notice_id')
    .where('c.policyholder_id', policyholderId)
    .orderBy([{ column: 'c.recorded_at', order: 'desc' }, { column: 'c.consent_id', order: 'desc' }])
    .select('c.consent_id', 'c.policyholder_id', 'c.purpose', 'c.status', 'c.channel', 'c.notice_id', 'n.version as notice_version',
      'c.recorded_by', 'c.recorded_at');
  return rows.map((row: ConsentRecord & { recorded_at: Date }) => ({ ...row, recorded_at: row.recorded_at.toISOString() }));
}

export function currentConsents(history: readonly ConsentRecord[]): Record<string, 'given' | 'withdrawn'> {
  const current: Record<string, 'given' | 'withdrawn'> = {};
  for (const record of history) current[record.purpose] ??= record.status;
  return current;
}

/** Of these policyholders, the ones whose latest decision for the purpose is `status` (one query for a whole batch). */
async function latestAmong(tx: Tx, purpose: ConsentPurpose, policyholderIds: readonly string[], status: 'given' | 'withdrawn'): Promise<Set<string>> {
  if (policyholderIds.length === 0) return new Set();
  const { rows } = await tx.raw(`
    SELECT DISTINCT ON (policyholder_id) policyholder_id, status FROM policyholder_consents
     WHERE purpose = :purpose AND policyholder_id = ANY(:ids::uuid[])
     ORDER BY policyholder_id, recorded_at DESC, consent_id DESC`, { purpose, ids: [...policyholderIds] });
  return new Set((rows as { policyholder_id: string; status: string }[]).filter((row) => row.status === status).map((row) => row.policyholder_id));
}

/** Opt-in processing (marketing): only those who gave the consent. */
export function consentedAmong(tx: Tx, purpose: ConsentPurpose, policyholderIds: readonly string[]): Promise<Set<string>> {
  return latestAmong(tx, purpose, policyholderIds, 'given');
}

/** Processing a person may object to (analytics): everyone but those who withdrew. */
export function withdrawnAmong(tx: Tx, purpose: ConsentPurpose, policyholderIds: readonly string[]): Promise<Set<string>> {
  return latestAmong(tx, purpose, policyholderIds, 'withdrawn');
}

export async function hasConsent(tx: Tx, purpose: ConsentPurpose, policyholderId: string): Promise<boolean> {
  return (await consentedAmong(tx, purpose, [policyholderId])).has(policyholderId);
}
