import autocannon from 'autocannon';
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { withPrepares, type BareSetup, type Statement } from './bare-server.js';

// Load generators for `npm run bench`: autocannon against an HTTP server, pgbench against the database.

export interface Figures {
  /** Successful requests (or transactions) per second. */
  readonly rps: number;
  readonly p50: number;
  /** pgbench reports no percentiles here: its mean latency stands in for p50 and p99 is NaN. */
  readonly p99: number;
  readonly ok: number;
  readonly failed: number;
  /** Requests sent, the ones cut off by the end of the run included. */
  readonly sent: number;
}

export interface Call {
  readonly method?: 'GET' | 'POST';
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/** Drives `base` for `seconds` over `connections`, each request from `next(n)` (so callers and bodies rotate). */
export async function hammer(base: string, seconds: number, connections: number, next: (n: number) => Call): Promise<Figures> {
  let n = 0;
  const result = await autocannon({
    url: base, connections, duration: seconds,
    requests: [{
      setupRequest: (request) => {
        const call = next(n++);
        return { ...request, method: call.method ?? 'GET', path: call.path,
          headers: { ...call.headers, ...(call.body ? { 'content-type': 'application/json' } : {}) }, ...(call.body ? { body: call.body } : {}) };
      },
    }],
  });
  const ok = result['2xx'];
  const sent = (result.requests as { sent?: number }).sent ?? n;
  return { rps: ok / result.duration, p50: result.latency.p50, p99: result.latency.p99, ok, failed: result.non2xx + result.errors, sent };
}

const exec = promisify(execFile);

/**
 * pgbench running `transactions` (one script each, picked at random with equal weight) for `seconds`; simple query
 * protocol, so a line holding `\;`-joined statements is one round trip, as in the API and the bare server. Each
 * client starts with `prepared` = 0 (see pgbenchScript).
 */
export async function pgbench(binary: string, url: string, dir: string, transactions: string[], seconds: number, clients: number): Promise<Figures> {
  mkdirSync(dir, { recursive: true });
  const files = transactions.map((script, index) => {
    const file = path.join(dir, `tx-${index}.sql`);
    writeFileSync(file, script);
    return `${file}@1`;
  });
  const { stdout } = await exec(binary, ['-n', '-M', 'simple', '-D', 'prepared=0', '-c', String(clients), '-j', '2', '-T', String(seconds),
    ...files.flatMap((file) => ['-f', file]), url], { maxBuffer: 16 * 1024 * 1024 });
  const tps = Number(stdout.match(/tps = ([\d.]+)/)?.[1]);
  const latency = Number(stdout.match(/latency average = ([\d.]+) ms/)?.[1]);
  const ok = Number(stdout.match(/number of transactions actually processed: (\d+)/)?.[1]);
  const failed = Number(stdout.match(/number of failed transactions: (\d+)/)?.[1] ?? 0);
  return { rps: tps, p50: latency, p99: NaN, ok, failed, sent: ok + failed };
}

/**
 * One pgbench transaction replaying a caller's captured statements: a line (one round trip) per statement, its
 * values inlined. The line that EXECUTEs a prepared statement comes twice: with the PREPARE in front for the
 * client's first transaction (pgbench variables live as long as the client, and so does its connection), without
 * it afterwards, as src/db/knex.ts sends it.
 */
export function pgbenchScript(sequence: readonly Statement[], prepares: BareSetup['prepares']): string {
  const line = (text: string) => {
    const single = text.replace(/\s+/g, ' ').trim().replace(/[;\s]+$/, '');
    // Statements joined in one round trip: `\;` between them, outside string literals.
    return `${single.split("'").map((part, index) => (index % 2 ? part : part.replaceAll(';', '\\;'))).join("'")};\n`;
  };
  return sequence.map(({ text, values }) => {
    const plain = inlined(text, values);
    const first = withPrepares(plain, prepares, new Set());
    return first.names.length ? `\\if :prepared\n${line(plain)}\\else\n${line(first.text)}\\set prepared 1\n\\endif\n` : line(plain);
  }).join('');
}

/** A pg statement with its $n placeholders replaced by literals, as pg would send the values (arrays, JSON). */
export function inlined(sql: string, values: readonly unknown[]): string {
  if (values.length === 0) return sql;
  const quote = (text: string) => `'${text.replaceAll("'", "''")}'`;
  const element = (value: unknown) => (value === null ? 'NULL' : `"${String(value).replace(/["\\]/g, '\\$&')}"`);
  return sql.replace(/\$(\d+)/g, (_, index: string) => {
    const value = values[Number(index) - 1];
    if (value === null || value === undefined) return 'NULL';
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (value instanceof Date) return quote(value.toISOString());
    if (Array.isArray(value)) return quote(`{${value.map(element).join(',')}}`);
    if (typeof value === 'object') return quote(JSON.stringify(value));
    return quote(String(value));
  });
}

export function median(values: readonly number[]): number {
  const sorted = values.filter((value) => !Number.isNaN(value)).sort((a, b) => a - b);
  if (!sorted.length) return NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] as number : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
