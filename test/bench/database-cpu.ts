import { readFileSync } from 'node:fs';
import pg from 'pg';

// PostgreSQL's CPU time, for the benches to report per request beside the node process's: the user + system time of
// every process pg_stat_activity lists (backends, autovacuum, the writers), read from /proc. Only for a server on this
// machine (Linux); on Citus, the coordinator's processes only (the workers' are not in its pg_stat_activity).

/** CPU ms used so far by these processes; NaN when none of them can be read (no /proc, or another machine's server). */
export function processCpuMs(pids: readonly number[]): number {
  let ticks = 0;
  let read = 0;
  for (const pid of pids) {
    try {
      const fields = (readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1] ?? '').split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
      read += 1;
    } catch {
      // a process that has just ended, or not on this machine
    }
  }
  return read ? ticks * 10 : NaN; // USER_HZ is 100 on Linux
}

export const DATABASE_PIDS_SQL = 'SELECT pid FROM pg_stat_activity';

export interface DatabaseCpuMeter {
  /** The server's processes' CPU so far (one small query each time). */
  ms(): Promise<number>;
  close(): Promise<void>;
}

/** A meter of the server at `url`. */
export async function databaseCpuMeter(url: string): Promise<DatabaseCpuMeter> {
  const client = new pg.Client({ connectionString: url, application_name: 'bench-database-cpu' });
  await client.connect();
  return {
    ms: async () => processCpuMs((await client.query<{ pid: number }>(DATABASE_PIDS_SQL)).rows.map((row) => row.pid)),
    close: () => client.end(),
  };
}
