import type { MigrationBuilder } from 'node-pg-migrate';
import { TENANT_MATCHES, tenantPolicies } from '../../src/db/migration-kit.js';

// The read audit writes one row per read instead of one per record handed out (a page of 50 policyholders cost
// PostgreSQL 50 rows, each with its index entries, defaults and RLS check): the records read are two parallel
// arrays, record_ids and policyholder_ids (whose data each record is; NULL where none), of equal length.
// No GIN index on them: under row-level security the planner uses an index only for a leakproof operator, and
// no array operator (@>, &&) is leakproof, so a GIN index would cost every insert and never serve the runtime
// role's lookups. The lookups ("reads of this person", "reads of this record") are a `= ANY(...)` filter over the
// reads in the asked `from`/`to` window (a range of the (occurred_at, read_id) index).
// Each existing row becomes a one-element read (grouping them would take an INSERT ... SELECT, which Citus runs as
// COPY and refuses under RLS). The owner is under forced RLS too and the table has no UPDATE policy: the rewrite
// runs under a temporary one (the runtime role holds no UPDATE grant, so it never gave it anything).

const SAME_LENGTH = 'cardinality(record_ids) > 0 AND cardinality(policyholder_ids) = cardinality(record_ids)';

function withUpdatePolicy(pgm: MigrationBuilder, statement: string): void {
  tenantPolicies(pgm, 'personal_data_reads', { update: TENANT_MATCHES });
  pgm.sql(statement);
  pgm.sql('DROP POLICY personal_data_reads_update ON personal_data_reads;');
}

export function up(pgm: MigrationBuilder): void {
  // One subcommand per ALTER for Citus.
  pgm.sql('ALTER TABLE personal_data_reads ADD COLUMN record_ids uuid[];');
  pgm.sql('ALTER TABLE personal_data_reads ADD COLUMN policyholder_ids uuid[];');
  withUpdatePolicy(pgm, 'UPDATE personal_data_reads SET record_ids = ARRAY[record_id], policyholder_ids = ARRAY[policyholder_id];');
  pgm.sql('ALTER TABLE personal_data_reads ALTER COLUMN record_ids SET NOT NULL;');
  pgm.sql('ALTER TABLE personal_data_reads ALTER COLUMN policyholder_ids SET NOT NULL;');
  pgm.sql(`ALTER TABLE personal_data_reads ADD CONSTRAINT personal_data_reads_records CHECK (${SAME_LENGTH});`);
  // Their indexes (personal_data_reads_policyholder, personal_data_reads_record) go with them.
  pgm.sql('ALTER TABLE personal_data_reads DROP COLUMN record_id;');
  pgm.sql('ALTER TABLE personal_data_reads DROP COLUMN policyholder_id;');
}

// Back to one row per record: a read of several records becomes one row per record.
export function down(pgm: MigrationBuilder): void {
  pgm.sql('ALTER TABLE personal_data_reads ADD COLUMN record_id uuid;');
  pgm.sql('ALTER TABLE personal_data_reads ADD COLUMN policyholder_id uuid;');
  // The casts are not decoration: Citus 13.2 crashes (SIGSEGV) deparsing an UPDATE whose SET value is a bare subscript.
  withUpdatePolicy(pgm, `UPDATE personal_data_reads SET record_id = record_ids[1]::text::uuid,
    policyholder_id = policyholder_ids[1]::text::uuid WHERE cardinality(record_ids) = 1;`);
  // Row by row: Citus runs an INSERT ... SELECT into a distributed table as COPY, which it refuses under RLS.
  pgm.sql(`DO $expand$
    DECLARE
      r record;
    BEGIN
      FOR r IN SELECT p.request_id, p.occurred_at, p.actor_user_id, p.actor, p.purpose, p.endpoint, p.subject, p.fields,
          u.one_record, u.one_holder
        FROM personal_data_reads p, unnest(p.record_ids, p.policyholder_ids) AS u(one_record, one_holder)
       WHERE cardinality(p.record_ids) > 1
      LOOP
        INSERT INTO personal_data_reads (request_id, occurred_at, actor_user_id, actor, purpose, endpoint, subject, fields,
          record_id, policyholder_id, record_ids, policyholder_ids)
        VALUES (r.request_id, r.occurred_at, r.actor_user_id, r.actor, r.purpose, r.endpoint, r.subject, r.fields,
          r.one_record, r.one_holder, ARRAY[r.one_record], ARRAY[r.one_holder]);
      END LOOP;
    END
    $expand$;`);
  pgm.sql('DELETE FROM personal_data_reads WHERE record_id IS NULL;');
  pgm.sql('ALTER TABLE personal_data_reads ALTER COLUMN record_id SET NOT NULL;');
  pgm.sql('ALTER TABLE personal_data_reads DROP CONSTRAINT personal_data_reads_records;');
  pgm.sql('ALTER TABLE personal_data_reads DROP COLUMN record_ids;');
  pgm.sql('ALTER TABLE personal_data_reads DROP COLUMN policyholder_ids;');
  pgm.sql('CREATE INDEX personal_data_reads_policyholder ON personal_data_reads (policyholder_id, occurred_at DESC);');
  pgm.sql('CREATE INDEX personal_data_reads_record ON personal_data_reads (record_id);');
}
