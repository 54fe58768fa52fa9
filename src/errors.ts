// Domain errors: services throw these; one table in http/problem.ts maps them to status codes.

export interface FieldError {
  readonly path: string;
  readonly message: string;
}

export class DomainError extends Error {
  constructor(message: string, readonly headers: Record<string, string> = {}) {
    super(message);
    this.name = new.target.name;
  }
}

/** 400: the request is malformed; every offending field is listed. */
export class ValidationError extends DomainError {
  constructor(readonly errors: FieldError[], message = 'The request has invalid fields.') {
    super(message);
  }
}
/** 401 */
export class UnauthenticatedError extends DomainError {}
/** 403 */
export class ForbiddenError extends DomainError {}
/** 404: also for records that exist but are not visible to the caller. */
export class NotFoundError extends DomainError {}
/** 409: duplicate, or an illegal state change. */
export class ConflictError extends DomainError {}
/** 422: well-formed but refused by a business rule. */
export class BusinessRuleError extends DomainError {
  constructor(message: string, readonly errors: FieldError[] = []) {
    super(message);
  }
}
/** 423 */
export class LockedError extends DomainError {}
/** 429 */
export class RateLimitedError extends DomainError {}
/**
 * 503: the database is saturated or a statement ran out of time; the client may retry after `retryAfterSeconds`
 * (sent as Retry-After).
 */
export class ServiceUnavailableError extends DomainError {
  constructor(message = 'The service is busy; try again shortly.', retryAfterSeconds = 5) {
    super(message, { 'Retry-After': String(retryAfterSeconds) });
  }
}
