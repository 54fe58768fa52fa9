import crypto from 'node:crypto';
import { expect } from 'chai';
import { TokenService, type AccessClaims } from '../../src/auth/tokens.js';
import { UnauthenticatedError } from '../../src/errors.js';

const settings = { secret: 'x'.repeat(48), issuer: 'agent-mitra-test', audience: 'agent-mitra-api', accessTtlSeconds: 60, refreshTtlSeconds: 600 };
const claims: AccessClaims = { sub: crypto.randomUUID(), sid: crypto.randomUUID(), kind: 'tenant', tid: crypto.randomUUID(),
  auth_time: Math.floor(Date.now() / 1000), amr: ['pwd'] };

/** Runs `work` with Date.now() moved `seconds` ahead. */
function later<T>(seconds: number, work: () => T): T {
  const realNow = Date.now;
  const shifted = realNow() + seconds * 1000;
  Date.now = () => shifted;
  try {
    return work();
  } finally {
    Date.now = realNow;
  }
}

function refusal(work: () => unknown): string {
  try {
    work();
  } catch (error) {
    expect(error).to.be.instanceOf(UnauthenticatedError);
    return (error as Error).message;
  }
  throw new Error('expected the token to be refused');
}

describe('TokenService.verifyAccess (verified tokens are remembered until they expire)', () => {
  it('answers the same claims for the same token, and refuses it once expired although it was verified before', () => {
    const tokens = new TokenService(settings);
    const token = tokens.signAccess(claims);
    expect(tokens.verifyAccess(token)).to.deep.equal({ ...claims, rst: undefined });
    expect(tokens.verifyAccess(token)).to.deep.equal({ ...claims, rst: undefined });
    expect(later(59, () => tokens.verifyAccess(token).sub)).to.equal(claims.sub);
    expect(later(61, () => refusal(() => tokens.verifyAccess(token)))).to.equal('The access token has expired.');
  });

  it('refuses a token that differs from a verified one in any character, and one signed with another secret', () => {
    const tokens = new TokenService(settings);
    const token = tokens.signAccess(claims);
    tokens.verifyAccess(token);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const flipped = `${signature.slice(0, -2)}${signature.at(-2) === 'A' ? 'B' : 'A'}${signature.at(-1)}`;
    expect(refusal(() => tokens.verifyAccess(`${header}.${payload}.${flipped}`))).to.equal('The access token is not valid.');
    const other = new TokenService({ ...settings, secret: 'y'.repeat(48) });
    expect(refusal(() => other.verifyAccess(token))).to.equal('The access token is not valid.');
  });

  it('the claims it hands out cannot be changed by one request for the next', () => {
    const tokens = new TokenService(settings);
    const token = tokens.signAccess(claims);
    const first = tokens.verifyAccess(token) as { tid: string | null };
    expect(() => { first.tid = null; }).to.throw(TypeError);
    expect(tokens.verifyAccess(token).tid).to.equal(claims.tid);
  });
});
