import type { MigrationBuilder } from 'node-pg-migrate';
import {
  auditTable, BOOK_AGENT_FOREIGN_KEY, BOOK_COLUMNS, bookIndexes, bookPolicies, guardTenantTable, TENANT_ID_COLUMN,
  tenantMigrationContext,
} from '../../src/db/migration-kit.js';

// Policyholders: the agent book's customers. Each belongs to its servicing agent's book (agent_id, agent_order);
// a policyholder user (users.policyholder_id) sees only its own record. The *_key columns feed the prefix
// indexes behind ?q= (name, phone, e-mail, customer id).
export async function up(pgm: MigrationBuilder): Promise<void> {
  const tenant = await tenantMigrationContext(pgm);
  pgm.sql(`
    CREATE TABLE policyholders (
      policyholder_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      ${TENANT_ID_COLUMN},
      ${BOOK_COLUMNS},
      customer_id varchar(100) UNIQUE,
      salutation varchar(10),
      first_name varchar(100) NOT NULL,
      last_name varchar(100),
      date_of_birth date,
      gender varchar(10) CHECK (gender IN ('male', 'female', 'other')),
      email varchar(255) CHECK (email = lower(email)),
      phone_number varchar(15) CHECK (phone_number ~ '^\\+?[0-9]{10,14}$'),
      address jsonb CHECK (jsonb_typeof(address) = 'object'),
      marital_status varchar(20) CHECK (marital_status IN ('single', 'married', 'divorced', 'widowed')),
      occupation varchar(100),
      annual_income numeric(14, 2) CHECK (annual_income >= 0),
      pre_existing_conditions jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(pre_existing_conditions) = 'array'),
      nominee_details jsonb CHECK (jsonb_typeof(nominee_details) = 'object'),
      preferred_language varchar(10) NOT NULL DEFAULT 'en',
      marketing_consent boolean NOT NULL DEFAULT false,
      status varchar(20) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
      deactivated_at timestamptz,
      deactivated_reason text,
      created_by uuid,
      updated_by uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      first_name_key text GENERATED ALWAYS AS (lower(first_name)) STORED,
      last_name_key text GENERATED ALWAYS AS (lower(last_name)) STORED,
      phone_key text GENERATED ALWAYS AS (right(phone_number, 10)) STORED,
      ${BOOK_AGENT_FOREIGN_KEY},
      CONSTRAINT policyholders_book_key UNIQUE (policyholder_id, agent_order)
    );`);
  bookIndexes(pgm, 'policyholders', 'policyholder_id');
  // ?q= is a prefix search over these keys. Under RLS the planner only turns a query's condition into an index
  // condition when its operator is leakproof: LIKE and pg_trgm's operators are not (a trigram index is never used
  // for a runtime-role query), the text_pattern_ops comparisons ~>=~ and ~<~ on a plain column are.
  for (const column of ['first_name_key', 'last_name_key', 'email', 'phone_key', 'customer_id']) {
    pgm.sql(`CREATE INDEX policyholders_${column}_prefix ON policyholders (${column} text_pattern_ops);`);
  }
  pgm.sql('CREATE INDEX policyholders_agent ON policyholders (agent_id);');
  guardTenantTable(pgm, tenant, 'policyholders', ['SELECT', 'INSERT', 'UPDATE']);
  bookPolicies(pgm, 'policyholders', ['select', 'insert', 'update']);
  auditTable(pgm, tenant, 'policyholders', { ignore: ['agent_order'] });

  // The login of a policyholder user, with its record's book number (kept in step by the cascading key): the
  // actor loader reads both with the user, so the caller's range needs no lookup through RLS.
  // One constraint per statement: Citus refuses ADD CONSTRAINT beside other subcommands on a distributed table.
  pgm.sql('ALTER TABLE users ADD COLUMN policyholder_id uuid, ADD COLUMN policyholder_agent_order bigint;');
  pgm.sql('ALTER TABLE users ADD CONSTRAINT users_policyholder_id_key UNIQUE (policyholder_id);');
  pgm.sql(`ALTER TABLE users ADD CONSTRAINT users_policyholder_fk FOREIGN KEY (policyholder_id, policyholder_agent_order)
    REFERENCES policyholders (policyholder_id, agent_order) ON UPDATE CASCADE;`);
  pgm.sql(`ALTER TABLE users ADD CONSTRAINT users_policyholder_pair
    CHECK ((policyholder_id IS NULL) = (policyholder_agent_order IS NULL));`);
}

export function down(pgm: MigrationBuilder): void {
  pgm.sql('ALTER TABLE users DROP COLUMN policyholder_id, DROP COLUMN policyholder_agent_order;');
  pgm.sql('DROP TABLE policyholders;');
}
