import type { AuditEntry } from '../../schemas/audit.js';
import type { ReadPurpose } from '../../schemas/data-protection.js';
import type { Tx } from '../db/scope.js';
import { personalFieldsOf } from './classification.js';
import { recordMixedRead } from './read-audit.js';

// GET /audit answers old and new values of the audited tables: a page that carries a person's values is a read of
// their data. One read-audit row per entry that carries personal values (by the classification of the entry's own
// table), all in one statement; entries of tables without personal columns, or deletes of nothing, record nothing.

function personOf(entry: AuditEntry): string | null {
  if (entry.table_name === 'policyholders') return entry.record_id;
  const values = { ...entry.old_values, ...entry.new_values } as Record<string, unknown>;
  return typeof values.policyholder_id === 'string' ? values.policyholder_id : null;
}

export async function auditTrailRead(tx: Tx, purpose: ReadPurpose, entries: readonly AuditEntry[]): Promise<void> {
  const records = entries.map((entry) => ({
    subject: entry.table_name, record_id: entry.record_id, policyholder_id: personOf(entry),
    fields: personalFieldsOf(entry.table_name, { ...entry.old_values, ...entry.new_values }),
  }));
  await recordMixedRead(tx, 'GET /audit', purpose, records);
}
