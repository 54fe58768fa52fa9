import { AsyncLocalStorage } from 'node:async_hooks';

/** What every log line of a request or a job carries: who it runs for and which request or job it is. */
export interface LogContext {
  request_id?: string;
  job_id?: string;
  queue?: string;
  tenant?: string;
  user_id?: string;
}

const storage = new AsyncLocalStorage<LogContext>();

/** Runs `work` with this context; log lines written anywhere inside it (awaits included) carry its fields. */
export function withLogContext<T>(context: LogContext, work: () => T): T {
  return storage.run(context, work);
}

/** Adds fields to the current context once they are known (the tenant and user after authentication). */
export function annotateLogContext(fields: LogContext): void {
  const current = storage.getStore();
  if (current) Object.assign(current, fields);
}

export function currentLogContext(): LogContext {
  return storage.getStore() ?? {};
}
