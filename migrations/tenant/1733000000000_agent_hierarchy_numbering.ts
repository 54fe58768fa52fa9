import type { MigrationBuilder } from 'node-pg-migrate';
import { MAX_AGENT_ORDER } from '../../src/db/scope.js';

// The agent hierarchy as a pre-order numbering with gaps: each agent holds its own number (pre_order) and the
// last number reserved for its subtree (subtree_hi), so "this agent and everyone below" is one BETWEEN. Book rows
// copy their agent's number (agent_order) through a foreign key that cascades renumbering. Existing agents are
// numbered here, spread evenly over [1, MAX_AGENT_ORDER] in pre-order (ordered by path of ids).
export function up(pgm: MigrationBuilder): void {
  pgm.sql('ALTER TABLE agents ADD COLUMN pre_order bigint, ADD COLUMN subtree_hi bigint;');
  pgm.sql(`
    WITH RECURSIVE tree AS (
      SELECT agent_id, ARRAY[agent_id] AS path FROM agents WHERE parent_agent_id IS NULL
      UNION ALL
      SELECT a.agent_id, t.path || a.agent_id FROM agents a JOIN tree t ON a.parent_agent_id = t.agent_id
    ), ranked AS (
      SELECT agent_id, path, row_number() OVER (ORDER BY path) - 1 AS rank FROM tree
    ), sized AS (
      SELECT r.agent_id, r.rank,
             (SELECT count(*) FROM ranked d WHERE d.path[1:cardinality(r.path)] = r.path) AS size
        FROM ranked r
    ), unit AS (
      SELECT ${MAX_AGENT_ORDER}::bigint / greatest(count(*), 1) AS width FROM ranked
    )
    UPDATE agents a SET pre_order = 1 + s.rank * unit.width, subtree_hi = (s.rank + s.size) * unit.width
      FROM sized s, unit WHERE a.agent_id = s.agent_id;`);
  pgm.sql('ALTER TABLE agents ALTER COLUMN pre_order SET NOT NULL, ALTER COLUMN subtree_hi SET NOT NULL;');
  pgm.sql(`ALTER TABLE agents ADD CONSTRAINT agents_numbering CHECK (pre_order BETWEEN 1 AND ${MAX_AGENT_ORDER}
    AND subtree_hi BETWEEN pre_order AND ${MAX_AGENT_ORDER});`);
  pgm.sql('ALTER TABLE agents ADD CONSTRAINT agents_book_key UNIQUE (agent_id, pre_order);');
  pgm.sql('CREATE INDEX agents_pre_order ON agents (pre_order);');
  pgm.sql('CREATE INDEX agents_created_at ON agents (created_at, agent_id);');
}

export function down(pgm: MigrationBuilder): void {
  pgm.sql('DROP INDEX agents_created_at;');
  pgm.sql('ALTER TABLE agents DROP COLUMN pre_order, DROP COLUMN subtree_hi;');
}
