import type { Tx } from '../db/scope.js';
import { personalColumns } from './classification.js';

// Erasure (DPDP s.12): every personal, sensitive or health value of one policyholder is overwritten, everywhere
// the tenant's schema holds it, in one transaction. What insurance law requires stays as a financial record:
// the policies, premium payments and claims themselves (numbers, amounts, dates, statuses, decisions), with their
// personal fields removed. The audit trail keeps its rows (who changed what, when) without the person's values.
// ERASED_VALUES must name every personal column of the tables it covers: test/unit/erasure-coverage.test.ts checks.

/** The value each personal column takes on erasure, as SQL (NULL where the column allows it). */
export const ERASED_VALUES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  policyholders: {
    customer_id: 'NULL', salutation: 'NULL', first_name: "'Erased'", last_name: 'NULL', date_of_birth: 'NULL', gender: 'NULL',
    email: 'NULL', phone_number: 'NULL', address: 'NULL', marital_status: 'NULL', occupation: 'NULL', annual_income: 'NULL',
    pre_existing_conditions: "'[]'::jsonb", nominee_details: 'NULL', preferred_language: "'en'",
    // generated from first_name, last_name, phone_number
    first_name_key: 'DEFAULT', last_name_key: 'DEFAULT', phone_key: 'DEFAULT',
    pan_sealed: 'NULL', pan_index: 'NULL', aadhaar_sealed: 'NULL', aadhaar_index: 'NULL', bank_account_sealed: 'NULL',
    pre_existing_conditions_sealed: 'NULL',
  },
  dependents: {
    full_name: "'Erased'", relationship: "'other'", date_of_birth: "'1900-01-01'", gender: 'NULL', pre_existing_conditions: "'[]'::jsonb",
    pre_existing_conditions_sealed: 'NULL', sealed_key_version: 'NULL',
  },
  policies: { nominee_details: 'NULL', exclusions: 'NULL' },
  claims: {
    request: "'{}'::jsonb", trail: "'[]'::jsonb", hospital: 'NULL',
    request_sealed: 'NULL', trail_sealed: 'NULL', decision_texts_sealed: 'NULL', sealed_key_version: 'NULL', bill_number: 'NULL', rejection_reasons: "'[]'::jsonb",
    // The decision's amounts stay; its texts (items, notes, reasons, flags) go.
    result: `result || '{"rejected_items": [], "notes": "", "rejection_reasons": [], "fraud_flags": [], "manual_review_reasons": []}'::jsonb`,
  },
  claim_documents: { original_name: 'NULL', extracted_data: 'NULL', extracted_data_sealed: 'NULL', sealed_key_version: 'NULL' },
  manual_reviews: { reasons: "'[]'::jsonb", review_notes: 'NULL', override_reason: 'NULL', review_texts_sealed: 'NULL', sealed_key_version: 'NULL' },
  users: {
    email: "'erased-' || user_id || '@erased.invalid'", phone_number: 'NULL', username: 'NULL', first_name: 'NULL', last_name: 'NULL',
    display_name: 'NULL', language_preference: "'en'",
  },
  user_sessions: { ip_address: 'NULL', user_agent: 'NULL' },
  webauthn_credentials: { name: "'erased'" },
  stored_files: { file_name: "'erased'" },
};

/**
 * Besides the personal columns: what else changes on erasure (status, markers). `:now` is bound to the
 * transaction's time: Citus cannot run now() inside COALESCE in DML.
 */
const ALSO_SET: Readonly<Record<string, string>> = {
  policyholders: "marketing_consent = false, status = 'inactive', deactivated_at = coalesce(deactivated_at, :now::timestamptz), "
    + "deactivated_reason = 'erased', erased_at = now(), updated_at = now(), sealed_key_version = NULL",
  dependents: "status = 'removed', updated_at = now()",
  // Deactivated for good, as DELETE /users does: an erased person's login takes no change, role or sign-in again.
  users: "status = 'deactivated', deactivated_at = coalesce(deactivated_at, :now::timestamptz), deactivated_reason = 'erased', updated_at = now()",
  user_sessions: "revoked_at = coalesce(revoked_at, :now::timestamptz), revoked_reason = coalesce(revoked_reason, 'erased')",
  stored_files: 'deleted_at = coalesce(deleted_at, :now::timestamptz)',
};

function setClause(table: string): string {
  const values = ERASED_VALUES[table] ?? {};
  const sets = Object.entries(values).filter(([, value]) => value !== 'DEFAULT').map(([column, value]) => `${column} = ${value}`);
  if (ALSO_SET[table]) sets.push(ALSO_SET[table]);
  return sets.join(', ');
}

