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
  // security (issues 5 and 11)
  'request.not_acceptable': 'The Accept header rules out JSON, the only media type this API answers in',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
export const ERROR_CODE_LIST = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];
