import pg from 'pg';
import PgBoss from 'pg-boss';
import { hasCitus } from '../db/citus.js';
import { RUNTIME_GROUP, withClient } from '../db/roles.js';
import { JOB_DEFAULTS, JOBS_SCHEMA, type JobDefinition } from './definition.js';

/**
 * On Citus, pg-boss's DDL must stay on the coordinator. Citus propagates CREATE SCHEMA, CREATE TYPE and CREATE
 * FUNCTION to the workers, and pg-boss sends its install and migrations as one multi-statement string opening with
 * `SET LOCAL lock_timeout`: with `citus.propagate_set_commands = 'local'` Citus records that whole string as "the
 * SET command" and replays it on each worker connection the transaction opens, so the worker runs pg-boss's whole
 * install and refuses ("operation is not allowed on this node"). With DDL propagation off for the owner's install
 * sessions, the schema, its type, functions and tables are plain local objects of the coordinator, and no worker
 * connection is ever opened. Plain PostgreSQL gets no setting at all.
 */
const CITUS_LOCAL_DDL = '-c citus.enable_ddl_propagation=off';

/**
 * As the owner, at migrate and boot time: creates (or upgrades) pg-boss's schema, creates or updates one queue per
 * job definition (each queue is a partition, i.e. DDL, which the runtime role may not do) and grants the runtime
 * group what pg-boss needs at run time: rows, never DDL.
 */
export async function installJobQueue(ownerUrl: string, definitions: readonly JobDefinition[], log: (line: string) => void): Promise<void> {
  const citus = await withClient(ownerUrl, (client) => hasCitus((sql) => client.query(sql)));
  const pool = new pg.Pool({ connectionString: ownerUrl, max: 1, application_name: 'agent-mitra-jobs-install',
    ...(citus ? { options: CITUS_LOCAL_DDL } : {}) });
  try {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS ${JOBS_SCHEMA}`);
    const boss = new PgBoss({
      db: { executeSql: (text, values) => pool.query(text, values) },
      schema: JOBS_SCHEMA, migrate: true, supervise: false, schedule: false,
    });
    boss.on('error', (error: Error) => log(`job queue install: ${error.message}`));
    await boss.start();
    try {
      for (const definition of definitions) {
        const queue = queueOptions(definition);
        if (await boss.getQueue(definition.queue)) await boss.updateQueue(definition.queue, queue);
        else await boss.createQueue(definition.queue, queue);
      }
    } finally {
      await boss.stop({ graceful: false, close: false });
    }
    await pool.query(`GRANT USAGE ON SCHEMA ${JOBS_SCHEMA} TO ${RUNTIME_GROUP}`);
    await pool.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${JOBS_SCHEMA} TO ${RUNTIME_GROUP}`);
  } finally {
    await pool.end();
  }
}

function queueOptions(definition: JobDefinition): PgBoss.Queue {
  return {
    name: definition.queue,
    policy: definition.policy ?? JOB_DEFAULTS.policy,
    retryLimit: definition.retryLimit ?? JOB_DEFAULTS.retryLimit,
    retryDelay: definition.retryDelaySeconds ?? JOB_DEFAULTS.retryDelaySeconds,
    retryBackoff: true,
    expireInSeconds: definition.expireInSeconds ?? JOB_DEFAULTS.expireInSeconds,
  };
}
