import { expect } from 'chai';
import { runAsSystem } from '../../src/scope/run.js';
import type { TenantRecord } from '../../src/tenants/repository.js';
import { verhoeffValid } from '../../schemas/sensitive-fields.js';
import { reencryptJob, reencryptTenant } from '../../src/data-protection/encryption/reencrypt.js';
import { bearer, createTestTenant, createTestUser } from '../helpers/actors.js';
import { jobProcess, waitFor } from '../helpers/jobs.js';
import { bookFixture, createPolicyholderAs, type BookFixture } from '../helpers/book.js';
import { inOwnerTransaction } from '../../src/db/privileged.js';
import { enterTenant } from '../../src/db/scope.js';
import { API, api, testDeps } from '../helpers/context.js';
import { expectProblem } from '../helpers/problems.js';

// Encryption at rest (issue 12 item 2): PAN, Aadhaar, bank account and pre-existing conditions are ciphertext in
// the database, masked in answers, in full only for a caller allowed to reveal them (and recorded), found by
// exact match through blind indexes, and re-sealed under a new key while requests keep running.

const PAN = 'ABCPV1234K';
const AADHAAR = '234123412346';
const ACCOUNT = '001234567890';
const CONDITION = 'Chronic kidney disease stage 2';

describe('sensitive fields: encryption at rest', () => {
  let fx: BookFixture;
  let junior: string;
  let admin: string;
  let holderId: string;

  const get = (token: string, id: string, query: Record<string, string> = {}) =>
    api().get(`${API}/policyholders/${id}`).query(query).set(...bearer(token));
  const list = (token: string, query: Record<string, string>) => api().get(`${API}/policyholders`).query(query).set(...bearer(token));
  // As the owner (migrations' role), in the tenant's scope: what is really stored.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const ownerSql = (sql: string, bindings: unknown[] = []): Promise<any[]> => inOwnerTransaction(testDeps().db, async (tx) => {
    await enterTenant(tx, fx.tenant);
    return (await tx.raw(sql, bindings as never[])).rows;
  });
  const rowAsOwner = async (id: string) => (await ownerSql('SELECT row_to_json(p)::text AS text, p.* FROM policyholders p WHERE policyholder_id = ?', [id]))[0];
  const tenantRecord = async () => await testDeps().tenants.byId(fx.tenant.tenant_id) as TenantRecord;

  before(async function () {
    this.timeout(120_000);
    fx = await bookFixture();
    junior = fx.token('juniorA');
    admin = fx.tenant.admin.token;
    const res = await api().post(`${API}/policyholders`).set(...bearer(junior)).send({
      first_name: 'Meera', pan: ' abcpv1234k ', aadhaar_number: '2341 2341 2346',
      bank_account: { account_number: ACCOUNT, ifsc: 'sbin0001234', holder_name: 'Meera Pillai' },
      pre_existing_conditions: [{ condition: CONDITION, diagnosed_on: '2021-02-03' }],
    });
    expect(res.status, res.text).to.equal(201);
    holderId = res.body.policyholder_id;
    expect(res.body).to.include({ pan: 'XXXXX1234X', aadhaar_number: 'XXXX-XXXX-2346' });
    expect(res.body.bank_account).to.deep.equal({ account_number: 'XXXXXXXX7890', ifsc: 'SBIN0001234', holder_name: 'Meera Pillai' });
  });

  it('validates at parse: PAN shape, Aadhaar digits and Verhoeff check digit, IFSC', async () => {
    expect(verhoeffValid(AADHAAR)).to.equal(true);
    expect(verhoeffValid('234123412345')).to.equal(false);
    const res = await api().post(`${API}/policyholders`).set(...bearer(junior)).send({
      first_name: 'Bad', pan: 'ABCP1234K', aadhaar_number: '234123412345', bank_account: { account_number: '12', ifsc: 'SBIN1001234' },
    });
    expectProblem(res, 400, ['body.pan', 'body.aadhaar_number', 'body.bank_account.account_number', 'body.bank_account.ifsc']);
    expectProblem(await list(junior, { pan: 'nope' }), 400, ['query.pan']);
  });

  it('stores ciphertext only: no plaintext anywhere in the row or in its audit trail', async () => {
    const row = await rowAsOwner(holderId);
    for (const secret of [PAN, AADHAAR, ACCOUNT, '1234', 'SBIN0001234', 'Meera Pillai', CONDITION, 'kidney']) {
      expect(row.text, secret).not.to.include(secret);
    }
    expect(row.pan_sealed).to.match(/^k1:v1\./);
    expect(row.pre_existing_conditions).to.deep.equal([]);
    expect(row.sealed_key_version).to.equal(1);
    const [audit] = await ownerSql("SELECT string_agg(row_to_json(a)::text, ' ') AS text FROM audit_log a WHERE record_id = ?", [holderId]);
    expect(audit.text).to.include('Meera');
    for (const secret of [PAN, AADHAAR, ACCOUNT, CONDITION]) expect(audit.text, secret).not.to.include(secret);
    const keys = await ownerSql('SELECT wrapped_key FROM data_keys ORDER BY purpose');
    expect(keys).to.have.length(2);
    for (const key of keys) expect(key.wrapped_key).to.match(/^v1\./);
  });

  it('answers masked by default, also to a provider admin; conditions (health) to whoever may read the record', async () => {
    for (const token of [junior, fx.token('senior'), admin]) {
      const res = await get(token, holderId);
      expect(res.status, res.text).to.equal(200);
      expect(res.body).to.include({ pan: 'XXXXX1234X', aadhaar_number: 'XXXX-XXXX-2346' });
      expect(res.body.bank_account.account_number).to.equal('XXXXXXXX7890');
      expect(res.body.pre_existing_conditions).to.deep.equal([{ condition: CONDITION, diagnosed_on: '2021-02-03' }]);
    }
  });

  it('reveals in full only with the permission, a purpose and an explicit field list, and records each reveal', async () => {
    expectProblem(await get(junior, holderId, { reveal: 'pan', purpose: 'KYC check' }), 403);
    expectProblem(await get(admin, holderId, { reveal: 'pan' }), 400, ['query.purpose']);
    expectProblem(await get(admin, holderId, { reveal: 'pan,password', purpose: 'KYC check' }), 400, ['query.reveal']);
    const res = await get(admin, holderId, { reveal: 'pan,aadhaar_number', purpose: 'KYC re-verification' });
    expect(res.status, res.text).to.equal(200);
    expect(res.body).to.include({ pan: PAN, aadhaar_number: AADHAAR });
    expect(res.body.bank_account.account_number).to.equal('XXXXXXXX7890');
    const bank = await get(admin, holderId, { reveal: 'bank_account', purpose: 'Claim payout' });
    expect(bank.body.bank_account.account_number).to.equal(ACCOUNT);
    const reveals = await ownerSql(`SELECT fields, purpose, actor_user_id, actor FROM sensitive_field_reveals
      WHERE record_id = ? ORDER BY revealed_at`, [holderId]);
    expect(reveals.map((reveal) => [reveal.fields, reveal.purpose])).to.deep.equal([
      [['pan', 'aadhaar_number'], 'KYC re-verification'], [['bank_account'], 'Claim payout']]);
    expect(reveals[0].actor_user_id).to.be.a('string');
    const reads = await ownerSql(`SELECT fields FROM personal_data_reads
      WHERE ?::uuid = ANY(record_ids) AND endpoint = 'GET /policyholders/:policyholder_id' ORDER BY occurred_at DESC LIMIT 2`, [holderId]);
    expect(reads[1].fields, 'the read audit names revealed fields').to.include.members(['pan', 'aadhaar_number']);
    expect(reads[0].fields).to.include('bank_account').and.not.include('pan');
  });

  it('a custom role may grant reveal on PolicyholderSensitive (here to a tenant-wide desk without an agent)', async () => {
    const roleName = `kyc_desk_${Date.now()}`;
    const role = await api().post(`${API}/roles`).set(...bearer(admin)).send({ role_name: roleName, data_scope: 'tenant',
      permissions: [{ action: 'read', subject: 'Policyholder' }, { action: 'reveal', subject: 'PolicyholderSensitive' }] });
    expect(role.status, role.text).to.equal(201);
    const desk = await createTestUser(fx.tenant, roleName);
    const res = await get(desk.token, holderId, { reveal: 'aadhaar_number', purpose: 'KYC desk check' });
    expect(res.status, res.text).to.equal(200);
    expect(res.body).to.include({ aadhaar_number: AADHAAR, pan: 'XXXXX1234X' });
  });

  it('finds by exact PAN or Aadhaar through the blind index, only within the caller\'s reach and tenant', async () => {
    const other = await createPolicyholderAs(fx.token('juniorB'), { first_name: 'Twin', pan: PAN });
    const ids = async (token: string, query: Record<string, string>) => {
      const res = await list(token, query);
      expect(res.status, res.text).to.equal(200);
      return (res.body.data as { policyholder_id: string; pan: string }[]).map((row) => row.policyholder_id);
    };
    expect(await ids(junior, { pan: 'abcpv1234k' })).to.deep.equal([holderId]);
    expect(await ids(fx.token('senior'), { pan: PAN })).to.have.members([holderId, other]);
    expect(await ids(junior, { aadhaar_number: '2341-2341-2346' })).to.deep.equal([holderId]);
    expect(await ids(junior, { pan: 'ABCPV1235K' })).to.deep.equal([]);
    expect(await ids(fx.otherTenant.admin.token, { pan: PAN })).to.deep.equal([]);
    const page = await list(junior, { pan: PAN });
    expect(page.body.data[0].pan).to.equal('XXXXX1234X');
  });

  it('uses the blind index as an index condition under RLS, as the runtime role', async () => {
    const tenant = await tenantRecord();
    const plan = await runAsSystem(testDeps(), tenant, 'explain', async ({ tx }) => {
      await tx.raw('SET LOCAL enable_seqscan = off');
      const { rows } = await tx.raw("EXPLAIN SELECT policyholder_id FROM policyholders WHERE pan_index = 'x'");
      return rows.map((row: Record<string, string>) => row['QUERY PLAN']).join('\n');
    });
    expect(plan).to.match(/Index (Only )?Scan using policyholders_pan_index|Bitmap Index Scan on policyholders_pan_index/);
    expect(plan).to.match(/Index Cond: \(pan_index = 'x'::text\)/);
  });

  it('PATCH re-seals: a changed PAN is found by its new index only, a removed Aadhaar is gone', async () => {
    const id = await createPolicyholderAs(junior, { first_name: 'Change', pan: 'PQRST6789L', aadhaar_number: '499812345673' });
    const res = await api().patch(`${API}/policyholders/${id}`).set(...bearer(junior)).send({ pan: 'PQRST6789M', aadhaar_number: null });
    expect(res.status, res.text).to.equal(200);
    expect(res.body).to.include({ pan: 'XXXXX6789X', aadhaar_number: null });
    expect((await list(junior, { pan: 'PQRST6789L' })).body.data).to.deep.equal([]);
    expect((await list(junior, { pan: 'PQRST6789M' })).body.data.map((row: { policyholder_id: string }) => row.policyholder_id)).to.deep.equal([id]);
    expect((await list(junior, { aadhaar_number: '499812345673' })).body.data).to.deep.equal([]);
    const cleared = await api().patch(`${API}/policyholders/${id}`).set(...bearer(junior)).send({ pan: null });
    expect(cleared.body.pan).to.equal(null);
    expect((await rowAsOwner(id)).sealed_key_version).to.equal(null);
  });

  it('refuses tampered or moved ciphertext instead of answering something', async () => {
    const a = await createPolicyholderAs(junior, { first_name: 'Tamper', pan: 'TAMPR1111A' });
    const b = await createPolicyholderAs(junior, { first_name: 'Moved', pan: 'MOVED2222B' });
    // b's sealed PAN copied into a's row: a valid ciphertext, but bound to b's row.
    const [copied] = await ownerSql('SELECT pan_sealed FROM policyholders WHERE policyholder_id = ?', [b]);
    await ownerSql('UPDATE policyholders SET pan_sealed = ? WHERE policyholder_id = ?', [copied.pan_sealed, a]);
    expectProblem(await get(junior, a), 500, [], 'data_protection.sealed_value_unreadable');
    // One character of b's ciphertext flipped.
    const sealed: string = (await rowAsOwner(b)).pan_sealed;
    const flipped = `${sealed.slice(0, -3)}${sealed.at(-3) === 'A' ? 'B' : 'A'}${sealed.slice(-2)}`;
    await ownerSql('UPDATE policyholders SET pan_sealed = ? WHERE policyholder_id = ?', [flipped, b]);
    expectProblem(await get(junior, b), 500, [], 'data_protection.sealed_value_unreadable');
    await ownerSql('UPDATE policyholders SET pan_sealed = NULL, pan_index = NULL, sealed_key_version = NULL WHERE policyholder_id IN (?, ?)', [a, b]);
  });

  it('rotates the data key while requests run: reads and writes never fail, every row ends on the new version', async () => {
    const created: string[] = [];
    for (let index = 0; index < 12; index += 1) {
      created.push(await createPolicyholderAs(junior, { first_name: `Rot${index}`, pan: `ROTAT${String(1000 + index)}Z`,
        pre_existing_conditions: [{ condition: `Condition ${index}` }] }));
    }
    // A record written before encryption: its conditions in the legacy plaintext column.
    const legacy = await createPolicyholderAs(junior, { first_name: 'Legacy' });
    await ownerSql(`UPDATE policyholders SET pre_existing_conditions = '[{"condition":"Asthma"}]' WHERE policyholder_id = ?`, [legacy]);
    expect((await get(junior, legacy)).body.pre_existing_conditions).to.deep.equal([{ condition: 'Asthma' }]);

    expectProblem(await api().post(`${API}/data-protection/encryption-keys`).set(...bearer(junior)), 403);
    const before = await api().get(`${API}/data-protection/encryption-keys`).set(...bearer(admin));
    expect(before.status, before.text).to.equal(200);
    expect(before.body).to.include({ master_key_provider: 'local', current_version: 1, unsealed_legacy_rows: 1 });
    const rotated = await api().post(`${API}/data-protection/encryption-keys`).set(...bearer(admin));
    expect(rotated.status, rotated.text).to.equal(202);
    expect(rotated.body).to.deep.equal({ key_version: 2, reencryption_queued: true });

    let running = true;
    const failures: string[] = [];
    let requests = 0;
    const traffic = (async () => {
      for (let index = 0; running; index += 1) {
        const id = created[index % created.length] as string;
        const read = await get(admin, id, { reveal: 'pan', purpose: 'rotation test' });
        const write = await api().patch(`${API}/policyholders/${id}`).set(...bearer(junior))
          .send({ pre_existing_conditions: [{ condition: `Condition ${index % created.length}` }] });
        const created2 = await api().post(`${API}/policyholders`).set(...bearer(junior)).send({ first_name: `During${index}`, pan: 'DURNG1234Q' });
        requests += 3;
        for (const res of [read, write, created2]) if (res.status >= 300) failures.push(`${res.status} ${res.text}`);
        if (read.body.pan !== `ROTAT${String(1000 + (index % created.length))}Z`) failures.push(`read ${read.body.pan}`);
      }
    })();
    const tenant = await tenantRecord();
    const resealed = await reencryptTenant((work) => runAsSystem(testDeps(), tenant, 'data-protection:reencrypt', work), { batchSize: 3 });
    running = false;
    await traffic;
    expect(failures).to.deep.equal([]);
    expect(requests).to.be.greaterThan(0);
    expect(resealed).to.be.greaterThan(created.length);

    const counts = await ownerSql(`SELECT sealed_key_version AS v, count(*)::int AS n
      FROM policyholders WHERE sealed_key_version IS NOT NULL OR pre_existing_conditions <> '[]' GROUP BY 1 ORDER BY 1`);
    expect(counts.map((count) => count.v)).to.deep.equal([2]);
    const after = await api().get(`${API}/data-protection/encryption-keys`).set(...bearer(admin));
    expect(after.body.current_version).to.equal(2);
    expect(after.body.unsealed_legacy_rows).to.equal(0);
    expect(after.body.versions.map((version: { key_version: number; sealed_rows: number }) => [version.key_version, version.sealed_rows > 0]))
      .to.deep.equal([[1, false], [2, true]]);
    expect((await get(junior, legacy)).body.pre_existing_conditions).to.deep.equal([{ condition: 'Asthma' }]);
    expect((await rowAsOwner(legacy)).text).not.to.include('Asthma');
    const reread = await get(admin, created[3] as string, { reveal: 'pan', purpose: 'after rotation' });
    expect(reread.body.pan).to.equal('ROTAT1003Z');
    expect((await list(junior, { pan: 'ROTAT1003Z' })).body.data).to.have.length(1);
  });

  it('the re-encryption job runs from the durable queue after a rotation through the API', async () => {
    const worker = await jobProcess([reencryptJob], { workers: true });
    try {
      const rotated = await api().post(`${API}/data-protection/encryption-keys`).set(...bearer(admin));
      expect(rotated.status, rotated.text).to.equal(202);
      const version = rotated.body.key_version as number;
      await waitFor(async () => {
        const keys = (await api().get(`${API}/data-protection/encryption-keys`).set(...bearer(admin))).body;
        return keys.versions.every((key: { key_version: number; sealed_rows: number }) => key.key_version === version || key.sealed_rows === 0);
      }, 30_000, 'every row re-sealed with the new key');
      expect((await get(admin, holderId, { reveal: 'pan', purpose: 'after job' })).body.pan).to.equal(PAN);
      expect((await rowAsOwner(holderId)).pan_sealed).to.match(new RegExp(`^k${version}:`));
    } finally {
      await worker.stop();
    }
  });

  it('keeps each tenant\'s keys apart: another tenant has its own data and index keys', async () => {
    const other = await createTestTenant();
    const agentlessAdmin = other.admin.token;
    const res = await api().get(`${API}/data-protection/encryption-keys`).set(...bearer(agentlessAdmin));
    expect(res.body).to.include({ current_version: null });
    expect(res.body.versions).to.deep.equal([]);
  });
});
