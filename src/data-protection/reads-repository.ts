import type { PersonalDataRead, PersonalDataReadQuery } from '../../schemas/data-protection.js';
import type { Page } from '../db/pagination.js';
import type { Tx } from '../db/scope.js';
import { timelinePage } from '../db/timeline.js';

// The read audit, newest first, keyset-paged on (occurred_at, read_id) (src/db/timeline.ts).

export async function listPersonalDataReads(tx: Tx, query: PersonalDataReadQuery): Promise<Page<PersonalDataRead>> {
  const select = tx('personal_data_reads').select('read_id', 'request_id', 'actor_user_id', 'actor', 'purpose', 'endpoint', 'subject',
    'record_id', 'policyholder_id', 'fields', tx.raw(`to_json(occurred_at) #>> '{}' AS occurred_at`));
  if (query.policyholder_id) select.where({ policyholder_id: query.policyholder_id });
  if (query.record_id) select.where({ record_id: query.record_id });
  if (query.user_id) select.where({ actor_user_id: query.user_id });
  if (query.purpose) select.where({ purpose: query.purpose });
  if (query.from) select.where('personal_data_reads.occurred_at', '>=', query.from);
  if (query.to) select.where('personal_data_reads.occurred_at', '<', query.to);
  return timelinePage<PersonalDataRead>(select, { table: 'personal_data_reads', id: 'read_id', limit: query.limit, cursor: query.cursor });
}
