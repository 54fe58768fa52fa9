import { expect } from 'chai';
import { reencryptTenant } from '../../src/data-protection/encryption/reencrypt.js';
import { runAsSystem } from '../../src/scope/run.js';
import type { TenantRecord } from '../../src/tenants/repository.js';
import { bearer, createTestTenant, createTestUser, type TestTenant, type TestUser } from '../helpers/actors.js';
import { createPolicyholderAs } from '../helpers/book.js';
import { ownerInTenant } from '../helpers/catalog.js';
import { addTerms, consultationClaim } from '../helpers/claims.js';
import { API, api, testDeps } from '../helpers/context.js';
import { expectProblem } from '../helpers/problems.js';

// Health data in claims is sealed with the tenant's data key: the request (diagnosis, medicines, tests), the engine's
// trail and the decision's texts. Plaintext only for what queries need. Rotation re-seals claims; an old key version
// is retired only when nothing uses it; old audit rows lose the health values they copied before.

describe('claims: health data sealed at rest', () => {
  let tenant: TestTenant;
  let agent: TestUser;
  let holder: string;
  let claimId: string;
  let claimTrail: unknown[] = [];
  let dependentId: string;
  const DIAGNOSIS = 'Sealedtestitis chronic';

  const tenantRecord = async () => await testDeps().tenants.byId(tenant.tenant_id) as TenantRecord;
  const asOwner = <T>(sql: string, params: unknown[] = []) => ownerInTenant(tenant, async (client) =>
    (await client.query(sql.replaceAll('$schema', `"${tenant.schema_name}"`), params)).rows as T[]);
  const keys = async () => {
    const res = await api().get(`${API}/data-protection/encryption-keys`).set(...bearer(tenant.admin.token));
    expect(res.status, res.text).to.equal(200);
    return res.body as { current_version: number; versions: { key_version: number; sealed_rows: number; retired_at: string | null }[] };
  };
  const submit = async () => {
    const res = await api().post(`${API}/claims`).set(...bearer(agent.token)).send(consultationClaim(holder, {
      policy_terms_id: 'PLUM_OPD_2024',
      documents: { prescription: { doctor_name: 'Dr. Rao', doctor_reg: 'KA/1/2015', diagnosis: DIAGNOSIS, medicines_prescribed: ['Sealamol 5mg'],
        tests_prescribed: ['CBC'] }, bill: { consultation_fee: 1000, diagnostic_tests: 500, test_names: ['CBC'] } },
    }));
    expect(res.status, res.text).to.equal(201);
    return res.body as { claim_id: string; trail: unknown[] };
  };

  before(async function () {
    this.timeout(180_000);
    tenant = await createTestTenant();
    agent = await createTestUser(tenant, 'regional_manager', { agent: true });
    await addTerms(tenant);
    holder = await createPolicyholderAs(agent.token, { first_name: 'Sealed' });
    const dependent = await api().post(`${API}/policyholders/${holder}/dependents`).set(...bearer(agent.token))
      .send({ full_name: 'Anu', relationship: 'child', date_of_birth: '2015-01-01', pre_existing_conditions: ['Sealedasthma'] });
    expect(dependent.status, dependent.text).to.equal(201);
    expect(dependent.body.pre_existing_conditions).to.deep.equal(['Sealedasthma']);
    dependentId = dependent.body.dependent_id;
    const claim = await submit();
    claimId = claim.claim_id;
    claimTrail = claim.trail;
    expect(JSON.stringify(claim.trail)).to.include(DIAGNOSIS);
  });

  it('stores the request, trail and decision texts only as ciphertext; the row keeps amounts, decision and codes', async () => {
    const [row] = await asOwner<Record<string, unknown>>('SELECT * FROM $schema.claims WHERE claim_id = $1', [claimId]);
    expect(JSON.stringify(row)).to.not.include(DIAGNOSIS).and.not.include('Sealamol');
    expect(row?.request).to.deep.equal({});
    expect(row?.trail).to.deep.equal([]);
    // The request and trail are deflated before sealing ('z'): much smaller than the JSON they hold.
    expect(row?.request_sealed).to.match(/^k1z:/);
    expect(row?.trail_sealed).to.match(/^k1z:/);
    expect(row?.decision_texts_sealed).to.match(/^k1z:/);
    expect((row?.trail_sealed as string).length).to.be.below(JSON.stringify(claimTrail).length / 2);
    expect(row?.sealed_key_version).to.equal(1);
    expect(row?.decision).to.be.oneOf(['APPROVED', 'PARTIAL', 'REJECTED', 'MANUAL_REVIEW']);
    expect(row?.claimed_amount).to.equal('1500.00');
    const audit = await asOwner<{ text: string }>("SELECT old_values::text || new_values::text AS text FROM $schema.audit_log WHERE record_id = $1", [claimId]);
    expect(audit.map((entry) => entry.text).join('')).to.not.include(DIAGNOSIS);
  });

  it("stores a dependent's conditions only as ciphertext and answers them to who may read the family", async () => {
    const [row] = await asOwner<Record<string, unknown>>('SELECT * FROM $schema.dependents WHERE dependent_id = $1', [dependentId]);
    expect(JSON.stringify(row)).to.not.include('Sealedasthma');
    expect(row?.pre_existing_conditions).to.deep.equal([]);
    expect(row?.pre_existing_conditions_sealed).to.match(/^k1:/);
    const audit = await asOwner<{ text: string }>("SELECT coalesce(new_values::text, '') AS text FROM $schema.audit_log WHERE record_id = $1", [dependentId]);
    expect(audit.map((entry) => entry.text).join('')).to.not.include('Sealedasthma');
    const list = await api().get(`${API}/policyholders/${holder}/dependents`).set(...bearer(agent.token));
    expect(list.status, list.text).to.equal(200);
    expect(list.body.data[0].pre_existing_conditions).to.deep.equal(['Sealedasthma']);
    expect(list.body.data[0]).to.not.have.property('pre_existing_conditions_sealed');
  });

  it('answers the claim in clear to a caller who may read it (the read audit names the trail)', async () => {
    const one = await api().get(`${API}/claims/${claimId}`).set(...bearer(agent.token));
    expect(one.status, one.text).to.equal(200);
    expect(JSON.stringify(one.body.trail)).to.include(DIAGNOSIS);
    expect(one.body.notes).to.be.a('string').and.not.equal('');
    const page = await api().get(`${API}/claims`).set(...bearer(agent.token));
    expect(page.body.data.find((claim: { claim_id: string }) => claim.claim_id === claimId).notes).to.equal(one.body.notes);
    const reads = await asOwner<{ fields: string[] }>(
      "SELECT fields FROM $schema.personal_data_reads WHERE $1::uuid = ANY(record_ids) AND endpoint = 'GET /claims/:claim_id'", [claimId]);
    expect(reads[0]?.fields).to.include('trail');
  });

  it('rotation re-seals claims; a version is retired only once no row uses it, and is never needed after', async () => {
    const rotated = await api().post(`${API}/data-protection/encryption-keys`).set(...bearer(tenant.admin.token));
    expect(rotated.status, rotated.text).to.equal(202);
    const second = (await submit()).claim_id;
    expect((await keys()).versions.find((version) => version.key_version === 1)?.sealed_rows).to.be.greaterThan(0);
    // The newer version must be old enough (a transaction that loaded the keys before the rotation has committed).
    expectProblem(await api().delete(`${API}/data-protection/encryption-keys/1`).set(...bearer(tenant.admin.token)), 409);
    // A literal time: Citus refuses a STABLE function (timestamptz - interval) over a column in an UPDATE.
    await asOwner("UPDATE $schema.data_keys SET created_at = $1 WHERE purpose = 'seal' AND key_version = 2", [new Date(Date.now() - 3_600_000)]);
    const inUse = await api().delete(`${API}/data-protection/encryption-keys/1`).set(...bearer(tenant.admin.token));
    expectProblem(inUse, 409);
    expect(inUse.body.code).to.equal('data_protection.key_in_use');

    // A claim filed before encryption (plaintext request, no key version): the job seals it too.
    const legacy = (await submit()).claim_id;
    await asOwner(`UPDATE $schema.claims SET request = '{"documents": {"prescription": {"diagnosis": "LegacyDx"}}}', request_sealed = NULL,
      trail_sealed = NULL, decision_texts_sealed = NULL, sealed_key_version = NULL WHERE claim_id = $1`, [legacy]);
    const resealed = await reencryptTenant(async (work) => runAsSystem(testDeps(), await tenantRecord(), 'data-protection:reencrypt', work));
    expect(resealed).to.be.greaterThan(0);
    const versions = await asOwner<{ v: number }>('SELECT DISTINCT sealed_key_version AS v FROM $schema.claims');
    expect(versions.map((row) => row.v)).to.deep.equal([2]);
    const [sealedLegacy] = await asOwner<Record<string, unknown>>('SELECT * FROM $schema.claims WHERE claim_id = $1', [legacy]);
    expect(JSON.stringify(sealedLegacy)).to.not.include('LegacyDx');
    expect(sealedLegacy?.request_sealed).to.match(/^k2z:/);
    const dependentVersions = await asOwner<{ v: number }>('SELECT DISTINCT sealed_key_version AS v FROM $schema.dependents');
    expect(dependentVersions.map((row) => row.v)).to.deep.equal([2]);

    const current = await api().delete(`${API}/data-protection/encryption-keys/2`).set(...bearer(tenant.admin.token));
    expect(current.body.code).to.equal('data_protection.key_current');
    const retired = await api().delete(`${API}/data-protection/encryption-keys/1`).set(...bearer(tenant.admin.token));
    expect(retired.status, retired.text).to.equal(204);
    expect((await keys()).versions[0]).to.include({ key_version: 1, sealed_rows: 0 }).and.have.property('retired_at').that.is.a('string');
    const [key] = await asOwner<{ wrapped_key: string | null }>("SELECT wrapped_key FROM $schema.data_keys WHERE purpose = 'seal' AND key_version = 1");
    expect(key?.wrapped_key).to.equal(null);
    // A version is spelled in digits only: no exponent, sign, space or leading zero.
    for (const spelling of ['1e0', '%201', '01', '+1', '0x1']) {
      expectProblem(await api().delete(`${API}/data-protection/encryption-keys/${spelling}`).set(...bearer(tenant.admin.token)), 400,
        ['params.key_version']);
    }
    // Idempotent, and everything still opens without the destroyed key.
    expect((await api().delete(`${API}/data-protection/encryption-keys/1`).set(...bearer(tenant.admin.token))).status).to.equal(204);
    for (const id of [claimId, second]) {
      const res = await api().get(`${API}/claims/${id}`).set(...bearer(agent.token));
      expect(res.status, res.text).to.equal(200);
      expect(JSON.stringify(res.body.trail)).to.include(DIAGNOSIS);
    }
    const family = await api().get(`${API}/policyholders/${holder}/dependents`).set(...bearer(agent.token));
    expect(family.body.data[0].pre_existing_conditions).to.deep.equal(['Sealedasthma']);
    expect((await submit()).claim_id).to.be.a('string');
    expectProblem(await api().delete(`${API}/data-protection/encryption-keys/9`).set(...bearer(tenant.admin.token)), 404);
    expectProblem(await api().delete(`${API}/data-protection/encryption-keys/1`).set(...bearer(agent.token)), 403);
  });

  it('redacts health values that old audit rows copied in plaintext, idempotently, keeping the rows', async () => {
    await asOwner(`INSERT INTO $schema.audit_log (tenant_id, table_name, record_id, action, actor, old_values, new_values, changed_columns)
      VALUES ($1, 'policyholders', $2, 'update', 'user', '{"first_name": "Sealed", "pre_existing_conditions": [{"condition": "LegacyAsthma"}]}',
        '{"first_name": "Sealed", "pre_existing_conditions": [{"condition": "LegacyAsthma"}, {"condition": "LegacyDiabetes"}]}',
        '{pre_existing_conditions}'),
      ($1, 'claims', $3, 'insert', 'user', NULL, '{"decision": "APPROVED", "request": {"diagnosis": "LegacyAsthma"}, "trail": [{"input": "LegacyAsthma"}]}', '{}')`,
    [tenant.tenant_id, holder, claimId]);
    const redact = async () => (await asOwner<{ n: number }>('SELECT $schema.redact_legacy_audit_health() AS n'))[0]?.n;
    expect(await redact()).to.equal(2);
    expect(await redact()).to.equal(0);
    const rows = await asOwner<{ text: string }>(`SELECT coalesce(old_values::text, '') || new_values::text AS text FROM $schema.audit_log
      WHERE record_id IN ($1, $2)`, [holder, claimId]);
    const text = rows.map((row) => row.text).join('\n');
    expect(text).to.not.include('Legacy');
    expect(text).to.include('"decision": "APPROVED"').and.include('"first_name": "Sealed"');
  });
});
