import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { importJob, runImport } from '../../src/imports/job.js';
import { findImport } from '../../src/imports/repository.js';
import { MAX_IMPORT_BYTES } from '../../src/imports/upload.js';
import { BATCH_SIZE, planImportBatches, writeNextBatch } from '../../src/imports/writer.js';
import { runAsSystem } from '../../src/scope/run.js';
import { workbookOf } from '../../seeds/imports/make-xlsx.js';
import { bearer, createTestTenant, createTestUser, type TestTenant, type TestUser } from '../helpers/actors.js';
import { API, api, testDeps } from '../helpers/context.js';
import { jobProcess, waitFor, type JobProcess } from '../helpers/jobs.js';

// Bulk import through HTTP: the file is staged and checked at once, a job writes it; one tenant for the file.

const HEADER = 'customer_id,first_name,last_name,email,phone_number,annual_income,city,address_line1';
const customerLine = (id: string, name = 'Asha') => `${id},${name},Verma,${id.toLowerCase()}@example.in,,125000.50,Pune,1 MG Road`;
const csv = (...lines: string[]) => Buffer.from(`${[HEADER, ...lines].join('\n')}\n`);

describe('bulk import (POST /imports, GET /imports/{import_id})', function () {
  this.timeout(60_000);
  let tenant: TestTenant;
  let senior: TestUser;
  let agent: TestUser;
  let otherAgent: TestUser;
  let worker: JobProcess | undefined;
  const startWorker = async () => { worker = await jobProcess([importJob], { workers: true }); };
  const stopWorker = async () => { await worker?.stop(); worker = undefined; };

  before(async () => {
    tenant = await createTestTenant();
    senior = await createTestUser(tenant, 'senior_agent', { agent: true });
    agent = await createTestUser(tenant, 'junior_agent', { agent: true, parentAgentId: senior.agent_id });
    otherAgent = await createTestUser(tenant, 'junior_agent', { agent: true, parentAgentId: senior.agent_id });
    await startWorker();
  });
  after(stopWorker);

  const upload = (token: string, content: Buffer, name = 'book.csv', options: { dryRun?: boolean; fields?: Record<string, string> } = {}) => {
    let call = api().post(`${API}/imports${options.dryRun ? '?dry_run=true' : ''}`).set(...bearer(token));
    for (const [key, value] of Object.entries(options.fields ?? {})) call = call.field(key, value);
    return call.attach('file', content, name);
  };
  const status = (token: string, importId: string, query = '') => api().get(`${API}/imports/${importId}${query}`).set(...bearer(token));
  const finished = async (importId: string, token = agent.token, timeoutMs = 30_000) => {
    let body: Record<string, unknown> = {};
    await waitFor(async () => {
      body = (await status(token, importId)).body;
      return body.status === 'completed';
    }, timeoutMs, `import ${importId} to complete`).catch((error: Error) => { throw new Error(`${error.message}: ${JSON.stringify(body)}`); });
    return body;
  };
  const customersIn = async (prefix: string) => {
    const res = await api().get(`${API}/policyholders?q=${prefix}&limit=100`).set(...bearer(agent.token));
    expect(res.status, res.text).to.equal(200);
    return res.body.data as { policyholder_id: string; customer_id: string; first_name: string; agent_id: string; annual_income: number }[];
  };
  const auditOf = async (policyholderId: string) => {
    const res = await api().get(`${API}/audit`).query({ table: 'policyholders', record_id: policyholderId }).set(...bearer(tenant.admin.token));
    expect(res.status, res.text).to.equal(200);
    return res.body.data as { action: string; actor: string; changed_columns: string[]; new_values: Record<string, unknown> }[];
  };

  it('imports a clean CSV of customers into the caller\'s book, and reports progress and counts', async () => {
    const res = await upload(agent.token, csv(customerLine('CLEAN-1'), customerLine('CLEAN-2'), customerLine('CLEAN-3')));
    expect(res.status, res.text).to.equal(202);
    const done = await finished(res.body.import_id);
    expect(done).to.include({ kind: 'customers', total_rows: 3, valid_rows: 3, invalid_rows: 0, created_rows: 3, progress_percent: 100 });
    const rows = await customersIn('clean');
    expect(rows.map((row) => row.customer_id).sort()).to.deep.equal(['CLEAN-1', 'CLEAN-2', 'CLEAN-3']);
    expect(rows.every((row) => row.agent_id === agent.agent_id && row.annual_income === 125000.5)).to.equal(true);
    // The audit trail has every customer the import wrote, with the job as the actor and the file line it came from
    // (on Citus, where the row trigger stays, the values written).
    for (const row of rows) {
      const entries = await auditOf(row.policyholder_id);
      const line = 1 + Number(row.customer_id.replace('CLEAN-', ''));
      const source = testDeps().db.isCitus ? { customer_id: entries[0]?.new_values.customer_id } : entries[0]?.new_values;
      expect(entries.map((entry) => [entry.action, entry.actor.startsWith('system:')])).to.deep.equal([['insert', true]]);
      expect(source).to.deep.equal(testDeps().db.isCitus ? { customer_id: row.customer_id } : { import_id: res.body.import_id, line_number: line });
    }
  });

  it('a customer inserted beside a named import batch, not from its staged lines, keeps the full audit entry', async function () {
    if (testDeps().db.isCitus) this.skip(); // the row trigger records every row in full there
    const res = await upload(agent.token, csv(customerLine('NAMED-1')));
    await finished(res.body.import_id);
    const deps = testDeps();
    const tenantRecord = await deps.tenants.forToken(tenant.tenant_id, undefined);
    // The batch's settings name a real import and its lines, but this row is not one of them: it is recorded in full.
    const forged = await runAsSystem(deps, tenantRecord, 'import', async ({ tx }) => {
      const record = await findImport(tx, res.body.import_id) as NonNullable<Awaited<ReturnType<typeof findImport>>>;
      await tx.raw(`SET LOCAL app.import_id = '${record.import_id}'; SET LOCAL app.import_after = '0'; SET LOCAL app.import_through = '9'`);
      const [row] = await tx('policyholders').insert({ agent_id: record.agent_id, agent_order: record.agent_order, customer_id: 'NAMED-X',
        first_name: 'Forged' }).returning('policyholder_id');
      return row.policyholder_id as string;
    });
    expect((await auditOf(forged)).map((entry) => [entry.action, entry.new_values.customer_id, entry.new_values.first_name]))
      .to.deep.equal([['insert', 'NAMED-X', 'Forged']]);
  });

  it('rejects bad rows with their line numbers and reasons, and writes the good ones', async () => {
    const res = await upload(agent.token, csv(
      'BAD-1,Ravi,Kumar,not-an-email,,,,',
      'BAD-2,,Kumar,,,,,',
      customerLine('BAD-3'),
      'BAD-3,Again,Kumar,,,,,',
      'BAD-5,Ravi,Kumar,,,lots,,',
      'BAD-6,Ravi,Kumar,,12,,,',
    ));
    expect(res.status, res.text).to.equal(202);
    const done = await finished(res.body.import_id);
    expect(done).to.include({ total_rows: 6, valid_rows: 1, invalid_rows: 5, created_rows: 1 });
    const reasons = Object.fromEntries((done.rejected_rows as { line_number: number; errors: { column: string }[] }[])
      .map((row) => [row.line_number, row.errors.map((error) => error.column)]));
    expect(reasons).to.deep.equal({ 2: ['email'], 3: ['first_name'], 5: ['customer_id'], 6: ['annual_income'], 7: ['phone_number'] });
    expect((await customersIn('bad')).map((row) => row.customer_id)).to.deep.equal(['BAD-3']);
  });

  it('a dry run reports what would happen and writes nothing to the book', async () => {
    await finished((await upload(agent.token, csv(customerLine('DRY-1')))).body.import_id);
    const res = await upload(agent.token, csv(customerLine('DRY-1', 'Changed'), customerLine('DRY-2'), 'DRY-3,,x,,,,,'), 'dry.csv', { dryRun: true });
    expect(res.status, res.text).to.equal(200);
    expect(res.body).to.deep.include({ dry_run: true, total_rows: 3, valid_rows: 2, invalid_rows: 1, would_create: 1, would_update: 1 });
    expect(res.body.rejected_rows).to.deep.equal([{ line_number: 4, errors: [{ column: 'first_name', message: 'is required' }] }]);
    const rows = await customersIn('dry');
    expect(rows.map((row) => [row.customer_id, row.first_name])).to.deep.equal([['DRY-1', 'Asha']]);
    expect((await status(agent.token, res.body.import_id)).body).to.include({ status: 'validated', dry_run: true, created_rows: 0 });
  });

  it('running the same file again creates no duplicates: unchanged rows are skipped, changed ones updated', async () => {
    const file = csv(customerLine('AGAIN-1'), customerLine('AGAIN-2'));
    const first = await finished((await upload(agent.token, file)).body.import_id);
    const second = await finished((await upload(agent.token, file)).body.import_id);
    const third = await finished((await upload(agent.token, csv(customerLine('AGAIN-1', 'Renamed'), customerLine('AGAIN-2')))).body.import_id);
    expect([first.created_rows, second.created_rows, second.skipped_rows, third.updated_rows, third.skipped_rows]).to.deep.equal([2, 0, 2, 1, 1]);
    const rows = await customersIn('again');
    expect(rows.map((row) => [row.customer_id, row.first_name]).sort()).to.deep.equal([['AGAIN-1', 'Renamed'], ['AGAIN-2', 'Asha']]);
    // Only the changed customer has an update in the audit trail, naming the column that changed.
    const renamed = rows.find((row) => row.customer_id === 'AGAIN-1') as (typeof rows)[number];
    const unchanged = rows.find((row) => row.customer_id === 'AGAIN-2') as (typeof rows)[number];
    expect((await auditOf(renamed.policyholder_id)).map((entry) => [entry.action, entry.changed_columns])).to.deep.equal([
      ['update', ['first_name', 'first_name_key', 'updated_at']], ['insert', []]]);
    expect((await auditOf(unchanged.policyholder_id)).map((entry) => entry.action)).to.deep.equal(['insert']);
  });

  it('a marketing_consent column records each decision in the consent ledger once, as the API does for the field', async () => {
    const file = (...lines: string[]) => Buffer.from(`customer_id,first_name,marketing_consent\n${lines.join('\n')}\n`);
    const consentsOf = async (customerId: string) => {
      const [holder] = (await customersIn(customerId.toLowerCase())).filter((row) => row.customer_id === customerId);
      const res = await api().get(`${API}/policyholders/${holder?.policyholder_id}/consents`).set(...bearer(agent.token));
      expect(res.status, res.text).to.equal(200);
      const record = await api().get(`${API}/policyholders/${holder?.policyholder_id}`).set(...bearer(agent.token));
      return { marketing: record.body.marketing_consent as boolean, current: res.body.current as Record<string, string>,
        history: (res.body.history as { purpose: string; status: string; channel: string }[]).map((entry) => [entry.purpose, entry.status, entry.channel]) };
    };
    await finished((await upload(agent.token, file('MKT-1,Asha,yes', 'MKT-2,Ravi,no', 'MKT-3,Uma,'))).body.import_id);
    expect(await consentsOf('MKT-1')).to.deep.equal({ marketing: true, current: { marketing: 'given' }, history: [['marketing', 'given', 'import']] });
    expect(await consentsOf('MKT-2')).to.deep.equal({ marketing: false, current: { marketing: 'withdrawn' }, history: [['marketing', 'withdrawn', 'import']] });
    expect(await consentsOf('MKT-3')).to.deep.equal({ marketing: false, current: {}, history: [] });
    // The same file again states nothing new; a changed cell is a new decision, the newest in force.
    await finished((await upload(agent.token, file('MKT-1,Asha,yes', 'MKT-2,Ravi,no', 'MKT-3,Uma,'))).body.import_id);
    await finished((await upload(agent.token, file('MKT-1,Asha,no', 'MKT-2,Ravi,no'))).body.import_id);
    expect(await consentsOf('MKT-1')).to.deep.equal({ marketing: false, current: { marketing: 'withdrawn' },
      history: [['marketing', 'withdrawn', 'import'], ['marketing', 'given', 'import']] });
    expect((await consentsOf('MKT-2')).history).to.have.length(1);
  });

  it('a customer id of another agent\'s book is refused, not taken over', async () => {
    await finished((await upload(otherAgent.token, csv(customerLine('THEIRS-1')))).body.import_id, otherAgent.token);
    const done = await finished((await upload(agent.token, csv(customerLine('THEIRS-1', 'Mine')))).body.import_id);
    expect(done).to.include({ created_rows: 0, updated_rows: 0, invalid_rows: 1 });
    expect((done.rejected_rows as { line_number: number }[])[0]?.line_number).to.equal(2);
  });

  it('imports the sample XLSX files: customers, then their policies', async () => {
    const customers = await upload(agent.token, readFileSync('seeds/imports/customers.xlsx'), 'customers.xlsx');
    expect(customers.status, customers.text).to.equal(202);
    expect(await finished(customers.body.import_id)).to.include({ created_rows: 3, invalid_rows: 0 });
    const policies = await upload(agent.token, readFileSync('seeds/imports/policies.xlsx'), 'policies.xlsx');
    expect(policies.status, policies.text).to.equal(202);
    expect(await finished(policies.body.import_id)).to.include({ kind: 'policies', created_rows: 3, invalid_rows: 0 });
    const list = await api().get(`${API}/policies?limit=100`).set(...bearer(agent.token));
    expect(list.body.data.map((policy: { policy_number: string }) => policy.policy_number).sort())
      .to.deep.equal(['LIC-P-900001', 'LIC-P-900002', 'LIC-P-900003']);
    const again = await finished((await upload(agent.token, readFileSync('seeds/imports/policies.csv'), 'policies.csv')).body.import_id);
    expect(again).to.include({ created_rows: 0, skipped_rows: 3 });
  });

  it("a policy line POST /policies would refuse beyond its schema is rejected at once, so a dry run's counts hold", async () => {
    const header = 'customer_id,policy_number,policy_type,plan_name,sum_assured,premium_amount,premium_frequency,policy_term_years,'
      + 'premium_paying_term_years,start_date,application_date';
    const file = Buffer.from(`${[header,
      'TERMS-C,TERMS-1,endowment,Jeevan,500000,2500,yearly,10,,2026-01-31,',
      'TERMS-C,TERMS-2,endowment,Jeevan,500000,2500,yearly,10,12,2026-01-31,',
      'TERMS-C,TERMS-3,term_life,Tech,500000,2500,monthly,100,,9999-01-31,',
      'TERMS-C,TERMS-4,term_life,Tech,500000,99999999999.99,monthly,30,,2026-01-31,',
      'TERMS-C,TERMS-5,endowment,Jeevan,500000,2500,yearly,10,,2026-01-31,2999-01-01',
      // The write refuses a policy of a customer not in the book (here one of another agent's): so does the dry run.
      'TERMS-OTHER,TERMS-6,endowment,Jeevan,500000,2500,yearly,10,,2026-01-31,',
      'TERMS-NONE,TERMS-7,endowment,Jeevan,500000,2500,yearly,10,,2026-01-31,',
    ].join('\n')}\n`);
    await finished((await upload(agent.token, csv(customerLine('TERMS-C')))).body.import_id);
    await finished((await upload(otherAgent.token, csv(customerLine('TERMS-OTHER')))).body.import_id, otherAgent.token);
    const res = await upload(agent.token, file, 'policies.csv', { dryRun: true });
    expect(res.status, res.text).to.equal(200);
    expect(res.body).to.include({ kind: 'policies', valid_rows: 1, invalid_rows: 6, would_create: 1, would_update: 0 });
    const reasons = [[3, ['premium_paying_term_years']], [4, ['start_date']], [5, ['premium_amount']], [6, ['application_date']],
      [7, ['customer_id']], [8, ['customer_id']]];
    expect(res.body.rejected_rows.map((row: { line_number: number; errors: { column: string }[] }) =>
      [row.line_number, row.errors.map((error) => error.column)])).to.deep.equal(reasons);
    const detail = await status(agent.token, res.body.import_id);
    expect(detail.body).to.include({ valid_rows: 1, invalid_rows: 6 });
    expect(detail.body.rejected_rows.map((row: { line_number: number; errors: { column: string }[] }) =>
      [row.line_number, row.errors.map((error) => error.column)])).to.deep.equal(reasons);
  });

  it('numbers a CSV line by the line it starts on, a quoted line break (CRLF too) counted once, as in a file without quotes', async () => {
    for (const eol of ['\n', '\r\n']) {
      const lines = [HEADER, `QL-1,Asha,Verma,,,,Pune,"1 MG Road${eol}Camp"`, 'QL-2,,Verma,,,,,', `QL-3,"Ravi${eol}${eol}Kumar",,,,,,`,
        'QL-4,,Rao,,,,,'];
      const res = await upload(agent.token, Buffer.from(`${lines.join(eol)}${eol}`), 'quoted.csv', { dryRun: true });
      expect(res.status, res.text).to.equal(200);
      expect(res.body.rejected_rows.map((row: { line_number: number }) => row.line_number), JSON.stringify(eol)).to.deep.equal([4, 8]);
    }
  });

  it('leaves out a CSV line of empty cells (a blank spreadsheet row as ",,,"), as an empty XLSX row', async () => {
    const res = await upload(agent.token, csv(customerLine('BL-1'), ',,,,,,,', ' , ,,,,,, ', 'BL-2,,Verma,,,,,'), 'blank.csv', { dryRun: true });
    expect(res.status, res.text).to.equal(200);
    expect(res.body).to.include({ total_rows: 2, valid_rows: 1, invalid_rows: 1 });
    expect(res.body.rejected_rows.map((row: { line_number: number }) => row.line_number)).to.deep.equal([5]);
  });

  it('an XLSX with bad rows reports them by their row number', async () => {
    const file = await workbookOf([HEADER.split(','), ['XL-1', 'Meera', 'Rao', 'meera@example.in', '', '1000', 'Goa', 'Beach Road'], ['XL-2', '', 'Rao', '', '', '', '', '']]);
    const done = await finished((await upload(agent.token, file, 'book.xlsx')).body.import_id);
    expect(done).to.include({ created_rows: 1, invalid_rows: 1 });
    expect(done.rejected_rows).to.deep.equal([{ line_number: 3, errors: [{ column: 'first_name', message: 'is required' }] }]);
  });

  it('an import is visible to the book\'s owners and managers only (404 for others)', async () => {
    const res = await upload(agent.token, csv(customerLine('SEEN-1')));
    await finished(res.body.import_id);
    expect((await status(senior.token, res.body.import_id)).status).to.equal(200);
    expect((await status(tenant.admin.token, res.body.import_id)).status).to.equal(200);
    expect((await status(otherAgent.token, res.body.import_id)).status).to.equal(404);
    const outsider = await createTestTenant();
    expect((await status(outsider.admin.token, res.body.import_id)).status).to.equal(404);
    const intoOtherBook = await upload(otherAgent.token, csv(customerLine('SEEN-2')), 'x.csv', { fields: { agent_id: agent.agent_id as string } });
    expect(intoOtherBook.status).to.equal(404);
    const asManager = await upload(senior.token, csv(customerLine('SEEN-3')), 'x.csv', { fields: { agent_id: agent.agent_id as string } });
    expect(asManager.status, asManager.text).to.equal(202);
    expect((await status(agent.token, asManager.body.import_id)).status).to.equal(200);
  });

  it('refuses what is not a usable file: a JSON body with 415, an unusable file with a 400 naming it', async () => {
    const notMultipart = await api().post(`${API}/imports`).set(...bearer(agent.token)).send({ file: 'x' });
    expect(notMultipart.status).to.equal(415);
    expect(notMultipart.body.code).to.equal('request.unsupported_media_type');
    const noKey = await upload(agent.token, Buffer.from('first_name\nAsha\n'));
    expect([noKey.status, noKey.body.code]).to.deep.equal([400, 'import.bad_columns']);
    const fakeXlsx = await upload(agent.token, Buffer.from('not a zip'), 'book.xlsx');
    expect([fakeXlsx.status, fakeXlsx.body.code]).to.deep.equal([400, 'import.unreadable_file']);
  });

  it('refuses a header naming a column twice (one cell would be dropped) and a header with no line under it', async () => {
    for (const file of [Buffer.from('customer_id,first_name,First Name\nTWICE-1,Asha,Usha\n'),
      await workbookOf([['customer_id', 'first_name', 'first_name'], ['TWICE-1', 'Asha', 'Usha']])]) {
      const twice = await upload(agent.token, file, file[0] === 0x50 ? 'book.xlsx' : 'book.csv', { dryRun: true });
      expect([twice.status, twice.body.code], twice.text).to.deep.equal([400, 'import.bad_columns']);
      expect(twice.body.errors).to.deep.equal([{ path: 'body.file', message: 'names the column first_name twice' }]);
    }
    for (const file of [Buffer.from('customer_id,first_name\n'), await workbookOf([['customer_id', 'first_name']])]) {
      const empty = await upload(agent.token, file, file[0] === 0x50 ? 'book.xlsx' : 'book.csv');
      expect([empty.status, empty.body.code], empty.text).to.deep.equal([400, 'import.unreadable_file']);
      expect(empty.body.errors).to.deep.equal([{ path: 'body.file', message: 'has a header but no data lines' }]);
    }
    expect(await customersIn('TWICE-')).to.deep.equal([]);
  });

  it('a value in a column the header does not name refuses its line instead of being dropped', async () => {
    const lineErrors = (body: { rejected_rows: { line_number: number; errors: { column: string; message: string }[] }[] }) =>
      Object.fromEntries(body.rejected_rows.map((row) => [row.line_number, row.errors.filter((error) => error.column === 'line')
        .map((error) => error.message)]));
    // An unquoted comma shifts the line (Kumar, Ravi), a header cell left empty heads a column with data in it;
    // trailing empty cells and an unnamed column left empty are harmless.
    const text = 'customer_id,first_name,,last_name\nSTRAY-1,Kumar, Ravi,Das\nSTRAY-2,Asha,lost,Verma\n'
      + 'STRAY-3,Asha,,Verma,,\nSTRAY-4,Asha,,Verma,extra\n';
    const res = await upload(agent.token, Buffer.from(text), 'stray.csv', { dryRun: true });
    expect(res.status, res.text).to.equal(200);
    expect(res.body).to.include({ total_rows: 4, valid_rows: 1, invalid_rows: 3 });
    expect(lineErrors(res.body)).to.deep.equal({
      2: ['has a value in column 3, which has no name in the header'],
      3: ['has a value in column 3, which has no name in the header'],
      5: ['has 5 cells where the header names 4 columns (a comma inside a value must be quoted)'],
    });
    const quoted = await upload(agent.token, Buffer.from('customer_id,first_name\nSTRAY-5,"Ravi, Jr",x\n'), 'stray.csv', { dryRun: true });
    expect(lineErrors(quoted.body), quoted.text).to.deep.equal({ 2: ['has 3 cells where the header names 2 columns (a comma inside a value must be quoted)'] });
    const xlsx = await upload(agent.token, await workbookOf([['customer_id', 'first_name'], ['STRAY-6', 'Asha', 'lost']]), 'stray.xlsx', { dryRun: true });
    expect(lineErrors(xlsx.body), xlsx.text).to.deep.equal({ 2: ['has 3 cells where the header names 2 columns (a comma inside a value must be quoted)'] });
  });

  it('reads UTF-8 with or without a byte order mark and UTF-16 with one; other encodings are a 400, not damaged names', async () => {
    const text = 'customer_id,first_name,last_name\r\nENC-1,José,Müller\r\n';
    for (const file of [Buffer.from(`\ufeff${text}`), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])]) {
      const res = await upload(agent.token, file, 'enc.csv', { dryRun: true });
      expect(res.body, res.text).to.include({ total_rows: 1, valid_rows: 1 });
    }
    const latin1 = await upload(agent.token, Buffer.from(text, 'latin1'), 'enc.csv');
    expect([latin1.status, latin1.body.code], latin1.text).to.deep.equal([400, 'import.unreadable_file']);
    expect(latin1.body.errors).to.deep.equal([{ path: 'body.file', message: 'is not UTF-8 text (save it from the spreadsheet as "CSV UTF-8")' }]);
    const done = await finished((await upload(agent.token, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]))).body.import_id);
    expect(done).to.include({ created_rows: 1 });
    expect((await customersIn('ENC-')).map((row) => row.first_name)).to.deep.equal(['José']);
  });

  it('a file over the 50 MB an import takes is a 413, as any body too large', async () => {
    const oversized = Buffer.concat([csv(customerLine('BIG-1')), Buffer.alloc(MAX_IMPORT_BYTES, 0x20)]);
    const res = await upload(agent.token, oversized);
    expect([res.status, res.body.code]).to.deep.equal([413, 'import.file_too_large']);
  });

  it('a run cut short by a restart finishes afterwards from its last committed batch, without duplicates', async function () {
    // 12,000 lines: staged through a Citus coordinator on this shared machine, this takes minutes, not seconds.
    this.timeout(300_000);
    await stopWorker();
    const lines = Array.from({ length: 12_000 }, (_, index) => customerLine(`BIG-${index + 1}`));
    const res = await upload(agent.token, csv(...lines));
    expect(res.status, res.text).to.equal(202);
    // The process that ran it wrote its first batch and died: that batch is committed, the job is still owed.
    const deps = testDeps();
    const tenantRecord = await deps.tenants.forToken(tenant.tenant_id, undefined);
    await runAsSystem(deps, tenantRecord, 'import', async (scope) => {
      const record = await findImport(scope.tx, res.body.import_id) as NonNullable<Awaited<ReturnType<typeof findImport>>>;
      await planImportBatches(scope, record);
      await writeNextBatch(scope, record);
    });
    const halfway = (await status(agent.token, res.body.import_id)).body;
    expect(halfway).to.include({ status: 'queued', processed_rows: BATCH_SIZE.customers });
    expect(halfway.progress_percent).to.equal(Math.floor((100 * BATCH_SIZE.customers) / 12_000));
    await startWorker();
    const done = await finished(res.body.import_id, agent.token, 240_000);
    expect(done).to.include({ processed_rows: 12_000, created_rows: 12_000, skipped_rows: 0 });
    const count = await runAsSystem(deps, tenantRecord, 'import', ({ tx }) => tx('policyholders').count({ n: '*' }).whereLike('customer_id', 'BIG-%').first());
    expect(Number(count?.n)).to.equal(12_000);
  });

  it('two runners of one import (the CLI beside a worker) write every line once between them', async function () {
    this.timeout(300_000);
    await stopWorker();
    const lines = Array.from({ length: 25_000 }, (_, index) => customerLine(`PAIR-${index + 1}`));
    const res = await upload(agent.token, csv(...lines));
    expect(res.status, res.text).to.equal(202);
    const deps = testDeps();
    const tenantRecord = await deps.tenants.forToken(tenant.tenant_id, undefined);
    const inTenant = <T>(work: Parameters<typeof runAsSystem<T>>[3]) => runAsSystem(deps, tenantRecord, 'import', work);
    // Each runner claims batches (two writers each); the three batches go to whoever claims them first, once.
    const batchesWritten: number[] = [0, 0];
    const runs = await Promise.all([0, 1].map((runner) => runImport(inTenant, res.body.import_id, {
      onBatch: () => { batchesWritten[runner] = (batchesWritten[runner] ?? 0) + 1; },
    })));
    expect(batchesWritten[0] as number + (batchesWritten[1] as number)).to.equal(Math.ceil(25_000 / BATCH_SIZE.customers));
    for (const run of runs) expect(run).to.include({ status: 'completed', processed_rows: 25_000, created_rows: 25_000, skipped_rows: 0 });
    const count = await inTenant(({ tx }) => tx('policyholders').count({ n: '*' }).whereLike('customer_id', 'PAIR-%').first());
    expect(Number(count?.n)).to.equal(25_000);
    await startWorker();
  });
});
