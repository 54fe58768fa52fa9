import { z } from 'zod';
import { defineJob } from '../jobs/definition.js';
import { recordingFailure } from '../jobs/failures.js';
import { findBacktest, updateBacktest } from './backtest-repository.js';
import { BACKTEST_QUEUE, replayClaims } from './backtest-service.js';

// The backtest of draft policy terms, as a durable job: it enters the tenant as the system actor (audited as
// system:claims:backtest), marks the run, replays the claims in one read transaction and stores the report in a
// last one. A failure is recorded on the run and retried; after the last retry the run says `failed`.

const BACKTEST_RETRIES = 3;

export const backtestJob = defineJob({
  queue: BACKTEST_QUEUE,
  payload: z.object({ backtest_id: z.uuid() }),
  retryLimit: BACKTEST_RETRIES,
  retryDelaySeconds: 5,
  expireInSeconds: 1800,
  policy: 'singleton',
  async run(ctx) {
    const id = ctx.data.backtest_id;
    const run = await ctx.inTenant(async ({ tx }) => {
      const found = await findBacktest(tx, id, { forUpdate: true });
      if (!found || found.status === 'completed') return undefined;
      await updateBacktest(tx, id, { status: 'running', attempts: found.attempts + 1, started_at: found.started_at ?? new Date() });
      return found;
    });
    if (!run) return { skipped: true };
    return recordingFailure(ctx, BACKTEST_RETRIES, async () => {
      const report = await ctx.inTenant(({ tx }) => replayClaims(tx, run.policy_terms_id, run.draft, run.claim_limit));
      await ctx.inTenant(({ tx }) => updateBacktest(tx, id, { status: 'completed', report: JSON.stringify(report), last_error: null, finished_at: new Date() }));
      ctx.log.info({ backtest_id: id, claims_considered: report.claims_considered, changed: report.changed.length }, 'backtest completed');
      return { claims_considered: report.claims_considered, changed: report.changed.length };
    }, ({ message, last }) => ctx.inTenant(({ tx }) => updateBacktest(tx, id, { last_error: message,
      ...(last ? { status: 'failed', finished_at: new Date() } : { status: 'queued' }) })));
  },
});
