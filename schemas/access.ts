// The vocabulary of permissions, shared by validation (schemas) and the CASL abilities (src/auth).

export const ACTIONS = [
  'manage', 'create', 'read', 'update', 'delete',
  // policies and payments: decide a policy's status (approve, surrender, ...), run the lapse job, settle payments
  'change_status', 'lapse', 'reconcile', 'refund',
] as const;
export type Action = (typeof ACTIONS)[number];

/** What permissions talk about. 'all' stands for every subject. */
export const SUBJECTS = [
  'all', 'Tenant', 'TenantConfig', 'Provider', 'User', 'Role', 'Permission', 'Agent', 'Policyholder', 'Policy',
  'Payment', 'Import', 'Claim', 'ClaimReview', 'PolicyTerms', 'Dependent', 'Audit',
] as const;
export type Subject = (typeof SUBJECTS)[number];

/**
 * Subjects whose rows the database scopes (RLS on the agent hierarchy's pre-order range, from the role's
 * data_scope): a rule on them takes no conditions, so a list is never filtered after the page is cut.
 */
export const BOOK_SUBJECTS = ['Agent', 'Policyholder', 'Policy', 'Payment', 'Claim', 'Dependent', 'Import', 'Audit'] as const satisfies readonly Subject[];

/** A rule's conditions may name the caller's own values as '${user.<key>}'. */
export const PLACEHOLDER = /^\$\{user\.(user_id|tenant_id|agent_id)\}$/;
