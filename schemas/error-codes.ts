// The stable reason codes of problem answers: clients branch on `code`, never on `detail` wording.
// Every code a problem can carry is listed here; the OpenAPI document publishes this table.

export const ERROR_CODES = {
  'request.invalid': 'A field is missing or malformed; `errors` lists each one',
  'request.malformed_json': 'The body is not valid JSON',
  'request.body_too_large': 'The body is larger than the configured limit',
  'request.unsupported_media_type': 'The body is in a charset, encoding or media type the API does not read',
  'request.method_not_allowed': 'The path does not serve this method; `Allow` lists the ones it does',
  'route.not_found': 'No such path',
  'auth.unauthenticated': 'No valid credentials were presented',
  'auth.invalid_credentials': 'Wrong account or password (the same answer for both)',
  'auth.token_invalid': 'The access or refresh token is not valid, has expired or its session has ended',
  'auth.locked': 'Too many failed sign-ins; try again after Retry-After seconds',
  'auth.rate_limited': 'Too many sign-in attempts; try again after Retry-After seconds',
  'access.forbidden': 'The caller may not do this',
  'tenant.suspended': "The caller's tenant is suspended or inactive",
  'tenant.mismatch': "X-Tenant names another tenant than the token's",
  'resource.not_found': 'No such record, or not one the caller may see',
  'resource.conflict': 'The change conflicts with the current state',
  'resource.duplicate': 'A record with the same unique value exists',
  'resource.still_referenced': 'Other records still refer to this one',
  'rule.violated': 'Well-formed, but refused by a business rule',
  'rule.reference_missing': 'A referenced record does not exist',
  'rate.limited': 'Too many requests; try again after Retry-After seconds',
  'service.unavailable': 'The database is busy or unreachable; try again after Retry-After seconds',
  'internal.error': 'A fault on our side',
  // The agent's book: agents, policyholders, audit (book branch)
  'agent.not_found': 'No such agent, or not one the caller may see',
  'agent.required': 'The caller is not an agent, so the body must name the agent whose book the record joins',
  'agent.inactive': 'The agent is not active and cannot take new business',
  'agent.hierarchy_cycle': 'The move would put an agent under itself or one of its own sub-agents',
  'agent.duplicate_code': 'Another agent of the tenant has this agent code',
  'agent.duplicate_license': 'Another agent of the tenant has this licence number',
  'agent.user_taken': 'The user is already linked to another agent',
  'policyholder.not_found': 'No such policyholder, or not one the caller may see',
  'policyholder.duplicate_customer_id': 'Another policyholder of the tenant has this customer id',
  'policyholder.user_taken': 'The user is already linked to another policyholder',
  'policyholder.inactive': 'The policyholder is deactivated',
  // policies and premium payments (src/policies, src/payments)
  'policy.not_found': 'No such policy, or not one the caller may see',
  'policy.illegal_transition': 'The policy cannot move from its current status to the one asked for',
  'policy.not_overdue': 'The policy is not past the grace period of an unpaid premium, so it cannot lapse',
  'policy.not_matured': 'The policy has not reached its maturity date',
  'policy.revival_window_closed': 'The lapsed policy is past its revival window',
  'policy.premium_overdue': 'Premiums in arrears must be paid first',
  'policy.terms_locked': 'The policy is approved; its premium, cover and dates can no longer change',
  'payment.not_found': 'No such payment, or not one the caller may see',
  'payment.idempotency_conflict': 'The Idempotency-Key or gateway_transaction_id was used for a different payment',
  'payment.policy_not_payable': 'The policy takes no premium payments in its current status',
  'payment.nothing_due': 'Every premium of the policy is paid',
  'payment.amount_mismatch': 'The amount is not a whole number of premiums still to be paid',
  'payment.not_refundable': 'Only a completed payment can be refunded',
  'payment.not_reconcilable': 'Only a completed payment can be reconciled',
  // OPD claims (src/claims)
  'claims.terms_not_found': 'No such policy terms (or version)',
  'claims.terms_exists': 'Policy terms with this code exist; PUT makes a new version',
  'claims.no_cover': 'The member has no health policy and the request names no policy terms to decide with',
  'claims.dependent_not_found': 'No such dependent of this policyholder',
  'claims.not_found': 'No such claim, or not one the caller may see',
  'claims.review_not_found': 'No such manual review, or not one the caller may see',
  'claims.review_closed': 'The review has been decided already',
  'claims.review_amount_invalid': 'The approved amount does not fit the final decision or the claimed amount',
  'claims.limit_exceeded': "The amount would overspend the member's annual or the family's floater limit",
  // claim documents (src/claims/documents)
  'claims.document_not_found': 'No such document of this claim, or not one the caller may see',
  'claims.document_too_large': 'The uploaded file is larger than DOCUMENT_MAX_BYTES',
  'claims.document_type_unsupported': "The file's bytes are not a PDF, JPEG, PNG or WebP (whatever its name or Content-Type says)",
  // ops (issue 9): tenant limits
  'tenant.rate_limited': "The tenant's api_rate_limit (requests per minute, shared by all its users) is used up; retry after Retry-After seconds",
  'tenant.storage_limit': "The upload would take the tenant past its storage_limit_gb",

  // security (issues 5 and 11)
  'request.not_acceptable': 'The Accept header rules out JSON, the only media type this API answers in',
  // bulk import (src/imports, issue 9)
  'import.not_found': 'No such import, or not one the caller may see',
  'import.file_required': 'The request is not multipart/form-data with a non-empty file field named file',
  'import.file_too_large': 'The file is larger than an import takes',
  'import.unreadable_file': 'The file is not readable CSV or XLSX, is empty, or has too many lines',
  'import.bad_columns': 'The file has no match-key column (customer_id / policy_number) or columns the import does not know',
  // data protection: encryption at rest (src/data-protection/encryption, issue 12)
  'data_protection.sealed_value_unreadable': 'A stored sealed value does not open (altered, or its data key is missing)',
  'data_protection.rotation_conflict': 'Another key rotation of the tenant took the same version at the same moment; retry',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
export const ERROR_CODE_LIST = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];
