import { backtestJob } from './claims/backtest-job.js';
import { extractDocumentJob } from './claims/documents/extract-job.js';
import { reencryptJob } from './data-protection/encryption/reencrypt.js';
import { retentionPurgeJob } from './data-protection/retention-job.js';
import { rightsJob } from './data-protection/rights-job.js';
import { importJob } from './imports/job.js';
import type { JobDefinition } from './jobs/definition.js';
import { notificationJob } from './notifications/job.js';

// Every background job the app runs, as src/endpoints.ts lists every endpoint: a module defines its jobs with
// defineJob (src/jobs/definition.ts) and adds them here. Boot creates one queue per job (as the owner) and the
// workers of `npm start` / `npm run worker` run them. The lapse job, imports and the claims backtest go here.
export const JOB_DEFINITIONS: readonly JobDefinition[] = [
  importJob, backtestJob, extractDocumentJob, reencryptJob, rightsJob, retentionPurgeJob, notificationJob,
];
