import {
  BusinessRuleError, ConflictError, DomainError, ForbiddenError, ServiceUnavailableError, ValidationError,
} from '../errors.js';

interface PgError {
  code: string;
  table?: string | undefined;
  constraint?: string | undefined;
  column?: string | undefined;
  detail?: string | undefined;
  where?: string | undefined;
  message: string;
}

function isPgError(error: unknown): error is PgError {
  return typeof error === 'object' && error !== null && typeof (error as PgError).code === 'string'
    && /^[0-9A-Z]{5}$/.test((error as PgError).code);
}

/** Table names of the app's schemas, to split a constraint name that arrives without its table (Citus workers). */
const knownRelations = new Set<string>();

export function rememberRelations(names: Iterable<string>): void {
  for (const name of names) knownRelations.add(name);
}

/**
 * A Citus worker's error reaches the coordinator without constraint, table and column, and names shards in its
 * message (`relation "users_102008"`, `constraint "users_email_key_102008"`). Recovers the fields PostgreSQL
 * itself would have filled in, so both engines give the same answer.
 */
export function withWorkerFieldsRecovered(error: PgError): PgError {
  if (error.constraint || error.table || error.column) return error;
  const fromWorker = /while executing command on/.test(error.where ?? '');
  const relation = /(?:relation|table) "([^"]+)"/.exec(error.message)?.[1];
  const shardId = fromWorker ? relation?.match(/_(\d+)$/)?.[1] : undefined;
  const unshard = (name: string) => (!fromWorker ? name
    : shardId && name.endsWith(`_${shardId}`) ? name.slice(0, -shardId.length - 1) : name.replace(/_\d+$/, ''));
  const constraint = /constraint "([^"]+)"/.exec(error.message)?.[1];
  const recovered = {
    ...error,
    constraint: constraint && unshard(constraint),
    table: relation && unshard(relation),
    column: /^null value in column "([^"]+)"/.exec(error.message)?.[1],
  };
  if (!recovered.table && recovered.constraint) recovered.table = tableOfConstraint(recovered.constraint);
  return recovered;
}

/** The longest known table name the constraint's name starts with (PostgreSQL names constraints `<table>_...`). */
function tableOfConstraint(constraint: string): string | undefined {
  return [...knownRelations].filter((table) => constraint.startsWith(`${table}_`)).sort((a, b) => b.length - a.length)[0];
}

/** The column of a one-column CHECK named the way PostgreSQL names it: `<table>_<column>_check`. */
function checkedColumn(error: PgError): string | undefined {
  const { table, constraint } = error;
  if (!table || !constraint?.startsWith(`${table}_`) || !constraint.endsWith('_check')) return undefined;
  const column = constraint.slice(table.length + 1, -'_check'.length);
  return /^[a-z_][a-z0-9_]*$/.test(column) ? column : undefined;
}

/** The columns of a `Key (col, ...)=(...)` detail (unique and foreign key violations), `lower(email)` read as email. */
function keyColumns(error: PgError): string[] {
  const keyed = error.detail?.match(/^Key \((.+?)\)=\(/);
  if (!keyed?.[1]) return [];
  return keyed[1].split(',').map((part) => part.trim()
    .replace(/^lower\((.*)\)$/i, '$1') // an expression index on lower(email)
    .replace(/::[a-z ]+$/i, '') // a cast PostgreSQL prints, e.g. email::text
    .replace(/^"(.*)"$/, '$1'))
    .filter((column) => /^[a-z_][a-z0-9_]*$/i.test(column));
}

/**
 * Where the offending input was, as a field error path: `body.<column>` when PostgreSQL names one column (the
 * error's column field, else a one-column key detail), plain `body` otherwise. Never a constraint name.
 */
function pathOf(error: PgError): string {
  if (error.column) return `body.${error.column}`;
  const columns = keyColumns(error);
  return columns.length === 1 ? `body.${columns[0]}` : 'body';
}

/** One field error: `atColumn` when a column is known ("body.email: is required"), else `atBody` ("body: a value ..."). */
function invalid(error: PgError, atColumn: string, atBody: string): ValidationError {
  const path = pathOf(error);
  return new ValidationError([{ path, message: path === 'body' ? atBody : atColumn }]);
}

/**
 * What a unique key covers, for the conflict message: 'email', or 'tenant_id and config_key'. Under row-level
 * security PostgreSQL leaves the key out of the detail; then our constraint naming (`<table>_<columns>_key`) tells.
 */
function keyDescription(error: PgError): string | undefined {
  const columns = keyColumns(error);
  if (columns.length) return columns.join(' and ');
  const { table, constraint } = error;
  if (table && constraint?.startsWith(`${table}_`) && constraint.endsWith('_key')) {
    return constraint.slice(table.length + 1, -'_key'.length) || undefined;
  }
  return undefined;
}

/** Translates PostgreSQL errors caused by client input into domain errors; anything else stays a 500. */
export function translatePgError(raised: unknown): DomainError | undefined {
  if (!isPgError(raised)) return undefined;
  const error = withWorkerFieldsRecovered(raised);
  switch (error.code) {
    case '23505': {
      const key = keyDescription(error);
      return new ConflictError(key ? `A record with this ${key} already exists.` : 'A record with these values already exists.',
        { code: 'resource.duplicate' });
    }
    case '42P06':
      return new ConflictError('A schema with this name already exists.', { code: 'resource.duplicate' });
    case '23503':
      return error.detail?.includes('is still referenced')
        ? new ConflictError('The record is still referenced by other records.', { code: 'resource.still_referenced' })
        : new BusinessRuleError('A referenced record does not exist.', [{ path: pathOf(error), message: 'does not exist' }],
          { code: 'rule.reference_missing' });
    case '23502':
      return invalid(error, 'is required', 'a required value is missing');
    case '23514': {
      // A check constraint's name says which rule was broken (e.g. users_check: one identifier is required).
      const rule = error.constraint ? ` (rule ${error.constraint})` : '';
      const checked = { ...error, column: error.column ?? checkedColumn(error) };
      return invalid(checked, `is not an allowed value${rule}`, `a value or combination of values is not allowed${rule}`);
    }
    case '22001':
      return invalid(error, 'is too long', 'a value is too long');
    case '22003':
      return invalid(error, 'is out of range', 'a number is out of range');
    case '22P02':
    case '22007':
    case '22008':
      return invalid(error, 'has the wrong format', 'a value has the wrong format');
    case '22021': // character_not_in_repertoire: a NUL byte in text
    case '22P05': // untranslatable_character: \u0000 in jsonb
      return invalid(error, 'must not contain a NUL character', 'a value must not contain a NUL character');
    case '42939': // reserved_name, e.g. a schema named pg_*
      return invalid(error, 'is a name reserved by PostgreSQL', 'a name is reserved by PostgreSQL');
    case '42501':
      // Insufficient privilege or a row-level security refusal: the caller may not write this row.
      return new ForbiddenError('Not allowed.');
    case '57014': // query_canceled: statement_timeout (or a cancel request)
      return new ServiceUnavailableError('The database took too long to answer; try again shortly.');
    case '25P03': // idle_in_transaction_session_timeout: the session was ended under the request
      return new ServiceUnavailableError('The database ended the transaction; try again shortly.');
    case '40001': // serialization_failure
    case '40P01': // deadlock_detected: the transaction was rolled back whole; repeating it is safe
      return new ServiceUnavailableError('The request collided with another one; try again.');
    case '53300': // too_many_connections
    case '57P03': // cannot_connect_now (starting up or shutting down)
      return new ServiceUnavailableError('The database is not accepting connections; try again shortly.');
    default:
      return undefined;
  }
}
