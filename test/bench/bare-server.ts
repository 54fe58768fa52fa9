import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { PREPARE } from './meter.js';

// The bench's yardstick: node:http and pg with nothing else. For each caller it replays the statements the API sent
// for that caller's page (captured by a probe request through the API, src/db/knex.ts's PREPAREs taken out): the
// same texts, the same bound values, the same round trips, on one pooled connection, so the same transaction with
// the same settings under the same RLS. Like knex.ts, a connection that has not prepared a statement yet gets its
// `PREPARE <name> AS ...; ` in front of the first EXECUTE. No auth, validation or logging: the caller is the index
// in the x-bench-caller header. The reply is the largest row set of the transaction (the page), as JSON.

export interface Statement { readonly text: string; readonly values: readonly unknown[] }

export interface BareSetup {
  readonly url: string;
  readonly poolMax: number;
  /** `PREPARE <name> AS <text>` by name, as the API sent them. */
  readonly prepares: Readonly<Record<string, string>>;
  /** Per caller, the API's statements for one page, without PREPAREs. */
  readonly callers: readonly (readonly Statement[])[];
}

export const withoutPrepares = (text: string): string => text.replace(PREPARE, '');

/** `text` with a PREPARE in front of each EXECUTE of a statement not in `prepared` yet, and the names it prepares. */
export function withPrepares(text: string, prepares: BareSetup['prepares'], prepared: ReadonlySet<string>): { text: string; names: string[] } {
  const names: string[] = [];
  const sent = text.replace(/\bEXECUTE (\w+)/g, (execute, name: string) => {
    if (!prepares[name] || prepared.has(name) || names.includes(name)) return execute;
    names.push(name);
    return `${prepares[name]}; ${execute}`;
  });
  return { text: sent, names };
}

export async function startBareServer(setup: BareSetup): Promise<{ port: number; close(): Promise<void> }> {
  const pool = new pg.Pool({ connectionString: setup.url, max: setup.poolMax, application_name: 'bench-bare' });
  const preparedOn = new WeakMap<pg.PoolClient, Set<string>>();
  const server = http.createServer(async (req, res) => {
    const sequence = setup.callers[Number(req.headers['x-bench-caller'] ?? 0) % setup.callers.length] as readonly Statement[];
    const client = await pool.connect();
    const prepared = preparedOn.get(client) ?? new Set<string>();
    preparedOn.set(client, prepared);
    let page: unknown[] = [];
    try {
      for (const statement of sequence) {
        const { text, names } = withPrepares(statement.text, setup.prepares, prepared);
        const results = [await client.query(text, statement.values as unknown[])].flat();
        for (const name of names) prepared.add(name);
        for (const { rows } of results) if (rows && rows.length > page.length) page = rows;
      }
    } catch (error) {
      // Whether a PREPARE ran is unknown after a failure: the connection goes, and its prepared statements with it.
      await client.query('ROLLBACK').catch(() => undefined);
      client.release(true);
      res.writeHead(500).end(String(error));
      return;
    }
    client.release();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items: page }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      await new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
      await pool.end();
    },
  };
}
