import PgBoss from 'pg-boss';
import { RUNTIME_GROUP, withClient } from '../db/roles.js';
import { JOB_DEFAULTS, JOBS_SCHEMA, type JobDefinition } from './definition.js';

/**
 * As the owner, at migrate and boot time: creates (or upgrades) pg-boss's schema, creates or updates one queue per
 * job definition (each queue is a partition, i.e. DDL, which the runtime role may not do) and grants the runtime
 * group what pg-boss needs at run time: rows, never DDL. On Citus the schema is made with schema-based sharding
 * off, so the queue stays a plain local schema on the coordinator.
 */
export async function installJobQueue(ownerUrl: string, definitions: readonly JobDefinition[], log: (line: string) => void): Promise<void> {
  await withClient(ownerUrl, async (client) => {
    const citus = await client.query("SELECT 1 FROM pg_extension WHERE extname = 'citus'");
    await client.query('BEGIN');
    if (citus.rowCount) await client.query('SET LOCAL citus.enable_schema_based_sharding TO off');
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${JOBS_SCHEMA}`);
    await client.query('COMMIT');
  });
  const boss = new PgBoss({ connectionString: ownerUrl, schema: JOBS_SCHEMA, migrate: true, supervise: false, schedule: false, max: 1 });
  boss.on('error', (error: Error) => log(`job queue install: ${error.message}`));
  await boss.start();
  try {
    for (const definition of definitions) {
      const queue = queueOptions(definition);
      if (await boss.getQueue(definition.queue)) await boss.updateQueue(definition.queue, queue);
      else await boss.createQueue(definition.queue, queue);
    }
  } finally {
    await boss.stop({ graceful: false });
  }
  await withClient(ownerUrl, async (client) => {
    await client.query(`GRANT USAGE ON SCHEMA ${JOBS_SCHEMA} TO ${RUNTIME_GROUP}`);
    await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${JOBS_SCHEMA} TO ${RUNTIME_GROUP}`);
  });
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
