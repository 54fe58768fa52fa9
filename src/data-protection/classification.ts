// Every column of every tenant table, classified once, here (DPDP Act 2023; "sensitive personal" follows the SPDI
// Rules 2011: financial details, identity numbers, credentials; "health" is kept apart because claims and
// conditions carry their own obligations). test/api/data-classification.test.ts compares this map with the
// catalog of a fresh tenant schema both ways: an unclassified column, or a classified one that is gone, fails.
//   public             may be shown to anyone (product names, published notices)
//   internal           the tenant's operational data: keys, states, amounts, timestamps, hashes
//   personal           identifies or describes a natural person
//   sensitive_personal financial details, identity numbers, income
//   health             conditions, diagnoses, treatment, claim evidence
// The read audit, the export and the erasure all derive their column lists from this map.

export const DATA_CLASSES = ['public', 'internal', 'personal', 'sensitive_personal', 'health'] as const;
export type DataClass = (typeof DATA_CLASSES)[number];

type Columns = Readonly<Record<string, DataClass>>;

const I = 'internal';
const P = 'personal';
const S = 'sensitive_personal';
const H = 'health';

/** Columns every book row has: keys and the agent's book number. */
const BOOK: Columns = { tenant_id: I, agent_id: I, agent_order: I };
const STAMPS: Columns = { created_by: I, created_at: I, updated_at: I };

