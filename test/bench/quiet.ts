import pg from 'pg';

// The many-tenants scenario waits for the database to be quiet before it measures: onboarding hundreds of tenants
// leaves autovacuum and autoanalyze work behind (the new schemas' tables, the catalogs), and a round measured while
// a worker runs measures the worker. Nothing here vacuums or analyzes: it only waits, and says how long.

export interface Quiet {
  /** How long the wait took, the calm stretch at its end included. */
  readonly seconds: number;
  /** false: the cap was reached with a worker still running (or starting again within the calm stretch). */
  readonly quiet: boolean;
  /** Samples that saw an autovacuum worker (or a new autovacuum/autoanalyze finishing), of all samples taken. */
  readonly busySamples: number;
  readonly samples: number;
  /** What the workers were doing (`autovacuum: VACUUM ANALYZE x.y`), each distinct text once, the first 20. */
  readonly seen: string[];
  /** Whether the monitoring role sees other backends' types (a superuser or pg_read_all_stats). */
  readonly seesWorkers: boolean;
}

/**
 * Waits until no autovacuum worker has been running for `calmMs` in a row (pg_stat_activity, backend_type =
 * 'autovacuum worker', sampled every `everyMs`), at most `capMs`. A role that cannot see other backends' types
 * (DATABASE_URL's owner without pg_read_all_stats) watches instead the sum of the tables' autovacuum and
 * autoanalyze counts (pg_stat_all_tables), which moves when a worker finishes a table.
 */
export async function untilQuiet(url: string, calmMs = 5000, capMs = 180_000, everyMs = 250): Promise<Quiet> {
  const client = new pg.Client({ connectionString: url, application_name: 'bench-quiet' });
  await client.connect();
  try {
    const { rows: [role] } = await client.query<{ sees: boolean }>(`SELECT rolsuper OR pg_has_role(current_user, 'pg_read_all_stats', 'MEMBER') AS sees
      FROM pg_roles WHERE rolname = current_user`);
    const seesWorkers = Boolean(role?.sees);
    const started = performance.now();
    const seen = new Set<string>();
    let calmSince = started;
    let busySamples = 0;
    let samples = 0;
    let runs: string | undefined;
    for (;;) {
      const { rows } = await client.query<{ query: string }>(
        "SELECT coalesce(query, '') AS query FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'");
      let busy = rows.length > 0;
      for (const { query } of rows) if (query && seen.size < 20) seen.add(query);
      if (!seesWorkers) {
        const { rows: [counted] } = await client.query<{ runs: string }>(
          'SELECT sum(autovacuum_count + autoanalyze_count)::text AS runs FROM pg_stat_all_tables');
        busy ||= runs !== undefined && counted?.runs !== runs;
        runs = counted?.runs;
      }
      samples += 1;
      const now = performance.now();
      if (busy) {
        busySamples += 1;
        calmSince = now;
      }
      if (now - calmSince >= calmMs || now - started >= capMs) {
        return { seconds: (now - started) / 1000, quiet: now - calmSince >= calmMs, busySamples, samples, seen: [...seen], seesWorkers };
      }
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  } finally {
    await client.end();
  }
}
