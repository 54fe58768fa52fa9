import type { MigrationBuilder } from 'node-pg-migrate';
import { CLAIM_CATEGORIES, DECISION_KINDS } from '../../schemas/claims.js';
import {
  auditTable, BOOK_AGENT_FOREIGN_KEY, BOOK_COLUMNS, bookIndexes, bookPolicies, guardTenantTable, TENANT_ID_COLUMN,
  tenantMigrationContext, tenantWidePolicies,
} from '../../src/db/migration-kit.js';

// OPD claims: versioned policy terms (tenant-wide), and the book tables dependents, claims, claim documents and
// manual reviews, visible to whoever sees the policyholder (agent range, or the policyholder's own login).
// Money is NUMERIC(14, 2); the approved amount is also kept per benefit category so limits are plain sums.

const list = (values: readonly string[]) => values.map((value) => `'${value}'`).join(', ');
const approvedColumns = [...CLAIM_CATEGORIES, 'dental_routine']
  .map((category) => `approved_${category} numeric(14, 2) NOT NULL DEFAULT 0 CHECK (approved_${category} >= 0),`).join('\n      ');

export async function up(pgm: MigrationBuilder): Promise<void> {
  const tenant = await tenantMigrationContext(pgm);

  // Every edit is a new row; a version is never changed, only superseded (is_current moves to the new one).
  pgm.sql(`
    CREATE TABLE policy_terms (
      version_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      ${TENANT_ID_COLUMN},
      policy_terms_id varchar(50) NOT NULL CHECK (policy_terms_id ~ '^[A-Z][A-Z0-9_]{1,49}$'),
      version integer NOT NULL CHECK (version >= 1),
      is_current boolean NOT NULL DEFAULT true,
      policy_name varchar(200) NOT NULL,
      terms jsonb NOT NULL CHECK (jsonb_typeof(terms) = 'object'),
      annual_limit numeric(14, 2) NOT NULL CHECK (annual_limit >= 0),
      per_claim_limit numeric(14, 2) NOT NULL CHECK (per_claim_limit >= 0),
      family_floater_limit numeric(14, 2) NOT NULL CHECK (family_floater_limit >= 0),
      created_by uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (policy_terms_id, version)
    );`);
  pgm.sql('CREATE UNIQUE INDEX policy_terms_current ON policy_terms (policy_terms_id) WHERE is_current;');
  guardTenantTable(pgm, tenant, 'policy_terms', ['SELECT', 'INSERT', 'UPDATE']);
  tenantWidePolicies(pgm, 'policy_terms', ['select', 'insert', 'update']);
  auditTable(pgm, tenant, 'policy_terms', { key: 'version_id' });

  pgm.sql(`
    CREATE TABLE dependents (
      dependent_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      ${TENANT_ID_COLUMN},
      ${BOOK_COLUMNS},
      policyholder_id uuid NOT NULL REFERENCES policyholders (policyholder_id),
      full_name varchar(200) NOT NULL,
      relationship varchar(20) NOT NULL CHECK (relationship IN ('spouse', 'child', 'parent', 'other')),
      date_of_birth date NOT NULL,
      gender varchar(10) CHECK (gender IN ('male', 'female', 'other')),
      pre_existing_conditions jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(pre_existing_conditions) = 'array'),
      covered_from date,
      status varchar(20) NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'removed')),
      created_by uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      ${BOOK_AGENT_FOREIGN_KEY}
    );`);
  bookIndexes(pgm, 'dependents', 'dependent_id');
  pgm.sql('CREATE INDEX dependents_policyholder ON dependents (policyholder_id, created_at);');
  guardTenantTable(pgm, tenant, 'dependents', ['SELECT', 'INSERT', 'UPDATE']);
  bookPolicies(pgm, 'dependents', ['select', 'insert', 'update']);
  auditTable(pgm, tenant, 'dependents', { key: 'dependent_id', ignore: ['agent_order'] });

  // CLM000001, CLM000002, ... per tenant (a sequence in the tenant's schema; a rolled-back claim leaves a gap).
  // insertClaim draws the number; no column default: Citus would distribute a sequence a default uses through a
  // connection of its own, which cannot see the schema onboarding has just created in its uncommitted transaction.
  pgm.sql('CREATE SEQUENCE claim_number_seq;');
  pgm.sql('GRANT USAGE ON SEQUENCE claim_number_seq TO agent_mitra_runtime;');
  pgm.sql(`
    CREATE TABLE claims (
      claim_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      ${TENANT_ID_COLUMN},
      ${BOOK_COLUMNS},
      policyholder_id uuid NOT NULL REFERENCES policyholders (policyholder_id),
      claim_number varchar(20) NOT NULL UNIQUE,
      dependent_id uuid REFERENCES dependents (dependent_id),
      policy_id uuid REFERENCES policies (policy_id),
      policy_terms_version_id uuid NOT NULL REFERENCES policy_terms (version_id),
      treatment_date date NOT NULL,
      submission_date date NOT NULL CHECK (submission_date >= treatment_date),
      claimed_amount numeric(14, 2) NOT NULL CHECK (claimed_amount >= 0),
      approved_amount numeric(14, 2) NOT NULL DEFAULT 0 CHECK (approved_amount >= 0 AND approved_amount <= claimed_amount),
      ${approvedColumns}
      engine_decision varchar(20) NOT NULL CHECK (engine_decision IN (${list(DECISION_KINDS)})),
      decision varchar(20) NOT NULL CHECK (decision IN (${list(DECISION_KINDS)})),
      status varchar(20) NOT NULL CHECK (status IN ('decided', 'in_review', 'reviewed')),
      confidence_score numeric(3, 2) NOT NULL CHECK (confidence_score BETWEEN 0 AND 1),
      rejection_reasons jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(rejection_reasons) = 'array'),
      result jsonb NOT NULL CHECK (jsonb_typeof(result) = 'object'),
      trail jsonb NOT NULL CHECK (jsonb_typeof(trail) = 'array'),
      request jsonb NOT NULL CHECK (jsonb_typeof(request) = 'object'),
      hospital varchar(500),
      cashless_request boolean NOT NULL DEFAULT false,
      pre_authorization_id varchar(100),
      bill_number varchar(500),
      bill_fingerprint text,
      created_by uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      ${BOOK_AGENT_FOREIGN_KEY}
    );`);
  bookIndexes(pgm, 'claims', 'claim_id');
  pgm.sql('CREATE INDEX claims_family_treatment ON claims (policyholder_id, treatment_date);');
  pgm.sql('CREATE INDEX claims_terms_version ON claims (policy_terms_version_id);');
  guardTenantTable(pgm, tenant, 'claims', ['SELECT', 'INSERT', 'UPDATE']);
  bookPolicies(pgm, 'claims', ['select', 'insert', 'update']);
  auditTable(pgm, tenant, 'claims', { key: 'claim_id', ignore: ['agent_order'] });

  pgm.sql(`
    CREATE TABLE claim_documents (
      document_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      ${TENANT_ID_COLUMN},
      ${BOOK_COLUMNS},
      policyholder_id uuid NOT NULL REFERENCES policyholders (policyholder_id),
      claim_id uuid NOT NULL REFERENCES claims (claim_id),
      document_type varchar(20) NOT NULL CHECK (document_type IN ('prescription', 'bill', 'test_report', 'other')),
      media_type varchar(100) NOT NULL,
      size_bytes integer NOT NULL CHECK (size_bytes > 0),
      sha256 char(64) NOT NULL,
      storage_key varchar(500) NOT NULL,
      original_name varchar(255),
      status varchar(20) NOT NULL DEFAULT 'stored' CHECK (status IN ('stored', 'processing', 'processed', 'failed')),
      extracted_data jsonb CHECK (jsonb_typeof(extracted_data) = 'object'),
      created_by uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      ${BOOK_AGENT_FOREIGN_KEY}
    );`);
  bookIndexes(pgm, 'claim_documents', 'document_id');
  pgm.sql('CREATE INDEX claim_documents_claim ON claim_documents (claim_id, created_at);');
  guardTenantTable(pgm, tenant, 'claim_documents', ['SELECT', 'INSERT', 'UPDATE']);
  bookPolicies(pgm, 'claim_documents', ['select', 'insert', 'update']);
  auditTable(pgm, tenant, 'claim_documents', { key: 'document_id', ignore: ['agent_order'] });

  pgm.sql(`
    CREATE TABLE manual_reviews (
      review_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      ${TENANT_ID_COLUMN},
      ${BOOK_COLUMNS},
      policyholder_id uuid NOT NULL REFERENCES policyholders (policyholder_id),
      claim_id uuid NOT NULL UNIQUE REFERENCES claims (claim_id),
      status varchar(20) NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'COMPLETED')),
      reasons jsonb NOT NULL CHECK (jsonb_typeof(reasons) = 'array'),
      recommended_decision varchar(20) NOT NULL CHECK (recommended_decision IN ('APPROVED', 'PARTIAL', 'REJECTED')),
      recommended_amount numeric(14, 2) NOT NULL CHECK (recommended_amount >= 0),
      final_decision varchar(20) CHECK (final_decision IN ('APPROVED', 'PARTIAL', 'REJECTED')),
      approved_amount numeric(14, 2) CHECK (approved_amount >= 0),
      review_notes text,
      reviewer_id uuid,
      reviewed_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK ((status = 'PENDING') = (final_decision IS NULL)),
      ${BOOK_AGENT_FOREIGN_KEY}
    );`);
  bookIndexes(pgm, 'manual_reviews', 'review_id');
  pgm.sql("CREATE INDEX manual_reviews_pending ON manual_reviews (created_at, review_id) WHERE status = 'PENDING';");
  guardTenantTable(pgm, tenant, 'manual_reviews', ['SELECT', 'INSERT', 'UPDATE']);
  bookPolicies(pgm, 'manual_reviews', ['select', 'insert', 'update']);
  auditTable(pgm, tenant, 'manual_reviews', { key: 'review_id', ignore: ['agent_order'] });
}

export function down(pgm: MigrationBuilder): void {
  pgm.sql('DROP TABLE manual_reviews;');
  pgm.sql('DROP TABLE claim_documents;');
  pgm.sql('DROP TABLE claims;');
  pgm.sql('DROP SEQUENCE claim_number_seq;');
  pgm.sql('DROP TABLE dependents;');
  pgm.sql('DROP TABLE policy_terms;');
}
