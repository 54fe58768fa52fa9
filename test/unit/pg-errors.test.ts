import { expect } from 'chai';
import { translatePgError } from '../../src/db/pg-errors.js';
import {
  BusinessRuleError, ConflictError, type DomainError, ForbiddenError, ServiceUnavailableError, ValidationError,
} from '../../src/errors.js';

// PostgreSQL errors as pg delivers them (code, constraint, column, detail), and the domain error each becomes.

interface Case {
  readonly name: string;
  readonly error: unknown;
  readonly kind?: new (...args: never[]) => DomainError;
  readonly message?: RegExp;
  readonly fields?: { path: string; message: RegExp }[];
  readonly headers?: Record<string, string>;
}

const pg = (code: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`pg error ${code}`), { code, severity: 'ERROR', ...extra });

const CASES: Case[] = [
  { name: '40P01 deadlock: the transaction was rolled back whole, so a retry is safe (503)', kind: ServiceUnavailableError,
    error: pg('40P01') },
  { name: '40001 serialization failure (503)', kind: ServiceUnavailableError, error: pg('40001') },
  { name: '23505 with a one-column key detail', kind: ConflictError, message: /this email already exists/,
    error: pg('23505', { constraint: 'users_email_key', detail: 'Key (email)=(a@b.test) already exists.' }) },
  { name: '23505 on an expression index (lower(email::text))', kind: ConflictError, message: /this email already exists/,
    error: pg('23505', { constraint: 'users_email_lower', detail: 'Key (lower(email::text))=(a@b.test) already exists.' }) },
  { name: '23505 with a two-column key', kind: ConflictError, message: /this tenant_id and config_key already exists/,
    error: pg('23505', { constraint: 'tenant_config_tenant_id_config_key_key',
      detail: 'Key (tenant_id, config_key)=(0c8e…, a.b) already exists.' }) },
  { name: '23505 under RLS (no key in the detail): the column from the constraint name', kind: ConflictError,
    message: /^A record with this email already exists\.$/, error: pg('23505', { table: 'users', constraint: 'users_email_key' }) },
  { name: '23505 with neither detail nor a conventional constraint name', kind: ConflictError,
    message: /^A record with these values already exists\.$/, error: pg('23505', { table: 'users', constraint: 'some_index' }) },
  { name: '23503 naming a missing parent', kind: BusinessRuleError,
    fields: [{ path: 'body.parent_tenant_id', message: /does not exist/ }],
    error: pg('23503', { constraint: 'tenants_parent_tenant_id_fkey',
      detail: 'Key (parent_tenant_id)=(00000000-0000-4000-8000-000000000000) is not present in table "tenants".' }) },
  { name: '23503 on a still referenced row', kind: ConflictError, message: /still referenced/,
    error: pg('23503', { detail: 'Key (role_id)=(…) is still referenced from table "user_roles".' }) },
  { name: '23502 with a column', kind: ValidationError, fields: [{ path: 'body.first_name', message: /^is required$/ }],
    error: pg('23502', { column: 'first_name', table: 'users' }) },
  { name: '23502 without a column', kind: ValidationError, fields: [{ path: 'body', message: /required value is missing/ }],
    error: pg('23502') },
  { name: '23514 without a column: body, the rule in the message, never the constraint as path', kind: ValidationError,
    fields: [{ path: 'body', message: /not allowed \(rule users_check\)/ }],
    error: pg('23514', { constraint: 'users_check', table: 'users' }) },
  { name: '23514 with a column', kind: ValidationError, fields: [{ path: 'body.status', message: /^is not an allowed value/ }],
    error: pg('23514', { constraint: 'users_status_check', column: 'status' }) },
  { name: '22001 value too long', kind: ValidationError, fields: [{ path: 'body', message: /too long/ }], error: pg('22001') },
  { name: '22003 number out of range', kind: ValidationError, fields: [{ path: 'body', message: /out of range/ }], error: pg('22003') },
  { name: '22P02 invalid text representation', kind: ValidationError, fields: [{ path: 'body', message: /wrong format/ }],
    error: pg('22P02') },
  { name: '22007 invalid datetime format', kind: ValidationError, fields: [{ path: 'body', message: /wrong format/ }],
    error: pg('22007') },
  { name: '22021 NUL byte in text', kind: ValidationError, fields: [{ path: 'body', message: /NUL character/ }],
    error: pg('22021', { message: 'invalid byte sequence for encoding "UTF8": 0x00' }) },
  { name: '22P05 \\u0000 in jsonb', kind: ValidationError, fields: [{ path: 'body', message: /NUL character/ }],
    error: pg('22P05', { message: 'unsupported Unicode escape sequence', detail: '\\u0000 cannot be converted to text.' }) },
  { name: '42939 reserved name (a pg_ schema)', kind: ValidationError, fields: [{ path: 'body', message: /reserved by PostgreSQL/ }],
    error: pg('42939', { message: 'unacceptable schema name "pg_test_schema"' }) },
  { name: '42501 RLS refusal', kind: ForbiddenError, error: pg('42501') },
  { name: '57014 statement timeout', kind: ServiceUnavailableError, message: /too long/, headers: { 'Retry-After': '5' },
    error: pg('57014', { message: 'canceling statement due to statement timeout' }) },
  { name: '25P03 idle in transaction timeout', kind: ServiceUnavailableError, headers: { 'Retry-After': '5' },
    error: pg('25P03') },
  { name: '53300 too many connections', kind: ServiceUnavailableError, error: pg('53300') },
];

describe('translatePgError', () => {
  for (const testCase of CASES) {
    it(`maps ${testCase.name}`, () => {
      const domain = translatePgError(testCase.error);
      expect(domain, testCase.name).to.be.instanceOf(testCase.kind as NonNullable<Case['kind']>);
      if (testCase.message) expect(domain?.message).to.match(testCase.message);
      if (testCase.headers) expect(domain?.headers).to.deep.equal(testCase.headers);
      const errors = (domain as ValidationError | BusinessRuleError).errors ?? [];
      expect(errors.map((field) => field.path)).to.deep.equal((testCase.fields ?? []).map((field) => field.path));
      testCase.fields?.forEach((field, index) => expect(errors[index]?.message).to.match(field.message));
      for (const field of errors) expect(field.path).to.match(/^body(\.[a-z_]+)?$/);
    });
  }

  const untouched: [string, unknown][] = [
    ['an unknown SQLSTATE', pg('XX000', { message: 'internal error' })],
    ['a syntax error (our bug, not the client\'s)', pg('42601')],
    ['a plain Error', new Error('boom')],
    ['a Node system error', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
    ['a string', 'oops'],
    ['null', null],
    ['undefined', undefined],
  ];
  for (const [name, error] of untouched) {
    it(`leaves ${name} alone (undefined: a 500)`, () => {
      expect(translatePgError(error)).to.equal(undefined);
    });
  }
});
