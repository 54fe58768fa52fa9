import type { PolicyTermsDocument } from '../../schemas/policy-terms.js';
import { paginate, type Page } from '../db/pagination.js';
import type { Tx } from '../db/scope.js';
import { toNumeric, toPaise } from '../money.js';

// policy_terms: one row per version; the current one has is_current. Rows are only ever added (and superseded).

export interface PolicyTermsRow {
  readonly version_id: string;
  readonly policy_terms_id: string;
  readonly version: number;
  readonly is_current: boolean;
  readonly terms: PolicyTermsDocument;
  readonly created_by: string | null;
  readonly created_at: Date;
}

const COLUMNS = ['version_id', 'policy_terms_id', 'version', 'is_current', 'terms', 'created_by', 'created_at'];

export async function findCurrentTerms(tx: Tx, code: string): Promise<PolicyTermsRow | undefined> {
  return tx('policy_terms').first(COLUMNS).where({ policy_terms_id: code, is_current: true });
}

/**
 * Serialises edits of `code` on its version 1, the one row of the code that is never superseded away: locking the
 * current row instead made a PUT that waited behind another find no row once it got the lock (the row it waited for
 * was no longer current) and answer 404. False when the code does not exist.
 */
export async function lockTermsCode(tx: Tx, code: string): Promise<boolean> {
  return Boolean(await tx('policy_terms').first('version_id').where({ policy_terms_id: code, version: 1 }).forUpdate());
}

/** Which version of `code` is current: its id and number only (the document is kept by version, see terms-cache.ts). */
export async function findCurrentVersionId(tx: Tx, code: string): Promise<Pick<PolicyTermsRow, 'version_id' | 'policy_terms_id' | 'version'> | undefined> {
  return tx('policy_terms').first('version_id', 'policy_terms_id', 'version').where({ policy_terms_id: code, is_current: true });
}

export async function findTermsVersion(tx: Tx, code: string, version: number): Promise<PolicyTermsRow | undefined> {
  return tx('policy_terms').first(COLUMNS).where({ policy_terms_id: code, version });
}

export async function findTermsByVersionId(tx: Tx, versionId: string): Promise<PolicyTermsRow | undefined> {
  return tx('policy_terms').first(COLUMNS).where({ version_id: versionId });
}

export function listCurrentTerms(tx: Tx, page: { limit: number; cursor?: string | undefined }): Promise<Page<PolicyTermsRow>> {
  return paginate<PolicyTermsRow>(tx('policy_terms').select(COLUMNS).where({ is_current: true }), 'version_id', page);
}

export async function termsCodeExists(tx: Tx, code: string): Promise<boolean> {
  return Boolean(await tx('policy_terms').first('version_id').where({ policy_terms_id: code }));
}

/** Adds a version (superseding the current one, which the caller has locked) and returns it. */
export async function insertTermsVersion(tx: Tx, doc: PolicyTermsDocument, version: number, createdBy: string | null): Promise<PolicyTermsRow> {
  if (version > 1) await tx('policy_terms').update({ is_current: false }).where({ policy_terms_id: doc.policy_id, is_current: true });
  const money = (rupees: number) => toNumeric(toPaise(rupees));
  const [row] = await tx('policy_terms').insert({
    policy_terms_id: doc.policy_id, version, is_current: true, policy_name: doc.policy_name, terms: JSON.stringify(doc),
    annual_limit: money(doc.coverage_details.annual_limit), per_claim_limit: money(doc.coverage_details.per_claim_limit),
    family_floater_limit: money(doc.coverage_details.family_floater_limit), created_by: createdBy,
  }).returning(COLUMNS);
  return row as PolicyTermsRow;
}
