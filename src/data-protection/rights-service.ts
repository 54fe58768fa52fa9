import type {
  DataRightsRequest, DataRightsRequestBody, DataRightsRequestQuery,
} from '../../schemas/data-protection.js';
import type { Actor } from '../auth/actor.js';
import { paginate, type Page } from '../db/pagination.js';
import type { Tx } from '../db/scope.js';
import { ConflictError, NotFoundError } from '../errors.js';
import { enqueueInTransaction } from '../jobs/outbox.js';
import { authorizeDataProtection } from './access.js';
import { recordPersonalDataRead } from './read-audit.js';

// Rights requests (export, erasure) of a policyholder, made by the tenant's data protection officer (a
// tenant-wide administrator) for the person. Both run as a durable job (rights-job.ts); an export's JSON waits in
// the request row until it is downloaded, once, and is then gone.

export const RIGHTS_QUEUE = 'data-protection.rights';

interface RequestRow {
  request_id: string; kind: 'export' | 'erasure'; policyholder_id: string; status: DataRightsRequest['status'];
  reason: string | null; summary: Record<string, unknown> | null; requested_by: string | null; created_at: Date;
  completed_at: Date | null; downloaded_at: Date | null;
}
const COLUMNS = ['request_id', 'kind', 'policyholder_id', 'status', 'reason', 'summary', 'requested_by', 'created_at', 'completed_at', 'downloaded_at'];

function view(row: RequestRow): DataRightsRequest {
  return { ...row, created_at: row.created_at.toISOString(), completed_at: row.completed_at?.toISOString() ?? null,
    downloaded_at: row.downloaded_at?.toISOString() ?? null };
}

async function findRequest(tx: Tx, requestId: string, forUpdate = false): Promise<RequestRow> {
  const query = tx('data_rights_requests').where({ request_id: requestId }).first<RequestRow | undefined>(COLUMNS);
  const row = await (forUpdate ? query.forUpdate() : query);
  if (!row) throw new NotFoundError('No such data rights request.', { code: 'data_protection.request_not_found' });
  return row;
}

export async function createRightsRequest(tx: Tx, actor: Actor, body: DataRightsRequestBody): Promise<DataRightsRequest> {
  authorizeDataProtection(actor, 'manage');
  const holder = await tx('policyholders').where({ policyholder_id: body.policyholder_id }).first<{ erased_at: Date | null } | undefined>('erased_at');
  if (!holder) throw new NotFoundError('No such policyholder.', { code: 'policyholder.not_found' });
  if (holder.erased_at) throw new ConflictError('The policyholder has been erased; nothing personal is left.', { code: 'data_protection.erased' });
  const [row] = await tx('data_rights_requests').insert({ kind: body.kind, policyholder_id: body.policyholder_id, reason: body.reason ?? null })
    .returning(COLUMNS) as RequestRow[];
  const created = row as RequestRow;
  await enqueueInTransaction(tx, RIGHTS_QUEUE, { request_id: created.request_id }, { userId: actor.user_id, singletonKey: created.request_id });
  return view(created);
}

export async function getRightsRequest(tx: Tx, actor: Actor, requestId: string): Promise<DataRightsRequest> {
  authorizeDataProtection(actor, 'read');
  return view(await findRequest(tx, requestId));
}

export async function listRightsRequests(tx: Tx, actor: Actor, query: DataRightsRequestQuery): Promise<Page<DataRightsRequest>> {
  authorizeDataProtection(actor, 'read');
  const select = tx('data_rights_requests').select(COLUMNS);
  if (query.policyholder_id) select.where({ policyholder_id: query.policyholder_id });
  const page = await paginate<RequestRow>(select, 'request_id', { ...query, newestFirst: true });
  return { data: page.data.map(view), next_cursor: page.next_cursor };
}

/** The export's JSON, once: the row forgets it in the same transaction, and the read is audited. */
export async function downloadExport(tx: Tx, actor: Actor, requestId: string): Promise<unknown> {
  authorizeDataProtection(actor, 'manage');
  const row = await findRequest(tx, requestId, true);
  if (row.kind !== 'export') throw new NotFoundError('This request is not an export.', { code: 'data_protection.request_not_found' });
  if (row.status === 'downloaded') {
    throw new ConflictError('The export was downloaded once already; make a new request.', { code: 'data_protection.already_downloaded' });
  }
  if (row.status !== 'completed') throw new ConflictError('The export is not ready yet.', { code: 'data_protection.not_ready' });
  const { result } = await tx('data_rights_requests').where({ request_id: requestId }).first<{ result: unknown }>('result');
  // The person was erased after the export was made: the erasure emptied it with the rest of their data.
  if (result === null) throw new ConflictError('The policyholder has been erased since; the export is gone.', { code: 'data_protection.erased' });
  await tx('data_rights_requests').where({ request_id: requestId })
    .update({ result: null, status: 'downloaded', downloaded_at: tx.fn.now(), downloaded_by: actor.user_id, updated_at: tx.fn.now() });
  await recordPersonalDataRead(tx, { endpoint: 'GET /data-rights-requests/:request_id/download', purpose: 'customer_request',
    subject: 'policyholders', records: [{ record_id: row.policyholder_id, policyholder_id: row.policyholder_id }], fields: ['export'] });
  return result;
}
