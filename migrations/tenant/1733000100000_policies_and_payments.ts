import type { MigrationBuilder } from 'node-pg-migrate';
import { PAYMENT_METHODS, PAYMENT_STATUSES } from '../../schemas/payments.js';
import { POLICY_CATEGORIES, POLICY_STATUSES, POLICY_TYPES, PREMIUM_FREQUENCIES } from '../../schemas/policies.js';
import { ACTIONS } from '../../schemas/access.js';
import {
  auditTable, BOOK_AGENT_FOREIGN_KEY, BOOK_COLUMNS, bookIndexes, bookPolicies, guardTenantTable, TENANT_ID_COLUMN,
  tenantMigrationContext,
} from '../../src/db/migration-kit.js';

// Policies, their status history and premium payments: book tables (agent_id, agent_order with the cascading
// foreign key, RLS on the caller's agent range or own policyholder record), audited. Money is NUMERIC(14, 2).
// Dates of the schedule are plain DATEs; derived columns are written by the service, never by clients.

const list = (values: readonly string[]) => values.map((value) => `'${value}'`).join(', ');

export async function up(pgm: MigrationBuilder): Promise<void> {
  const tenant = await tenantMigrationContext(pgm);
  pgm.sql(`
    CREATE TABLE policies (
      policy_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      ${TENANT_ID_COLUMN},
      ${BOOK_COLUMNS},
      policyholder_id uuid NOT NULL REFERENCES policyholders (policyholder_id),
      policy_number varchar(50) NOT NULL UNIQUE,
      provider_policy_id varchar(100),
      policy_type varchar(30) NOT NULL CHECK (policy_type IN (${list(POLICY_TYPES)})),
      category varchar(10) NOT NULL CHECK (category IN (${list(POLICY_CATEGORIES)})),
      plan_name varchar(255) NOT NULL,
      plan_code varchar(50),
      sum_assured numeric(14, 2) NOT NULL CHECK (sum_assured > 0),
      premium_amount numeric(14, 2) NOT NULL CHECK (premium_amount > 0),
      premium_frequency varchar(20) NOT NULL CHECK (premium_frequency IN (${list(PREMIUM_FREQUENCIES)})),
      premium_mode varchar(20) NOT NULL CHECK (premium_mode IN ('regular', 'limited_pay', 'single')),
      policy_term_years integer NOT NULL CHECK (policy_term_years BETWEEN 1 AND 100),
      premium_paying_term_years integer NOT NULL CHECK (premium_paying_term_years BETWEEN 1 AND policy_term_years),
      grace_period_days integer NOT NULL CHECK (grace_period_days BETWEEN 0 AND 90),
      revival_period_months integer NOT NULL CHECK (revival_period_months BETWEEN 0 AND 120),
      application_date date NOT NULL,
      approval_date date,
      approved_by uuid,
      start_date date NOT NULL,
      maturity_date date NOT NULL,
      renewal_date date NOT NULL,
      status varchar(20) NOT NULL DEFAULT 'draft' CHECK (status IN (${list(POLICY_STATUSES)})),
      status_changed_at timestamptz NOT NULL DEFAULT now(),
      lapsed_on date,
      installments_total integer NOT NULL CHECK (installments_total >= 1),
      installments_paid integer NOT NULL DEFAULT 0 CHECK (installments_paid BETWEEN 0 AND installments_total),
      total_payments integer NOT NULL DEFAULT 0 CHECK (total_payments >= 0),
      total_premium_paid numeric(14, 2) NOT NULL DEFAULT 0 CHECK (total_premium_paid >= 0),
      last_payment_date date,
      next_payment_date date,
      coverage_details jsonb CHECK (jsonb_typeof(coverage_details) = 'object'),
      exclusions jsonb CHECK (jsonb_typeof(exclusions) = 'array'),
      nominee_details jsonb CHECK (jsonb_typeof(nominee_details) = 'object'),
      created_by uuid,
      updated_by uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      ${BOOK_AGENT_FOREIGN_KEY}
    );`);
  bookIndexes(pgm, 'policies', 'policy_id');
  pgm.sql('CREATE INDEX policies_policyholder ON policies (policyholder_id, created_at);');
  // The lapse job and the due lists look for active policies by next due date.
  pgm.sql("CREATE INDEX policies_active_due ON policies (next_payment_date, agent_order) WHERE status = 'active';");
  guardTenantTable(pgm, tenant, 'policies', ['SELECT', 'INSERT', 'UPDATE']);
  bookPolicies(pgm, 'policies', ['select', 'insert', 'update']);
  auditTable(pgm, tenant, 'policies', { ignore: ['agent_order'] });

  pgm.sql(`
    CREATE TABLE policy_status_history (
      history_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      ${TENANT_ID_COLUMN},
      ${BOOK_COLUMNS},
      policy_id uuid NOT NULL REFERENCES policies (policy_id),
      policyholder_id uuid NOT NULL REFERENCES policyholders (policyholder_id),
      from_status varchar(20) CHECK (from_status IN (${list(POLICY_STATUSES)})),
      to_status varchar(20) NOT NULL CHECK (to_status IN (${list(POLICY_STATUSES)})),
      reason text,
      source varchar(20) NOT NULL CHECK (source IN ('api', 'payment', 'refund', 'lapse_job')),
      changed_by uuid,
      changed_at timestamptz NOT NULL DEFAULT now(),
      created_at timestamptz NOT NULL DEFAULT now(),
      ${BOOK_AGENT_FOREIGN_KEY}
    );`);
  bookIndexes(pgm, 'policy_status_history', 'history_id');
  pgm.sql('CREATE INDEX policy_status_history_policy ON policy_status_history (policy_id, changed_at);');
  // Append-only: the runtime role may add a line, never change or remove one.
  guardTenantTable(pgm, tenant, 'policy_status_history', ['SELECT', 'INSERT']);
  bookPolicies(pgm, 'policy_status_history', ['select', 'insert']);
  auditTable(pgm, tenant, 'policy_status_history', { key: 'history_id', ignore: ['agent_order'] });

  pgm.sql(`
    CREATE TABLE premium_payments (
      payment_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      ${TENANT_ID_COLUMN},
      ${BOOK_COLUMNS},
      policy_id uuid NOT NULL REFERENCES policies (policy_id),
      policyholder_id uuid NOT NULL REFERENCES policyholders (policyholder_id),
      amount numeric(14, 2) NOT NULL CHECK (amount > 0),
      currency char(3) NOT NULL DEFAULT 'INR' CHECK (currency = 'INR'),
      payment_date date NOT NULL,
      due_date date,
      installments_covered integer NOT NULL CHECK (installments_covered >= 1),
      payment_method varchar(20) NOT NULL CHECK (payment_method IN (${list(PAYMENT_METHODS)})),
      payment_gateway varchar(50),
      gateway_transaction_id varchar(255) UNIQUE,
      idempotency_key varchar(255) UNIQUE,
      request_fingerprint char(64) NOT NULL,
      status varchar(20) NOT NULL DEFAULT 'completed' CHECK (status IN (${list(PAYMENT_STATUSES)})),
      failure_reason text,
      reconciled boolean NOT NULL DEFAULT false,
      reconciled_at timestamptz,
      reconciled_by uuid,
      reconciliation_reference varchar(100),
      refunded_at timestamptz,
      refunded_by uuid,
      refund_reason text,
      created_by uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      ${BOOK_AGENT_FOREIGN_KEY}
    );`);
  bookIndexes(pgm, 'premium_payments', 'payment_id');
  pgm.sql('CREATE INDEX premium_payments_policy ON premium_payments (policy_id, created_at);');
  // Premium collected in a period, for an agent's range: the dashboard's sums.
  pgm.sql("CREATE INDEX premium_payments_collected ON premium_payments (agent_order, payment_date) INCLUDE (amount) WHERE status = 'completed';");
  guardTenantTable(pgm, tenant, 'premium_payments', ['SELECT', 'INSERT', 'UPDATE']);
  bookPolicies(pgm, 'premium_payments', ['select', 'insert', 'update']);
  auditTable(pgm, tenant, 'premium_payments', { key: 'payment_id', ignore: ['agent_order'], redact: ['request_fingerprint'] });

  // The actions policies and payments add (change_status, lapse, reconcile, refund) become grantable.
  pgm.sql('ALTER TABLE permissions DROP CONSTRAINT permissions_action_check;');
  pgm.sql(`ALTER TABLE permissions ADD CONSTRAINT permissions_action_check CHECK (action IN (${list(ACTIONS)}));`);
}

export function down(pgm: MigrationBuilder): void {
  pgm.sql('DROP TABLE premium_payments, policy_status_history, policies;');
}
