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
  'Payment', 'Import', 'Claim', 'ClaimReview', 'PolicyTerms', 'Dependent',
] as const;
export type Subject = (typeof SUBJECTS)[number];

/** A rule's conditions may name the caller's own values as '${user.<key>}'. */
export const PLACEHOLDER = /^\$\{user\.(user_id|tenant_id|agent_id|visible_agent_ids)\}$/;
