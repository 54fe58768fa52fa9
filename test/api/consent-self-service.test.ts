import { expect } from 'chai';
import { bearer } from '../helpers/actors.js';
import { bookFixture, type BookFixture } from '../helpers/book.js';
import { API, api } from '../helpers/context.js';
import { expectProblem } from '../helpers/problems.js';

// A policyholder user gives and withdraws its own consents (through the app or the web), and never another's.

describe('consent recorded by the policyholder themselves', () => {
  let book: BookFixture;
  before(async function () {
    this.timeout(180_000);
    book = await bookFixture();
  });

  const decide = (actor: Parameters<BookFixture['token']>[0], holder: string, body: Record<string, unknown>) =>
    api().post(`${API}/policyholders/${holder}/consents`).set(...bearer(book.token(actor))).send(body);

  it('a policyholder user gives and withdraws its own marketing consent; the record follows', async () => {
    const given = await decide('policyholder', book.policyholderA, { purpose: 'marketing', status: 'given', channel: 'app' });
    expect(given.status, given.text).to.equal(201);
    expect(given.body.current).to.deep.equal({ marketing: 'given' });
    const withdrawn = await decide('policyholder', book.policyholderA, { purpose: 'marketing', status: 'withdrawn', channel: 'web' });
    expect(withdrawn.status, withdrawn.text).to.equal(201);
    expect(withdrawn.body.current).to.deep.equal({ marketing: 'withdrawn' });
    const record = await api().get(`${API}/policyholders/${book.policyholderA}`).set(...bearer(book.token('juniorA')));
    expect(record.body.marketing_consent).to.equal(false);
    const mine = await api().get(`${API}/policyholders/${book.policyholderA}/consents`).set(...bearer(book.token('policyholder')));
    expect(mine.status, mine.text).to.equal(200);
    expect(mine.body.history).to.have.length(2);
  });

  it("a policyholder user cannot record another person's consent (403, nothing written)", async () => {
    const res = await decide('policyholder', book.policyholderB, { purpose: 'marketing', status: 'given', channel: 'app' });
    expectProblem(res, 403);
    const theirs = await api().get(`${API}/policyholders/${book.policyholderB}/consents`).set(...bearer(book.token('juniorB')));
    expect(theirs.body.history).to.have.length(0);
  });

  it('a person deciding for themselves does so through the app or the web, not as an agent or on paper', async () => {
    const res = await decide('policyholder', book.policyholderA, { purpose: 'analytics', status: 'withdrawn', channel: 'agent' });
    expectProblem(res, 400, ['body.channel']);
    expect(res.body.code).to.equal('data_protection.channel_not_self_service');
  });

  it('staff still record decisions through any channel, within their book only', async () => {
    const res = await decide('juniorA', book.policyholderA, { purpose: 'analytics', status: 'given', channel: 'paper' });
    expect(res.status, res.text).to.equal(201);
    expectProblem(await decide('juniorB', book.policyholderA, { purpose: 'analytics', status: 'given', channel: 'paper' }), 404);
  });
});
