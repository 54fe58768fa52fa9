import { expect } from 'chai';
import type { Response } from 'supertest';
import { ERROR_CODE_LIST, type ErrorCode } from '../../schemas/error-codes.js';

/** A uuid no record has. */
export const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

/**
 * Asserts an RFC 9457 problem answer with this status and a reason code (this one, when given), naming at least
 * `paths` among its field errors, and returns the parsed problem.
 */
export function expectProblem(res: Response, status: number, paths: string[] = [], code?: ErrorCode): Record<string, unknown> {
  expect(res.status, res.text).to.equal(status);
  expect(res.headers['content-type']).to.match(/^application\/problem\+json(;|$)/);
  const problem = JSON.parse(res.text);
  expect(problem).to.include({ status, type: `https://agentmitra.in/problems/${status}` });
  expect(problem.title).to.be.a('string').and.not.equal('');
  expect(problem.detail).to.be.a('string').and.not.equal('');
  expect(ERROR_CODE_LIST).to.include(problem.code);
  if (code) expect(problem.code).to.equal(code);
  expect((problem.errors ?? []).map((error: { path: string }) => error.path)).to.include.members(paths);
  return problem;
}