export const COLUMN_CLASSES: Readonly<Record<string, Columns>> = {
  agents: {
    agent_id: I, tenant_id: I, user_id: I, provider_id: I, agent_code: I, license_number: P, license_expiry_date: I,
    business_name: P, territory: I, commission_rate: I, parent_agent_id: I, hierarchy_level: I, status: I, created_at: I,
    updated_at: I, pre_order: I, subtree_hi: I,
  },
  // Old and new values may hold any column of any audited table: classed by the most sensitive they can hold.
  audit_log: {
    audit_id: I, tenant_id: I, table_name: I, record_id: I, action: I, actor_user_id: I, actor: I, old_values: H,
    new_values: H, changed_columns: I, occurred_at: I,
  },
  claim_documents: {
    ...BOOK, ...STAMPS, document_id: I, policyholder_id: I, claim_id: I, document_type: I, media_type: I, size_bytes: I,
    sha256: I, storage_key: I, original_name: H, status: I, extracted_data: H, extracted_data_sealed: H, sealed_key_version: I,
    stored_file_id: I,
  },
  claims: {
    ...BOOK, ...STAMPS, claim_id: I, policyholder_id: I, claim_number: I, dependent_id: I, policy_id: I,
    policy_terms_version_id: I, treatment_date: I, submission_date: I, claimed_amount: I, approved_amount: I,
    approved_consultation: I, approved_diagnostic: I, approved_pharmacy: I, approved_dental: I, approved_vision: I,
    approved_alternative_medicine: I, approved_dental_routine: I, engine_decision: I, decision: I, status: I,
    confidence_score: I, rejection_reasons: H, result: H, trail: H, request: H, hospital: H, cashless_request: I,
    pre_authorization_id: I, bill_number: P, bill_fingerprint: I,
    request_sealed: H, trail_sealed: H, decision_texts_sealed: H, sealed_key_version: I,
  },
  consent_notices: {
    notice_id: I, tenant_id: I, purpose: 'public', version: 'public', title: 'public', body: 'public', language: 'public',
    created_by: I, created_at: I,
  },
  // Wrapped (sealed by the master key): unusable without it, and never shown.
  data_keys: { tenant_id: I, purpose: I, key_version: I, wrapped_key: I, created_by: I, created_at: I, retired_at: I },
  data_imports: {
    ...BOOK, import_id: I, kind: I, file_name: I, file_format: I, file_id: I, dry_run: I, status: I, total_rows: I,
    valid_rows: I, invalid_rows: I, processed_rows: I, created_rows: I, updated_rows: I, skipped_rows: I,
    processed_through_line: I, last_error: I, created_by: I, created_at: I, started_at: I, finished_at: I, updated_at: I,
  },
  // The export's JSON until it is downloaded: everything held about one person.
  data_rights_requests: {
    request_id: I, tenant_id: I, kind: I, policyholder_id: I, status: I, reason: I, result: H, summary: I,
    requested_by: I, created_at: I, completed_at: I, downloaded_at: I, downloaded_by: I, updated_at: I,
  },
  dependents: {
    ...BOOK, ...STAMPS, dependent_id: I, policyholder_id: I, full_name: P, relationship: P, date_of_birth: P, gender: P,
    pre_existing_conditions: H, covered_from: I, status: I, pre_existing_conditions_sealed: H, sealed_key_version: I,
  },
  import_batches: {
    import_id: I, batch_number: I, tenant_id: I, agent_order: I, after_line: I, through_line: I, lines: I, written_at: I,
  },
  // Staged import lines: a customer file's raw cells (names, contacts, incomes).
  import_rows: { import_id: I, line_number: I, tenant_id: I, agent_order: I, raw: S, values: S, errors: I, outcome: I },
  manual_reviews: {
    ...BOOK, review_id: I, policyholder_id: I, claim_id: I, status: I, reasons: H, recommended_decision: I,
    recommended_amount: I, final_decision: I, approved_amount: I, review_notes: H, reviewer_id: I, reviewed_at: I,
    created_at: I, updated_at: I, limit_override: I, override_excess: I, override_reason: H, review_texts_sealed: H, sealed_key_version: I,
  },
  // Account notices (src/notifications/): fixed texts about the user's own sign-in, no personal data in them.
  notifications: {
    notification_id: I, tenant_id: I, user_id: I, topic: I, channel: I, subject: I, body: I, details: I, occurred_at: I,
  },
  outbox: {
    outbox_id: I, tenant_id: I, queue: I, payload: I, singleton_key: I, created_by: I, created_at: I, failed_at: I, last_error: I,
  },
  permissions: {
    permission_id: I, tenant_id: I, action: I, subject: I, conditions: I, permission_name: I, permission_description: I,
    created_at: I,
  },
  personal_data_reads: {
    read_id: I, tenant_id: I, request_id: I, occurred_at: I, actor_user_id: I, actor: I, purpose: I, endpoint: I,
    subject: I, record_ids: I, policyholder_ids: I, fields: I,
  },
  policies: {
    ...BOOK, ...STAMPS, policy_id: I, policyholder_id: I, policy_number: I, provider_policy_id: I, policy_type: 'public',
    category: 'public', plan_name: 'public', plan_code: 'public', sum_assured: I, premium_amount: I, premium_frequency: I,
    premium_mode: I, policy_term_years: I, premium_paying_term_years: I, grace_period_days: I, revival_period_months: I,
    application_date: I, approval_date: I, approved_by: I, start_date: I, maturity_date: I, renewal_date: I, status: I,
    status_changed_at: I, lapsed_on: I, installments_total: I, installments_paid: I, total_payments: I,
    total_premium_paid: I, last_payment_date: I, next_payment_date: I, coverage_details: I, exclusions: H,
    nominee_details: P, updated_by: I,
  },
  policy_status_history: {
    ...BOOK, history_id: I, policy_id: I, policyholder_id: I, from_status: I, to_status: I, reason: I, source: I,
    changed_by: I, changed_at: I, created_at: I,
  },
  policy_terms: {
    version_id: I, tenant_id: I, policy_terms_id: I, version: I, is_current: I, policy_name: 'public', terms: I,
    annual_limit: I, per_claim_limit: I, family_floater_limit: I, created_by: I, created_at: I,
  },
  policyholder_consents: {
    ...BOOK, consent_id: I, policyholder_id: I, purpose: I, status: I, notice_id: I, channel: I, recorded_by: I,
    recorded_at: I,
  },
  policyholders: {
    ...BOOK, ...STAMPS, policyholder_id: I, customer_id: P, salutation: P, first_name: P, last_name: P, date_of_birth: P,
    gender: P, email: P, phone_number: P, address: P, marital_status: P, occupation: P, annual_income: S,
    pre_existing_conditions: H, nominee_details: P, preferred_language: P, marketing_consent: I, status: I,
    deactivated_at: I, deactivated_reason: I, updated_by: I, first_name_key: P, last_name_key: P, phone_key: P,
    erased_at: I,
    // Sealed (src/data-protection/encryption) with keyed blind indexes: still the person's data, whatever its form.
    pan_sealed: S, pan_index: S, aadhaar_sealed: S, aadhaar_index: S, bank_account_sealed: S, pre_existing_conditions_sealed: H,
    sealed_key_version: I,
  },
  premium_payments: {
    ...BOOK, ...STAMPS, payment_id: I, policy_id: I, policyholder_id: I, amount: I, currency: I, payment_date: I,
    due_date: I, installments_covered: I, payment_method: I, payment_gateway: I, gateway_transaction_id: I,
    idempotency_key: I, request_fingerprint: I, status: I, failure_reason: I, reconciled: I, reconciled_at: I,
    reconciled_by: I, reconciliation_reference: I, refunded_at: I, refunded_by: I, refund_reason: I,
  },
  retention_periods: { data_class: I, tenant_id: I, days: I, updated_by: I, updated_at: I },
  role_permissions: { assignment_id: I, tenant_id: I, role_id: I, permission_id: I, granted_at: I },
  roles: {
    role_id: I, tenant_id: I, role_name: I, role_description: I, is_system_role: I, data_scope: I, created_at: I, updated_at: I,
  },
  sensitive_field_reveals: {
    reveal_id: I, tenant_id: I, table_name: I, record_id: I, fields: I, purpose: I, actor_user_id: I, actor: I, revealed_at: I,
  },
  stored_files: {
    file_id: I, tenant_id: I, purpose: I, file_name: P, content_type: I, byte_size: I, created_by: I, created_at: I,
    deleted_at: I,
  },
  // A draft of policy terms and the report of replaying past claims under it (decisions and amounts, no people).
  terms_backtests: {
    backtest_id: I, tenant_id: I, policy_terms_id: I, draft: I, claim_limit: I, status: I, attempts: I, last_error: I,
    report: I, requested_by: I, created_at: I, started_at: I, finished_at: I,
  },
  user_roles: { assignment_id: I, tenant_id: I, user_id: I, role_id: I, assigned_by: I, assigned_at: I, expires_at: I },
  user_sessions: {
    session_id: I, tenant_id: I, user_id: I, refresh_token_hash: I, ip_address: P, user_agent: P, expires_at: I,
    last_activity_at: I, revoked_at: I, revoked_reason: I, created_at: I, rotated_token_hashes: I, auth_time: I, amr: I,
  },
  users: {
    user_id: I, tenant_id: I, email: P, phone_number: P, username: P, password_hash: I, first_name: P, last_name: P,
    display_name: P, language_preference: P, timezone: I, status: I, login_attempts: I, locked_until: I,
    last_login_at: I, password_changed_at: I, created_by: I, updated_by: I, created_at: I, updated_at: I,
    deactivated_at: I, deactivated_reason: I, policyholder_id: I, policyholder_agent_order: I,
    // MFA secrets are sealed; recovery codes are digests (credentials, never personal data shown to anyone).
    mfa_secret_sealed: I, mfa_pending_secret_sealed: I, mfa_enabled_at: I, mfa_last_time_step: I, mfa_recovery_code_hashes: I,
    password_change_required: I, mfa_challenge_seq: I,
  },
  // A security key's public key and signature counter (credentials, not secrets); its name is the user's own label.
  webauthn_challenges: { challenge: I, tenant_id: I, user_id: I, purpose: I, expires_at: I },
  webauthn_credentials: {
    credential_id: I, tenant_id: I, user_id: I, webauthn_id: I, public_key: I, sign_count: I, transports: I, name: P, aaguid: I,
    device_type: I, backed_up: I, created_at: I, last_used_at: I,
  },
};

const PERSONAL_CLASSES: ReadonlySet<DataClass> = new Set(['personal', 'sensitive_personal', 'health']);

export function isPersonalClass(dataClass: DataClass): boolean {
  return PERSONAL_CLASSES.has(dataClass);
}

/** The columns of `table` that hold personal data of any class (personal, sensitive personal, health). */
export function personalColumns(table: string): string[] {
  const columns = COLUMN_CLASSES[table];
  if (!columns) throw new Error(`table ${table} is not classified`);
  return Object.entries(columns).filter(([, dataClass]) => isPersonalClass(dataClass)).map(([column]) => column);
}

/** The personal fields among the keys of a record as the API returns it (what a read audit row lists). */
export function personalFieldsOf(table: string, record: object): string[] {
  const personal = new Set(personalColumns(table));
  return Object.keys(record).filter((key) => personal.has(key)).sort();
}
