import { expect } from 'chai';
import { COLUMN_CLASSES } from '../../src/data-protection/classification.js';
import { createTestTenant } from '../helpers/actors.js';
import { ownerQuery } from '../helpers/catalog.js';

// The classification in src/data-protection/classification.ts against the catalog of a freshly onboarded tenant
// schema: every column of every table has a class, and every classified column still exists.
describe('data classification', () => {
  it('classifies every column of every tenant table, and nothing that is gone', async () => {
    const tenant = await createTestTenant();
    const rows = await ownerQuery(async (client) => (await client.query<{ table_name: string; column_name: string }>(`
      SELECT c.table_name, c.column_name FROM information_schema.columns c
        JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
       WHERE c.table_schema = $1 AND t.table_type = 'BASE TABLE' ORDER BY 1, 2`, [tenant.schema_name])).rows);
    expect(rows.length).to.be.greaterThan(100);
    const actual = new Set(rows.map((row) => `${row.table_name}.${row.column_name}`));
    const classified = new Set(Object.entries(COLUMN_CLASSES).flatMap(([table, columns]) => Object.keys(columns).map((column) => `${table}.${column}`)));
    expect([...actual].filter((column) => !classified.has(column)), 'columns without a class').to.deep.equal([]);
    expect([...classified].filter((column) => !actual.has(column)), 'classified columns that no longer exist').to.deep.equal([]);
  });
});
