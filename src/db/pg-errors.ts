import {
  BusinessRuleError, ConflictError, DomainError, ForbiddenError, ValidationError,
} from '../errors.js';

interface PgError {
  code: string;
  constraint?: string;
  column?: string;
  detail?: string;
  message: string;
}

function isPgError(error: unknown): error is PgError {
  return typeof error === 'object' && error !== null && typeof (error as PgError).code === 'string'
    && /^[0-9A-Z]{5}$/.test((error as PgError).code);
}

/** The field a unique or check constraint guards, from our naming (`table_column_key`, `table_column_check`). */
function fieldOf(error: PgError): string {
  const keyed = error.detail?.match(/^Key \(([^)]+)\)/);
  if (keyed?.[1]) return keyed[1].replace(/^lower\(|\)$/g, '');
  return error.column ?? error.constraint ?? 'body';
}

/** Translates PostgreSQL errors caused by client input into domain errors; anything else stays a 500. */
export function translatePgError(error: unknown): DomainError | undefined {
  if (!isPgError(error)) return undefined;
  switch (error.code) {
    case '23505':
      return new ConflictError(`A record with this ${fieldOf(error)} already exists.`);
    case '42P06':
      return new ConflictError('A schema with this name already exists.');
    case '23503':
      return error.detail?.includes('is still referenced')
        ? new ConflictError('The record is still referenced by other records.')
        : new BusinessRuleError('A referenced record does not exist.', [{ path: fieldOf(error), message: 'does not exist' }]);
    case '23502':
      return new ValidationError([{ path: fieldOf(error), message: 'is required' }]);
    case '23514':
      return new ValidationError([{ path: fieldOf(error), message: 'is not an allowed value' }]);
    case '22001':
      return new ValidationError([{ path: 'body', message: 'a value is too long' }]);
    case '22003':
      return new ValidationError([{ path: 'body', message: 'a number is out of range' }]);
    case '22P02':
    case '22007':
    case '22008':
      return new ValidationError([{ path: 'body', message: 'a value has the wrong format' }]);
    case '42501':
      // Insufficient privilege or a row-level security refusal: the caller may not write this row.
      return new ForbiddenError('Not allowed.');
    default:
      return undefined;
  }
}
