import type { JobContext } from './definition.js';

// What every job that keeps a status row does when a run fails: record the failure on its row (the message, and
// `failed` once no retry is left), then rethrow so pg-boss retries with its backoff.

/** No retry is left after this run (an aborted run, past its expiry or at shutdown, is always retried). */
export function isLastAttempt(ctx: Pick<JobContext<unknown>, 'attempt' | 'signal'>, retryLimit: number): boolean {
  return ctx.attempt >= retryLimit && !ctx.signal.aborted;
}

/** Runs `work`; if it throws, `record` gets the message and whether this was the last attempt, and the error is rethrown. */
export async function recordingFailure<T>(ctx: Pick<JobContext<unknown>, 'attempt' | 'signal'>, retryLimit: number, work: () => Promise<T>,
  record: (failure: { readonly message: string; readonly last: boolean }) => Promise<unknown>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    await record({ message: error instanceof Error ? error.message : String(error), last: isLastAttempt(ctx, retryLimit) });
    throw error;
  }
}