/** Tables whose audit entries may hold the person's values, with the key the trail records them by. */
const AUDITED: readonly [string, string][] = [['policyholders', 'policyholder_id'], ['dependents', 'dependent_id'],
  ['policies', 'policy_id'], ['claims', 'claim_id'], ['claim_documents', 'document_id'], ['manual_reviews', 'review_id'],
  ['users', 'user_id'], ['webauthn_credentials', 'credential_id']];

export interface ErasureSummary {
  readonly rows: Record<string, number>;
  /** The erased records of each audited table, whose audit entries eraseAuditValues strips next. */
  readonly audited: Record<string, string[]>;
  /** Storage keys of the claim documents whose bytes go once the transaction has committed. */
  readonly document_keys: string[];
}

async function updated(tx: Tx, table: string, where: string, bindings: Record<string, unknown>, returning: string): Promise<string[]> {
  const { rows: [clock] } = await tx.raw('SELECT now() AS now');
  const result = await tx.raw(`UPDATE ${table} SET ${setClause(table)} WHERE ${where} RETURNING ${returning} AS id`, { ...bindings, now: clock.now });
  return (result.rows as { id: string }[]).map((row) => String(row.id));
}

/** Erases one policyholder (already locked and checked by the caller) in the caller's transaction. */
export async function erasePolicyholder(tx: Tx, policyholderId: string): Promise<ErasureSummary> {
  const holder = await tx('policyholders').where({ policyholder_id: policyholderId })
    .first<{ customer_id: string | null; email: string | null; phone_number: string | null }>('customer_id', 'email', 'phone_number');
  const byHolder = { id: policyholderId };
  const ids: Record<string, string[]> = {};
  const documents = await tx('claim_documents').where({ policyholder_id: policyholderId })
    .select<{ storage_key: string; stored_file_id: string }[]>('storage_key', 'stored_file_id');
  ids.policyholders = await updated(tx, 'policyholders', 'policyholder_id = :id', byHolder, 'policyholder_id');
  for (const table of ['dependents', 'policies', 'claims', 'claim_documents', 'manual_reviews']) {
    const [, key] = AUDITED.find(([name]) => name === table) as [string, string];
    ids[table] = await updated(tx, table, 'policyholder_id = :id', byHolder, key);
  }
  ids.users = await updated(tx, 'users', 'policyholder_id = :id', byHolder, 'user_id');
  ids.user_sessions = ids.users.length === 0 ? []
    : await updated(tx, 'user_sessions', 'user_id = ANY(:users::uuid[])', { users: ids.users }, 'session_id');
  ids.webauthn_credentials = ids.users.length === 0 ? []
    : await updated(tx, 'webauthn_credentials', 'user_id = ANY(:users::uuid[])', { users: ids.users }, 'credential_id');
  const fileIds = documents.map((document) => document.stored_file_id);
  ids.stored_files = fileIds.length === 0 ? [] : await updated(tx, 'stored_files', 'file_id = ANY(:files::uuid[])', { files: fileIds }, 'file_id');
  // Staged import lines that carried the person (matched by customer id, e-mail or phone number).
  const marks = [holder?.customer_id, holder?.email, holder?.phone_number].filter((value): value is string => Boolean(value));
  ids.import_rows = marks.length === 0 ? [] : (await tx.raw(`
    UPDATE import_rows SET raw = '{}'::jsonb, "values" = NULL
     WHERE EXISTS (SELECT 1 FROM jsonb_each_text(coalesce("values", '{}'::jsonb) || coalesce(raw, '{}'::jsonb)) AS cell(key, value) WHERE cell.value = ANY(:marks::text[]))
    RETURNING import_id || ':' || line_number AS id`, { marks })).rows.map((row: { id: string }) => row.id);
  ids.data_rights_requests = (await tx.raw(`
    UPDATE data_rights_requests SET result = NULL, updated_at = now() WHERE policyholder_id = :id AND result IS NOT NULL
    RETURNING request_id AS id`, byHolder)).rows.map((row: { id: string }) => row.id);
  return {
    rows: Object.fromEntries(Object.entries(ids).map(([table, list]) => [table, list.length])),
    audited: Object.fromEntries(AUDITED.map(([table]) => [table, ids[table] ?? []])),
    document_keys: documents.map((document) => document.storage_key),
  };
}

/**
 * Strips the person's values from the audit entries of the erased records (erase_audit_values, an owner function
 * that refuses unless the person is erased). In a transaction of its own, after the erasure has committed: Citus
 * refuses a function running as another user on shards the same transaction has already changed.
 */
export async function eraseAuditValues(tx: Tx, policyholderId: string, audited: Record<string, string[]>): Promise<number> {
  let entries = 0;
  for (const [table, records] of Object.entries(audited)) {
    if (records.length === 0) continue;
    const result = await tx.raw('SELECT erase_audit_values(:holder::uuid, :table, :records::text[], :keys::text[]) AS changed',
      { holder: policyholderId, table, records, keys: personalColumns(table) });
    entries += Number(result.rows[0].changed);
  }
  return entries;
}
