import { expect } from 'chai';
import { rememberRelations, translatePgError, withWorkerFieldsRecovered } from '../../src/db/pg-errors.js';
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

  describe('the same answer for a PostgreSQL error and its Citus worker shape', () => {
    // A worker's error has no constraint/table/column fields and names shards (<name>_<shard id>) in its message.
    const WORKER = 'while executing command on 127.0.0.1:9701';
    before(() => rememberRelations(['users', 'user_roles', 'tenants']));

    const pairs: { name: string; local: unknown; worker: unknown; expected: { kind: Case['kind']; message?: RegExp; fields?: string[] } }[] = [
      { name: '23505 under RLS (no key detail)', expected: { kind: ConflictError, message: /^A record with this email already exists\./ },
        local: pg('23505', { table: 'users', constraint: 'users_email_key',
          message: 'duplicate key value violates unique constraint "users_email_key"' }),
        worker: pg('23505', { where: WORKER, message: 'duplicate key value violates unique constraint "users_email_key_102433"' }) },
      { name: '23505 whose table name is a prefix of another (user_roles, not users)',
        expected: { kind: ConflictError, message: /^A record with this user_id already exists\.( |$)/ },
        local: pg('23505', { table: 'user_roles', constraint: 'user_roles_user_id_key',
          message: 'duplicate key value violates unique constraint "user_roles_user_id_key"' }),
        worker: pg('23505', { where: WORKER, message: 'duplicate key value violates unique constraint "user_roles_user_id_key_102441"' }) },
      { name: '23514 on a one-column CHECK: the column from the constraint name',
        expected: { kind: ValidationError, fields: ['body.status'] },
        local: pg('23514', { table: 'users', constraint: 'users_status_check',
          message: 'new row for relation "users" violates check constraint "users_status_check"' }),
        worker: pg('23514', { where: WORKER, message: 'new row for relation "users_102008" violates check constraint "users_status_check"' }) },
      { name: '23514 on a table CHECK (no column) or the tenant pin: the whole body, the rule by its own name',
        expected: { kind: ValidationError, fields: ['body'], message: /rule users_tenant_pin/ },
        local: pg('23514', { table: 'users', constraint: 'users_tenant_pin',
          message: 'new row for relation "users" violates check constraint "users_tenant_pin"' }),
        worker: pg('23514', { where: WORKER, message: 'new row for relation "users_102008" violates check constraint "users_tenant_pin"' }) },
      { name: '23502: the column from the message', expected: { kind: ValidationError, fields: ['body.first_name'] },
        local: pg('23502', { table: 'users', column: 'first_name',
          message: 'null value in column "first_name" of relation "users" violates not-null constraint' }),
        worker: pg('23502', { where: WORKER,
          message: 'null value in column "first_name" of relation "users_102008" violates not-null constraint' }) },
      { name: '23503: a missing parent', expected: { kind: BusinessRuleError, fields: ['body.parent_tenant_id'] },
        local: pg('23503', { table: 'tenants', constraint: 'tenants_parent_tenant_id_fkey',
          detail: 'Key (parent_tenant_id)=(00000000-0000-4000-8000-000000000000) is not present in table "tenants".',
          message: 'insert or update on table "tenants" violates foreign key constraint "tenants_parent_tenant_id_fkey"' }),
        worker: pg('23503', { where: WORKER,
          detail: 'Key (parent_tenant_id)=(00000000-0000-4000-8000-000000000000) is not present in table "tenants_102010".',
          message: 'insert or update on table "tenants_102010" violates foreign key constraint "tenants_parent_tenant_id_fkey_102010"' }) },
    ];
    for (const pair of pairs) {
      it(`maps ${pair.name}`, () => {
        const [local, worker] = [translatePgError(pair.local), translatePgError(pair.worker)];
        expect(local).to.be.instanceOf(pair.expected.kind as NonNullable<Case['kind']>);
        expect(worker).to.be.instanceOf(pair.expected.kind as NonNullable<Case['kind']>);
        expect(worker?.message).to.equal(local?.message);
        const said = [local?.message, ...((local as ValidationError).errors ?? []).map((field) => field.message)].join(' | ');
        if (pair.expected.message) expect(said).to.match(pair.expected.message);
        const paths = (domain: DomainError | undefined) => ((domain as ValidationError).errors ?? []).map((field) => field.path);
        expect(paths(worker)).to.deep.equal(paths(local));
        expect(JSON.stringify((worker as ValidationError).errors)).to.equal(JSON.stringify((local as ValidationError).errors));
        if (pair.expected.fields) expect(paths(local)).to.deep.equal(pair.expected.fields);
        expect(JSON.stringify(worker)).to.not.match(/_1\d{5}/);
      });
    }

    it('strips a trailing number only from a worker error, never from a local one', () => {
      const local = pg('23505', { message: 'duplicate key value violates unique constraint "users_email_key_2"' });
      expect(withWorkerFieldsRecovered(local as never).constraint).to.equal('users_email_key_2');
      const worker = pg('23505', { where: WORKER, message: 'duplicate key value violates unique constraint "users_email_key_2_102433"' });
      expect(withWorkerFieldsRecovered(worker as never).constraint).to.equal('users_email_key_2');
    });
  });

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
