import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';

// The bench's yardstick: node:http and pg with nothing else. Each request runs, in one transaction as the runtime
// role (so under the same RLS), the same settings the API's scope sets and the same SQL the API's handler sends:
// three round trips (BEGIN with the SET LOCALs, the query, COMMIT). No auth, validation or logging: the caller is
// the index in the x-bench-caller header, its book range given up front.

export interface BareCaller { readonly lo: number; readonly hi: number }

export interface BareSetup {
  readonly url: string;
  readonly poolMax: number;
  readonly schema: string;
  readonly tenantId: string;
  readonly callers: readonly BareCaller[];
  /** The handler's statement, with pg's $n placeholders, and its values. */
  readonly sql: string;
  readonly values: readonly unknown[];
  /** Citus: BEGIN on its own, then the settings (as the API's scope does there). */
  readonly citus: boolean;
}

export function settingsOf(setup: Pick<BareSetup, 'schema' | 'tenantId'>, caller: BareCaller): string {
  const settings: Record<string, string> = { 'app.scope': 'tenant', 'app.tenant_id': setup.tenantId, 'app.user_id': '', 'app.actor': 'user',
    'app.agent_lo': String(caller.lo), 'app.agent_hi': String(caller.hi), 'app.policyholder_id': '',
    'app.policyholder_lo': '00000000-0000-0000-0000-000000000000', 'app.policyholder_hi': 'ffffffff-ffff-ffff-ffff-ffffffffffff',
    'app.platform_user_id': '' };
  return [`SET LOCAL search_path = "${setup.schema}", shared`,
    ...Object.entries(settings).map(([name, value]) => `SET LOCAL ${name} = '${value}'`)].join('; ');
}

export async function startBareServer(setup: BareSetup): Promise<{ port: number; close(): Promise<void> }> {
  const pool = new pg.Pool({ connectionString: setup.url, max: setup.poolMax });
  const openings = setup.callers.map((caller) => settingsOf(setup, caller));
  const server = http.createServer(async (req, res) => {
    const client = await pool.connect();
    try {
      const settings = openings[Number(req.headers['x-bench-caller'] ?? 0) % openings.length] as string;
      if (setup.citus) await client.query('BEGIN');
      await client.query(setup.citus ? settings : `BEGIN; ${settings}`);
      const { rows } = await client.query(setup.sql, setup.values as unknown[]);
      await client.query('COMMIT');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items: rows }));
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      res.writeHead(500).end(String(error));
    } finally {
      client.release();
    }
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
