import { expect } from 'chai';
import { z } from 'zod';
import { TenantCode } from '../../schemas/common.js';
import { ValidationError } from '../../src/errors.js';
import {
  DEPTH_MESSAGE, MAX_NESTING_DEPTH, NUL_MESSAGE, parseRequestParts, rawInputErrors,
} from '../../src/http/validate.js';

function nested(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let level = 0; level < depth; level += 1) value = [value];
  return value;
}

function validationErrorOf(work: () => unknown): ValidationError {
  try {
    work();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('request validation: what every part is checked for as sent', () => {
  it('finds a NUL in any string, at any depth, in document order', () => {
    const body = { a: 'ok', admin: { first_name: 'x\u0000', tags: ['fine', '\u0000'] }, config_value: { a: { b: 'c\u0000' } } };
    expect(rawInputErrors(body, 'body').errors).to.deep.equal([
      { path: 'body.admin.first_name', message: NUL_MESSAGE },
      { path: 'body.admin.tags.1', message: NUL_MESSAGE },
      { path: 'body.config_value.a.b', message: NUL_MESSAGE },
    ]);
  });

  it('finds a NUL in an object key and spells it out in the path', () => {
    expect(rawInputErrors({ 'k\u0000': 1 }, 'body').errors).to.deep.equal([{ path: 'body.k\\u0000', message: `${NUL_MESSAGE} in its name` }]);
  });

  it('checks query and params too, including repeated query parameters', () => {
    expect(rawInputErrors({ q: 'a\u0000', limit: ['5', '\u0000'] }, 'query').errors.map((error) => error.path))
      .to.deep.equal(['query.q', 'query.limit.1']);
    expect(rawInputErrors('a\u0000', 'params').errors).to.deep.equal([{ path: 'params', message: NUL_MESSAGE }]);
  });

  it('accepts ordinary input, and NUL spelled as text', () => {
    expect(rawInputErrors({ a: [1, null, true, { b: '\\u0000', c: 'नमस्ते' }] }, 'body').errors).to.deep.equal([]);
    expect(rawInputErrors(undefined, 'query').errors).to.deep.equal([]);
  });

  it(`refuses nesting deeper than ${MAX_NESTING_DEPTH} levels, once, without recursing (100000 levels)`, () => {
    expect(rawInputErrors(nested(MAX_NESTING_DEPTH), 'body').errors).to.deep.equal([]);
    const { errors, tooDeep } = rawInputErrors(nested(100_000), 'body');
    expect(tooDeep).to.equal(true);
    expect(errors).to.have.length(1);
    expect(errors[0]?.message).to.equal(DEPTH_MESSAGE);
    expect(errors[0]?.path).to.equal(['body', ...Array(MAX_NESTING_DEPTH).fill('0')].join('.'));
  });

  it('reports at most 20 errors per part', () => {
    expect(rawInputErrors(Array(1000).fill('\u0000'), 'body').errors).to.have.length(20);
  });

  it('still finds a too-deep value after 20 other errors (it must never reach the schema)', () => {
    const body = { ...Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`f${i}`, '\u0000'])), deep: nested(10_000) };
    const checked = rawInputErrors(body, 'body');
    expect(checked.tooDeep).to.equal(true);
    expect(checked.errors).to.have.length(20);
  });
});

describe('parseRequestParts', () => {
  const parts = {
    params: z.object({ id: z.uuid() }),
    query: z.object({ q: z.string().optional() }),
    body: z.object({ email: z.email(), note: z.string() }),
  };

  it('reports NULs together with every other bad field, across all parts, in one ValidationError', () => {
    const error = validationErrorOf(() => parseRequestParts(parts, {
      params: { id: 'x' }, query: { q: 'a\u0000' }, body: { email: 'not-an-email', note: 'b\u0000' },
    }));
    expect(error.errors.map((field) => field.path)).to.have.members(['params.id', 'query.q', 'body.email', 'body.note']);
  });

  it('checks the raw parts even where the endpoint has no schema for them', () => {
    const error = validationErrorOf(() => parseRequestParts({}, { params: {}, query: { x: '\u0000' }, body: { y: ['\u0000'] } }));
    expect(error.errors).to.deep.equal([
      { path: 'query.x', message: NUL_MESSAGE },
      { path: 'body.y.0', message: NUL_MESSAGE },
    ]);
  });

  it('does not hand a too deep part to its schema (whose refinements might recurse)', () => {
    let refinementRan = false;
    const body = z.unknown().refine(() => {
      refinementRan = true;
      return true;
    });
    const error = validationErrorOf(() => parseRequestParts({ body }, { params: {}, query: {}, body: nested(5000) }));
    expect(refinementRan).to.equal(false);
    expect(error.errors.map((field) => field.message)).to.deep.equal([DEPTH_MESSAGE]);
  });

  it('returns the parsed parts when all is well', () => {
    const id = '0c8e5f3a-1b2c-4d5e-8f90-123456789abc';
    expect(parseRequestParts(parts, { params: { id }, query: {}, body: { email: 'A@B.test', note: 'hi' } }))
      .to.deep.equal({ params: { id }, query: {}, body: { email: 'A@B.test', note: 'hi' } });
  });
});

describe('TenantCode', () => {
  it('refuses codes starting with PG_ (their schema pg_*_schema is reserved), with a message saying so', () => {
    expect(TenantCode.safeParse('PG_TEST').error?.issues.map((issue) => issue.message))
      .to.deep.equal(['must not start with PG_ (reserved by PostgreSQL)']);
    expect(TenantCode.safeParse('pg_test').error?.issues.map((issue) => issue.message))
      .to.deep.equal(['must match ^[A-Z][A-Z0-9_]{1,19}$']);
    for (const code of ['PGX', 'PG', 'LIC', 'A_PG_B']) expect(TenantCode.safeParse(code).success, code).to.equal(true);
  });
});
