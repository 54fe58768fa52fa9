import crypto from 'node:crypto';
import { expect } from 'chai';
import { bearer, createTestTenant, createTestUser, type TestTenant, type TestUser } from '../helpers/actors.js';
import { createPolicyholderAs } from '../helpers/book.js';
import { ownerInTenant } from '../helpers/catalog.js';
import { PDF } from '../helpers/documents.js';
import { addTerms, consultationClaim } from '../helpers/claims.js';
import { API, api } from '../helpers/context.js';
import { expectProblem } from '../helpers/problems.js';

// Retention periods per tenant and the purge that applies them: past-period rows go (or are emptied), younger
// ones stay, and a second run purges nothing more and leaves the same state.

describe('retention periods and the purge', () => {
  let tenant: TestTenant;
  let agent: TestUser;
  let oldClaim: string;
  let newClaim: string;

  /** The owner, in the tenant's context (forced RLS binds it too). */
  const asOwner = <T>(work: (query: (sql: string, values?: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>) => Promise<T>) =>
    ownerInTenant(tenant, async (client) => {
      return work((sql, values) => client.query(sql, values));
    });

  const state = () => asOwner(async (query) => (await query(`SELECT
      (SELECT count(*) FROM user_sessions)::int AS sessions,
      (SELECT count(*) FROM audit_log)::int AS audit,
      (SELECT count(*) FROM personal_data_reads)::int AS reads,
      (SELECT count(*) FROM claims WHERE request = '{}'::jsonb)::int AS emptied_claims,
      (SELECT count(*) FROM claim_documents WHERE extracted_data IS NOT NULL OR extracted_data_sealed IS NOT NULL)::int AS documents_read`)).rows[0]);

  const purge = async () => {
    const res = await api().post(`${API}/retention-purges`).set(...bearer(tenant.admin.token));
    expect(res.status, res.text).to.equal(200);
    return res.body.purged as Record<string, number>;
  };

  before(async () => {
    tenant = await createTestTenant();
    agent = await createTestUser(tenant, 'regional_manager', { agent: true });
    await addTerms(tenant);
    const holder = await createPolicyholderAs(agent.token, { first_name: 'Retained' });
    const submit = async () => {
      const res = await api().post(`${API}/claims`).set(...bearer(agent.token)).send(consultationClaim(holder, { policy_terms_id: 'PLUM_OPD_2024' }));
      expect(res.status, res.text).to.equal(201);
      return res.body.claim_id as string;
    };
    oldClaim = await submit();
    newClaim = await submit();
    for (const claim of [oldClaim, newClaim]) {
      const upload = await api().post(`${API}/claims/${claim}/documents`).set(...bearer(agent.token)).field('document_type', 'bill').attach('file', PDF, 'bill.pdf');
      expect(upload.status, upload.text).to.equal(201);
    }
    await asOwner(async (query) => {
      await query("UPDATE claims SET created_at = now() - interval '11 years' WHERE claim_id = $1", [oldClaim]);
      // What OCR read off both claims' bills (as stored before sealing: the purge empties either form).
      await query(`UPDATE claim_documents SET status = 'processed', extracted_data = '{"bill": {"bill_number": "B-1"}}'::jsonb`);
      const user = agent.user_id;
      await query(`INSERT INTO user_sessions (user_id, refresh_token_hash, expires_at, revoked_at, revoked_reason)
        VALUES ($1, $2, now() - interval '200 days', now() - interval '201 days', 'logout'), ($1, $3, now() + interval '1 day', NULL, NULL)`,
      [user, crypto.randomBytes(16).toString('hex'), crypto.randomBytes(16).toString('hex')]);
      await query(`INSERT INTO audit_log (table_name, record_id, action, actor, occurred_at)
        VALUES ('roles', 'x', 'update', 'user', now() - interval '11 years'), ('roles', 'y', 'update', 'user', now() - interval '10 days')`);
      await query(`INSERT INTO personal_data_reads (request_id, purpose, endpoint, subject, record_ids, policyholder_ids, fields, occurred_at)
        VALUES (gen_random_uuid(), 'servicing', 'GET /x', 'policyholders', ARRAY[gen_random_uuid()], '{NULL}', '{first_name}', now() - interval '4 years')`);
    });
  });

  it('lists every class with its default, and takes a tenant setting', async () => {
    const res = await api().get(`${API}/retention-periods`).set(...bearer(tenant.admin.token));
    expect(res.status, res.text).to.equal(200);
    expect(res.body.data.map((p: { data_class: string }) => p.data_class)).to.include.members(['closed_claims', 'ended_sessions', 'audit_log', 'read_audit']);
    const put = await api().put(`${API}/retention-periods/ended_sessions`).set(...bearer(tenant.admin.token)).send({ days: 180 });
    expect(put.status, put.text).to.equal(204);
    const after = await api().get(`${API}/retention-periods`).set(...bearer(tenant.admin.token));
    expect(after.body.data.find((p: { data_class: string }) => p.data_class === 'ended_sessions')).to.include({ days: 180, source: 'tenant' });
    expectProblem(await api().put(`${API}/retention-periods/ended_sessions`).set(...bearer(tenant.admin.token)).send({ days: 0 }), 400, ['body.days']);
    expectProblem(await api().put(`${API}/retention-periods/ended_sessions`).set(...bearer(agent.token)).send({ days: 30 }), 403);
  });

  it('purges what is past its period, keeps the rest, and a second run gives the same result', async () => {
    expect((await state())?.documents_read).to.equal(2);
    const first = await purge();
    expect(first).to.include({ closed_claims: 1, ended_sessions: 1, audit_log: 1, read_audit: 1 });
    const afterFirst = await state();
    expect(afterFirst?.documents_read, 'the closed claim\'s document is emptied, the open one\'s kept').to.equal(1);
    const second = await purge();
    expect(Object.values(second).every((n) => n === 0), JSON.stringify(second)).to.equal(true);
    expect(await state()).to.deep.equal(afterFirst);
    const kept = await api().get(`${API}/claims/${newClaim}`).set(...bearer(agent.token));
    expect(kept.body.trail.length).to.be.greaterThan(0);
    const emptied = await api().get(`${API}/claims/${oldClaim}`).set(...bearer(agent.token));
    expect(emptied.status, emptied.text).to.equal(200);
    expect(emptied.body).to.include({ claim_id: oldClaim, hospital: null });
    expect(emptied.body.trail).to.deep.equal([]);
  });

  it('never lets the trails go younger than 90 days, whatever the runtime role asks', async () => {
    const shortened = await api().put(`${API}/retention-periods/audit_log`).set(...bearer(tenant.admin.token)).send({ days: 1 });
    expect(shortened.status).to.equal(204);
    expect((await purge()).audit_log).to.equal(0);
    expect((await state())?.audit).to.be.greaterThan(0);
  });
});
