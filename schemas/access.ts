// The vocabulary of permissions, shared by validation (schemas) and the CASL abilities (src/auth).

export const ACTIONS = [
  'manage', 'create', 'read', 'update', 'delete',
  // policies and payments: decide a policy's status (approve, surrender, ...), run the lapse job, settle payments
  'change_status', 'lapse', 'reconcile', 'refund',
  // claims: a reviewer approves above an exhausted annual or family floater limit (with a reason, audited)
  'override_limits',
  // data protection: see sensitive fields in full (PolicyholderSensitive)
  'reveal',
] as const;
export type Action = (typeof ACTIONS)[number];

/** What permissions talk about. 'all' stands for every subject. */
export const SUBJECTS = [
  'all', 'Tenant', 'TenantConfig', 'Provider', 'User', 'Role', 'Permission', 'Agent', 'Policyholder', 'Policy',
  'Payment', 'Import', 'Claim', 'ClaimReview', 'PolicyTerms', 'Dependent', 'Audit',
  // data protection: a policyholder's PAN, Aadhaar and bank account in full; the tenant's data keys
  'PolicyholderSensitive', 'EncryptionKey',
] as const;
export type Subject = (typeof SUBJECTS)[number];

/**
 * Subjects whose rows the database scopes (RLS on the agent hierarchy's pre-order range, from the role's
 * data_scope): a rule on them takes no conditions, so a list is never filtered after the page is cut.
 */
export const BOOK_SUBJECTS = ['Agent', 'Policyholder', 'Policy', 'Payment', 'Claim', 'Dependent', 'Import', 'Audit'] as const satisfies readonly Subject[];

/** A user's statuses ('deactivated' only through DELETE), here so that role conditions can check theirs too. */
export const USER_STATUSES = ['active', 'inactive', 'suspended', 'pending_verification', 'deactivated'] as const;

/** A rule's conditions may name the caller's own values as '${user.<key>}'. */
export const PLACEHOLDER = /^\$\{user\.(user_id|tenant_id|agent_id)\}$/;

/** The type of a field a condition may test: uuid and text compare as text, boolean as boolean. */
export type ConditionFieldType = 'uuid' | 'text' | 'boolean';

/**
 * The subjects whose every endpoint checks conditions against the concrete record (lists filter in SQL), and the
 * fields a condition may test on each. Any other subject refuses conditions: a rule the endpoints cannot enforce
 * would silently grant more than it says. A module adds its subject here once its endpoints enforce them.
 */
export const CONDITION_FIELDS: Partial<Record<Subject, Readonly<Record<string, ConditionFieldType>>>> = {
  User: { user_id: 'uuid', email: 'text', username: 'text', phone_number: 'text', status: 'text', agent_id: 'uuid' },
  Role: { role_id: 'uuid', role_name: 'text', is_system_role: 'boolean', data_scope: 'text' },
  Permission: { permission_id: 'uuid', action: 'text', subject: 'text' },
  TenantConfig: { config_key: 'text', config_type: 'text' },
};

/** What a condition may apply to a field: equality and membership only, so SQL and CASL agree exactly. */
export const CONDITION_OPERATORS = ['$eq', '$ne', '$in', '$nin'] as const;
