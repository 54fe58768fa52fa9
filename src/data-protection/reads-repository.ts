import type { PersonalDataRead, PersonalDataReadQuery } from '../../schemas/data-protection.js';
import type { Page } from '../db/pagination.js';
import type { Tx } from '../db/scope.js';
import { timelinePage } from '../db/timeline.js';

// The read audit, newest first, keyset-paged on (occurred_at, read_id) (src/db/timeline.ts). One row per read, its
// records as parallel arrays. A record or person filter selects the reads containing it with `? = ANY(array)`, a
// filter over the reads in the from/to window: no array operator is leakproof, so under RLS no index on the arrays
// could serve the runtime role (see the migration 1733002800000 and the README's "Read audit").

interface ReadRow extends Omit<PersonalDataRead, 'records'> {
  record_ids: string[];
  policyholder_ids: (string | null)[];
}

export async function listPersonalDataReads(tx: Tx, query: PersonalDataReadQuery): Promise<Page<PersonalDataRead>> {
  const select = tx('personal_data_reads').select('read_id', 'request_id', 'actor_user_id', 'actor', 'purpose', 'endpoint', 'subject',
    'record_ids', 'policyholder_ids', 'fields', tx.raw(`to_json(occurred_at) #>> '{}' AS occurred_at`));
  if (query.policyholder_id) select.whereRaw('?::uuid = ANY(policyholder_ids)', [query.policyholder_id]);
  if (query.record_id) select.whereRaw('?::uuid = ANY(record_ids)', [query.record_id]);
  if (query.user_id) select.where({ actor_user_id: query.user_id });
  if (query.purpose) select.where({ purpose: query.purpose });
  if (query.from) select.where('personal_data_reads.occurred_at', '>=', query.from);
  if (query.to) select.where('personal_data_reads.occurred_at', '<', query.to);
  const page = await timelinePage<ReadRow>(select, { table: 'personal_data_reads', id: 'read_id', limit: query.limit, cursor: query.cursor });
  return { ...page, data: page.data.map(({ record_ids, policyholder_ids, ...read }) => ({ ...read,
    records: readRecords(record_ids, policyholder_ids, query) })) };
}

/** The read's records, zipped; only those matching the record or person filter when one is given. */
export function readRecords(recordIds: readonly string[], policyholderIds: readonly (string | null)[],
  filter: { record_id?: string | undefined; policyholder_id?: string | undefined } = {}): PersonalDataRead['records'] {
  return recordIds.map((recordId, i) => ({ record_id: recordId, policyholder_id: policyholderIds[i] ?? null }))
    .filter((record) => (!filter.record_id || record.record_id === filter.record_id)
      && (!filter.policyholder_id || record.policyholder_id === filter.policyholder_id));
}
