import type { MigrationBuilder } from 'node-pg-migrate';
import { ACTIONS } from '../../schemas/access.js';

// A reviewer with the override_limits permission may approve above an exhausted annual or floater limit, with a
// reason. The review row keeps the fact, the reason and the excess (what was paid above what was left); the
// manual_reviews audit trigger records who changed it and when.
const list = (values: readonly string[]) => values.map((value) => `'${value}'`).join(', ');

export function up(pgm: MigrationBuilder): void {
  // One change per ALTER: Citus refuses several constraints in one statement.
  pgm.sql('ALTER TABLE manual_reviews ADD COLUMN limit_override boolean NOT NULL DEFAULT false;');
  pgm.sql('ALTER TABLE manual_reviews ADD COLUMN override_reason text;');
  pgm.sql('ALTER TABLE manual_reviews ADD COLUMN override_excess numeric(14, 2);');
  pgm.sql('ALTER TABLE manual_reviews ADD CONSTRAINT manual_reviews_override_excess CHECK (override_excess > 0);');
  pgm.sql(`ALTER TABLE manual_reviews ADD CONSTRAINT manual_reviews_override_reason
    CHECK (limit_override = (override_reason IS NOT NULL AND override_excess IS NOT NULL));`);
  // The new action becomes grantable in custom roles.
  pgm.sql('ALTER TABLE permissions DROP CONSTRAINT permissions_action_check;');
  pgm.sql(`ALTER TABLE permissions ADD CONSTRAINT permissions_action_check CHECK (action IN (${list(ACTIONS)}));`);
}

export function down(pgm: MigrationBuilder): void {
  pgm.sql('ALTER TABLE manual_reviews DROP COLUMN limit_override, DROP COLUMN override_reason, DROP COLUMN override_excess;');
}
