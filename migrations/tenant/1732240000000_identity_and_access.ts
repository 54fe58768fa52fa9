import type { MigrationBuilder } from 'node-pg-migrate';
import {
  grantSchemaUsage, guardTenantTable, TENANT_ID_COLUMN, tenantMigrationContext, tenantWidePolicies,
} from '../../src/db/migration-kit.js';

// Users, sessions, RBAC (roles, permissions and their assignments) and the agent hierarchy of one tenant.
// Run with search_path set to the tenant's schema; every table is pinned to the tenant and RLS-forced.
export async function up(pgm: MigrationBuilder): Promise<void> {
  const tenant = await tenantMigrationContext(pgm);
  grantSchemaUsage(pgm, tenant);
  pgm.sql(`
    CREATE TABLE users (
      user_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      ${TENANT_ID_COLUMN},
      email varchar(255) UNIQUE CHECK (email = lower(email)),
      phone_number varchar(15) UNIQUE CHECK (phone_number ~ '^\\+?[0-9]{10,14}$'),
      username varchar(100) UNIQUE CHECK (username = lower(username)),
      password_hash varchar(255) NOT NULL,
      first_name varchar(100),
      last_name varchar(100),
      display_name varchar(255),
      language_preference varchar(10) NOT NULL DEFAULT 'en',
      timezone varchar(50) NOT NULL DEFAULT 'Asia/Kolkata',
      status varchar(20) NOT NULL DEFAULT 'active'
        CHECK (status IN ('active', 'inactive', 'suspended', 'pending_verification', 'deactivated')),
      login_attempts integer NOT NULL DEFAULT 0,
      locked_until timestamptz,
      last_login_at timestamptz,
      password_changed_at timestamptz NOT NULL DEFAULT now(),
      created_by uuid,
      updated_by uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      deactivated_at timestamptz,
      deactivated_reason text,
      CHECK (email IS NOT NULL OR phone_number IS NOT NULL OR username IS NOT NULL)
    );`);
  pgm.sql(`CREATE INDEX users_created_at ON users (created_at, user_id);`);
  pgm.sql(`
    CREATE TABLE user_sessions (
      session_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      ${TENANT_ID_COLUMN},
      user_id uuid NOT NULL REFERENCES users (user_id),
      refresh_token_hash char(64) NOT NULL,
      ip_address inet,
      user_agent text,
      expires_at timestamptz NOT NULL,
      last_activity_at timestamptz NOT NULL DEFAULT now(),
      revoked_at timestamptz,
      revoked_reason varchar(50),
      created_at timestamptz NOT NULL DEFAULT now()
    );`);
  pgm.sql(`CREATE INDEX user_sessions_user ON user_sessions (user_id);`);
  pgm.sql(`
    CREATE TABLE roles (
      role_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      ${TENANT_ID_COLUMN},
      role_name varchar(50) NOT NULL UNIQUE CHECK (role_name ~ '^[a-z][a-z0-9_]{1,49}$'),
      role_description text,
      is_system_role boolean NOT NULL DEFAULT false,
      -- Which part of the agent book the role sees: the scope turns this into app.agent_ids.
      data_scope varchar(10) NOT NULL DEFAULT 'own' CHECK (data_scope IN ('tenant', 'team', 'own', 'none')),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now()
    );`);
  pgm.sql(`
    CREATE TABLE permissions (
      permission_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      ${TENANT_ID_COLUMN},
      action varchar(20) NOT NULL CHECK (action IN ('manage', 'create', 'read', 'update', 'delete')),
      subject varchar(50) NOT NULL CHECK (subject ~ '^(all|[A-Z][A-Za-z]{1,49})$'),
      conditions jsonb CHECK (conditions IS NULL OR jsonb_typeof(conditions) = 'object'),
      permission_name varchar(80) GENERATED ALWAYS AS (action || ':' || subject) STORED,
      permission_description text,
      created_at timestamptz NOT NULL DEFAULT now()
    );`);
  pgm.sql(`CREATE UNIQUE INDEX permissions_rule ON permissions (action, subject, (coalesce(conditions, '{}'::jsonb)));`);
  pgm.sql(`
    CREATE TABLE role_permissions (
      assignment_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      ${TENANT_ID_COLUMN},
      role_id uuid NOT NULL REFERENCES roles (role_id) ON DELETE CASCADE,
      permission_id uuid NOT NULL REFERENCES permissions (permission_id) ON DELETE CASCADE,
      granted_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (role_id, permission_id)
    );`);
  pgm.sql(`
    CREATE TABLE user_roles (
      assignment_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      ${TENANT_ID_COLUMN},
      user_id uuid NOT NULL REFERENCES users (user_id),
      role_id uuid NOT NULL REFERENCES roles (role_id),
      assigned_by uuid,
      assigned_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz,
      UNIQUE (user_id, role_id)
    );`);
  pgm.sql(`CREATE INDEX user_roles_role ON user_roles (role_id);`);
  pgm.sql(`
    CREATE TABLE agents (
      agent_id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      ${TENANT_ID_COLUMN},
      user_id uuid UNIQUE REFERENCES users (user_id),
      provider_id uuid,
      agent_code varchar(50) NOT NULL UNIQUE,
      license_number varchar(100) UNIQUE,
      license_expiry_date date,
      business_name varchar(255),
      territory varchar(255),
      commission_rate numeric(5, 2) CHECK (commission_rate BETWEEN 0 AND 100),
      parent_agent_id uuid REFERENCES agents (agent_id),
      hierarchy_level integer NOT NULL DEFAULT 1 CHECK (hierarchy_level >= 1),
      status varchar(20) NOT NULL DEFAULT 'active'
        CHECK (status IN ('active', 'inactive', 'suspended', 'pending_approval', 'rejected')),
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      CHECK (parent_agent_id IS DISTINCT FROM agent_id)
    );`);
  pgm.sql(`CREATE INDEX agents_parent ON agents (parent_agent_id);`);

  guardTenantTable(pgm, tenant, 'users', ['SELECT', 'INSERT', 'UPDATE']);
  guardTenantTable(pgm, tenant, 'user_sessions', ['SELECT', 'INSERT', 'UPDATE']);
  guardTenantTable(pgm, tenant, 'roles', ['SELECT', 'INSERT', 'UPDATE', 'DELETE']);
  guardTenantTable(pgm, tenant, 'permissions', ['SELECT', 'INSERT']);
  guardTenantTable(pgm, tenant, 'role_permissions', ['SELECT', 'INSERT', 'DELETE']);
  guardTenantTable(pgm, tenant, 'user_roles', ['SELECT', 'INSERT', 'DELETE']);
  guardTenantTable(pgm, tenant, 'agents', ['SELECT', 'INSERT', 'UPDATE']);

  // Identity and access data is tenant-wide at the row level; who may do what within it is CASL's job.
  // The agent book (policyholders, policies, ...) will add agent_id = ANY(app.agent_ids) to its policies.
  tenantWidePolicies(pgm, 'users', ['select', 'insert', 'update']);
  tenantWidePolicies(pgm, 'user_sessions', ['select', 'insert', 'update']);
  tenantWidePolicies(pgm, 'roles', ['select', 'insert', 'update', 'delete']);
  tenantWidePolicies(pgm, 'permissions', ['select', 'insert']);
  tenantWidePolicies(pgm, 'role_permissions', ['select', 'insert', 'delete']);
  tenantWidePolicies(pgm, 'user_roles', ['select', 'insert', 'delete']);
  tenantWidePolicies(pgm, 'agents', ['select', 'insert', 'update']);
}

export function down(pgm: MigrationBuilder): void {
  pgm.sql('DROP TABLE agents, user_roles, role_permissions, permissions, roles, user_sessions, users;');
}
