import { z } from 'zod';
import { defineJob } from '../jobs/definition.js';
import { purgeExpired } from './retention.js';

// The retention purge of one tenant as a durable job (as system:data-protection:retention-purge);
// its report (rows purged per class) is the job's output and a log line. Idempotent: a retry or a second run
// finds nothing more to purge.
export const RETENTION_QUEUE = 'data-protection.retention-purge';

export const retentionPurgeJob = defineJob({
  queue: RETENTION_QUEUE,
  payload: z.object({}).strict(),
  policy: 'singleton',
  retryLimit: 3,
  async run({ inTenant, log }) {
    const report = await purgeExpired((work) => inTenant(({ tx }) => work(tx)));
    log.info({ purged: report.purged }, 'retention purge done');
    return report;
  },
});
