import { expect } from 'chai';
import { COLUMN_CLASSES, personalColumns } from '../../src/data-protection/classification.js';
import { ERASED_VALUES } from '../../src/data-protection/erasure.js';

// Erasure must overwrite every personal column of a person's rows: each table with personal columns is either
// in ERASED_VALUES with a value for every one of them, or named here with the reason it is handled otherwise.
const HANDLED_OTHERWISE: Record<string, string> = {
  audit_log: "values stripped by erase_audit_values for the person's records",
  import_rows: 'staged lines matched by customer id, e-mail or phone are emptied',
  data_rights_requests: "an export not yet downloaded is emptied",
  agents: 'agents are staff, not the data principal of a policyholder erasure',
};

describe('erasure coverage', () => {
  it('gives every personal column of every table an erased value, or says why not', () => {
    const missing: string[] = [];
    for (const table of Object.keys(COLUMN_CLASSES)) {
      const personal = personalColumns(table);
      if (personal.length === 0 || HANDLED_OTHERWISE[table]) continue;
      const values = ERASED_VALUES[table];
      if (!values) missing.push(`${table} (no erased values)`);
      else missing.push(...personal.filter((column) => !(column in values)).map((column) => `${table}.${column}`));
    }
    expect(missing).to.deep.equal([]);
  });
});
