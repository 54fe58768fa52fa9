import type { ErrorCode } from '../schemas/error-codes.js';

// Domain errors: services throw these; one table in http/problem.ts maps them to status codes. Each carries a
// stable reason code (schemas/error-codes.ts): the class's default, or a more specific one given at the throw.

export interface FieldError {
  readonly path: string;
  readonly message: string;
}

export interface ErrorOptions {
  readonly code?: ErrorCode;
  readonly headers?: Record<string, string>;
}

export class DomainError extends Error {
  static readonly defaultCode: ErrorCode = 'internal.error';
  readonly code: ErrorCode;
  readonly headers: Record<string, string>;

  constructor(message: string, options: ErrorOptions = {}) {
    super(message);
    this.name = new.target.name;
    this.code = options.code ?? (new.target as typeof DomainError).defaultCode;
    this.headers = options.headers ?? {};
  }
}

/** 400: the request is malformed; every offending field is listed. */
export class ValidationError extends DomainError {
  static override readonly defaultCode: ErrorCode = 'request.invalid';
  constructor(readonly errors: FieldError[], message = 'The request has invalid fields.', options: ErrorOptions = {}) {
    super(message, options);
  }
}
/** 401 */
export class UnauthenticatedError extends DomainError {
  static override readonly defaultCode: ErrorCode = 'auth.unauthenticated';
}
/** 403 */
export class ForbiddenError extends DomainError {
  static override readonly defaultCode: ErrorCode = 'access.forbidden';
}
/** 404: also for records that exist but are not visible to the caller. */
export class NotFoundError extends DomainError {
  static override readonly defaultCode: ErrorCode = 'resource.not_found';
}
/** 409: duplicate, or an illegal state change. */
export class ConflictError extends DomainError {
  static override readonly defaultCode: ErrorCode = 'resource.conflict';
}
/** 422: well-formed but refused by a business rule. */
export class BusinessRuleError extends DomainError {
  static override readonly defaultCode: ErrorCode = 'rule.violated';
  constructor(message: string, readonly errors: FieldError[] = [], options: ErrorOptions = {}) {
    super(message, options);
  }
}
/** 413: the body (an uploaded file) is larger than the endpoint takes. */
export class PayloadTooLargeError extends DomainError {
  static override readonly defaultCode: ErrorCode = 'request.body_too_large';
}
/** 415: the body is not in a media type the endpoint reads (e.g. JSON sent to an upload). */
export class UnsupportedMediaTypeError extends DomainError {
  static override readonly defaultCode: ErrorCode = 'request.unsupported_media_type';
}
/** 423 */
export class LockedError extends DomainError {
  static override readonly defaultCode: ErrorCode = 'auth.locked';
}
/** 429 */
export class RateLimitedError extends DomainError {
  static override readonly defaultCode: ErrorCode = 'rate.limited';
}
/**
 * 503: the database is saturated or a statement ran out of time; the client may retry after `retryAfterSeconds`
 * (sent as Retry-After).
 */
export class ServiceUnavailableError extends DomainError {
  static override readonly defaultCode: ErrorCode = 'service.unavailable';
  constructor(message = 'The service is busy; try again shortly.', retryAfterSeconds = 5) {
    super(message, { headers: { 'Retry-After': String(retryAfterSeconds) } });
  }
}
