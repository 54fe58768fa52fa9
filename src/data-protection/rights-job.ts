import { rm } from 'node:fs/promises';
import { z } from 'zod';
import { pathOfKey } from '../claims/documents/files.js';
import { defineJob } from '../jobs/definition.js';
import { eraseAuditValues, erasePolicyholder, type ErasureSummary } from './erasure.js';
import { exportPolicyholder } from './export.js';
import { recordPersonalDataRead } from './read-audit.js';
import { RIGHTS_QUEUE } from './rights-service.js';

// Runs one rights request in a transaction of the tenant (as system:data-protection:rights; an erasure's audit trail
// and its completion in two more). A request that is
// no longer queued is left alone, so a retry after a commit does nothing twice. An erasure's document bytes are
// removed after the commit (a crash in between leaves files nobody can reach: their rows say deleted).

interface Outcome {
  readonly documentKeys: string[];
  readonly erasure?: { readonly policyholderId: string; readonly erased: ErasureSummary };
}

export const rightsJob = defineJob({
  queue: RIGHTS_QUEUE,
  payload: z.object({ request_id: z.uuid() }),
  retryLimit: 3,
  async run({ data, inTenant, deps }) {
    const outcome = await inTenant(async ({ tx }) => {
      const row = await tx('data_rights_requests').where({ request_id: data.request_id }).forUpdate()
        .first<{ kind: 'export' | 'erasure'; policyholder_id: string; status: string } | undefined>('kind', 'policyholder_id', 'status');
      if (!row || row.status !== 'queued') return { documentKeys: [] as string[] } as Outcome;
      if (row.kind === 'export') {
        const exported = await exportPolicyholder(tx, row.policyholder_id);
        const summary = Object.fromEntries(Object.entries(exported.sections).map(([name, rows]) => [name, rows.length]));
        await recordPersonalDataRead(tx, { endpoint: `job ${RIGHTS_QUEUE}`, purpose: 'customer_request', subject: 'policyholders',
          records: [{ record_id: row.policyholder_id, policyholder_id: row.policyholder_id }], fields: ['export'] });
        await tx('data_rights_requests').where({ request_id: data.request_id })
          .update({ result: JSON.stringify(exported), summary: JSON.stringify(summary), status: 'completed', completed_at: tx.fn.now(), updated_at: tx.fn.now() });
        return { documentKeys: [] as string[] } as Outcome;
      }
      await tx('policyholders').where({ policyholder_id: row.policyholder_id }).forUpdate().first('policyholder_id');
      const erased = await erasePolicyholder(tx, row.policyholder_id);
      return { documentKeys: erased.document_keys, erasure: { policyholderId: row.policyholder_id, erased } };
    });
    if (outcome.erasure) {
      // The audit trail's values in a second transaction (see eraseAuditValues); the request stays queued until
      // then, so a retry erases again (idempotently) and finishes the trail.
      const { policyholderId, erased } = outcome.erasure;
      // Nothing else in its transaction: on Citus one user's change bars another user from the tenant's shards.
      const auditEntries = await inTenant(({ tx }) => eraseAuditValues(tx, policyholderId, erased.audited));
      await inTenant(async ({ tx }) => {
        await tx('data_rights_requests').where({ request_id: data.request_id }).update({
          summary: JSON.stringify({ rows: erased.rows, audit_entries: auditEntries, documents: erased.document_keys.length }),
          status: 'completed', completed_at: tx.fn.now(), updated_at: tx.fn.now(),
        });
      });
    }
    await Promise.all(outcome.documentKeys.map((key) => rm(pathOfKey(deps.config.documents.dir, key), { force: true })));
  },
});
