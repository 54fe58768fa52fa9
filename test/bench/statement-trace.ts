import type { Knex } from 'knex';

// BENCH_TRACE=1: the wall time of every statement through knex's query events, summed by the statement's first
// words, printed (slowest first) and reset by report(). Where an import's time goes, without a profiler.

interface Query { __knexQueryUid: string; sql: string }

export function traceStatements(knex: Knex): { report(): void } | undefined {
  if (!process.env.BENCH_TRACE) return undefined;
  const started = new Map<string, number>();
  const totals = new Map<string, { ms: number; count: number }>();
  const done = (query: Query) => {
    const at = started.get(query.__knexQueryUid);
    if (at === undefined) return;
    started.delete(query.__knexQueryUid);
    const key = query.sql.replace(/\s+/g, ' ').trim().slice(0, 70);
    const total = totals.get(key) ?? { ms: 0, count: 0 };
    total.ms += performance.now() - at;
    total.count += 1;
    totals.set(key, total);
  };
  knex.on('query', (query: Query) => started.set(query.__knexQueryUid, performance.now()));
  knex.on('query-response', (_response: unknown, query: Query) => done(query));
  knex.on('query-error', (_error: unknown, query: Query) => done(query));
  return {
    report() {
      for (const [sql, { ms, count }] of [...totals].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15)) {
        console.log(`  ${(ms / 1000).toFixed(2).padStart(7)} s ${String(count).padStart(6)}x  ${sql}`);
      }
      totals.clear();
    },
  };
}
