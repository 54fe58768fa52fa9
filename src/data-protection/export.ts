import type { Tx } from '../db/scope.js';
import { openDependentRows, type SealedDependentColumns } from './encryption/dependent-fields.js';
import { openDocumentRows, SEALED_DOCUMENT_COLUMNS, type SealedDocumentColumns } from './encryption/document-fields.js';
import { openReviewRows, SEALED_REVIEW_COLUMNS, type SealedReviewColumns } from './encryption/review-fields.js';
import { openClaimRows, SEALED_CLAIM_COLUMNS, type SealedClaimColumns } from './encryption/claim-fields.js';
import { readRecords } from './reads-repository.js';
import { openPolicyholderFields, readKeys, SEALED_POLICYHOLDER_COLUMNS, type SealedPolicyholderColumns } from './encryption/policyholder-fields.js';

// Export (DPDP s.11): everything the tenant holds about one policyholder, as JSON. Each section is the person's
// rows of one table, every column but keys of other tenants' machinery and secrets (hashes, fingerprints).

const LEFT_OUT = new Set(['tenant_id', 'agent_order', 'first_name_key', 'last_name_key', 'phone_key', 'password_hash',
  'refresh_token_hash', 'rotated_token_hashes', 'request_fingerprint', 'idempotency_key', 'policyholder_agent_order', 'storage_key',
  // Sealed values are exported opened (below); blind indexes are keyed hashes, nothing of the person's to read.
  ...SEALED_POLICYHOLDER_COLUMNS, ...SEALED_CLAIM_COLUMNS, ...SEALED_DOCUMENT_COLUMNS, ...SEALED_REVIEW_COLUMNS, 'pre_existing_conditions_sealed', 'pan_index', 'aadhaar_index', 'sealed_key_version',
  'mfa_secret_sealed', 'mfa_pending_secret_sealed', 'mfa_recovery_code_hashes']);

/** The sections of an export: table and the column that names the person. */
const SECTIONS: readonly [string, string][] = [
  ['dependents', 'policyholder_id'], ['policies', 'policyholder_id'], ['policy_status_history', 'policyholder_id'],
  ['premium_payments', 'policyholder_id'], ['claims', 'policyholder_id'], ['claim_documents', 'policyholder_id'],
  ['manual_reviews', 'policyholder_id'], ['policyholder_consents', 'policyholder_id'],
];

function clean(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).filter(([key]) => !LEFT_OUT.has(key)));
}

export interface PersonalDataExport {
  readonly format: 'agent-mitra.personal-data-export';
  readonly version: 1 | 2;
  readonly generated_at: string;
  readonly policyholder: Record<string, unknown>;
  readonly sections: Record<string, Record<string, unknown>[]>;
}

/** Everything held about the policyholder (who exists: the caller has checked). */
export async function exportPolicyholder(tx: Tx, policyholderId: string): Promise<PersonalDataExport> {
  const holder = await tx('policyholders').where({ policyholder_id: policyholderId }).first();
  const sections: Record<string, Record<string, unknown>[]> = {};
  for (const [table, column] of SECTIONS) {
    const rows = await tx(table).where({ [column]: policyholderId }).select();
    // A claim's health data is exported opened, as the person gave it.
    sections[table] = (table === 'claims' ? await openClaimRows(tx, rows as SealedClaimColumns[])
      : table === 'dependents' ? await openDependentRows(tx, rows as SealedDependentColumns[])
        : table === 'claim_documents' ? await openDocumentRows(tx, rows as SealedDocumentColumns[])
          : table === 'manual_reviews' ? await openReviewRows(tx, rows as SealedReviewColumns[]) : rows).map(clean);
  }
  const users = await tx('users').where({ policyholder_id: policyholderId }).select();
  sections.user_account = users.map(clean);
  const userIds = users.map((user: { user_id: string }) => user.user_id);
  sections.sessions = userIds.length === 0 ? [] : (await tx('user_sessions').whereIn('user_id', userIds)
    .select('session_id', 'user_id', 'ip_address', 'user_agent', 'created_at', 'last_activity_at', 'expires_at', 'revoked_at'));
  // The login's security keys: the names are the person's own labels (personal data, emptied by erasure).
  sections.security_keys = userIds.length === 0 ? [] : await tx('webauthn_credentials').whereIn('user_id', userIds)
    .select('credential_id', 'user_id', 'name', 'transports', 'device_type', 'backed_up', 'created_at', 'last_used_at');
  // Who has read the person's data, and why: part of what the person may ask for.
  // One entry per read; of a read's records (a page may hold other people's), only the person's own.
  const reads = await tx('personal_data_reads').whereRaw('?::uuid = ANY(policyholder_ids)', [policyholderId]).orderBy('occurred_at')
    .select('occurred_at', 'actor_user_id', 'actor', 'purpose', 'endpoint', 'subject', 'record_ids', 'policyholder_ids', 'fields');
  sections.personal_data_reads = reads.map(({ record_ids, policyholder_ids, ...read }) => ({ ...read,
    record_ids: readRecords(record_ids, policyholder_ids, { policyholder_id: policyholderId }).map((record) => record.record_id) }));
  return {
    format: 'agent-mitra.personal-data-export', version: 2, generated_at: new Date().toISOString(),
    policyholder: { ...clean(holder as Record<string, unknown>),
      ...openPolicyholderFields(await readKeys(tx), holder as SealedPolicyholderColumns) }, sections,
  };
}
