import type { PolicyholderListQuery } from '../../schemas/policyholders.js';
import { paginate, type Page } from '../db/pagination.js';
import type { Tx } from '../db/scope.js';

// Policyholders under RLS: the policies decide which rows exist for the caller (its agent range, or its own
// record for a policyholder user), so every query here is plain and a page is never cut short afterwards.

export interface PolicyholderRecord {
  readonly policyholder_id: string;
  readonly agent_id: string;
  readonly user_id: string | null;
  readonly customer_id: string | null;
  readonly salutation: string | null;
  readonly first_name: string;
  readonly last_name: string | null;
  readonly date_of_birth: string | null;
  readonly gender: string | null;
  readonly email: string | null;
  readonly phone_number: string | null;
  readonly address: Record<string, string> | null;
  readonly marital_status: string | null;
  readonly occupation: string | null;
  readonly annual_income: string | null;
  readonly pre_existing_conditions: { condition: string; diagnosed_on?: string; notes?: string }[];
  readonly nominee_details: Record<string, unknown> | null;
  readonly preferred_language: string;
  readonly marketing_consent: boolean;
  readonly status: 'active' | 'inactive';
  readonly deactivated_at: Date | null;
  readonly created_at: Date;
  readonly updated_at: Date;
}

const COLUMNS = ['policyholder_id', 'agent_id', 'customer_id', 'salutation', 'first_name', 'last_name', 'date_of_birth', 'gender',
  'email', 'phone_number', 'address', 'marital_status', 'occupation', 'annual_income', 'pre_existing_conditions', 'nominee_details',
  'preferred_language', 'marketing_consent', 'status', 'deactivated_at', 'created_at', 'updated_at'];
// The login linked to the record lives on users (tenant-wide), so reading it needs no policy of its own.
const LINKED_USER = '(SELECT u.user_id FROM users u WHERE u.policyholder_id = policyholders.policyholder_id) AS user_id';

function selectPolicyholders(tx: Tx) {
  return tx('policyholders').select([...COLUMNS, tx.raw(LINKED_USER)]);
}

export async function insertPolicyholderRow(tx: Tx, row: Record<string, unknown>): Promise<string> {
  const [inserted] = await tx('policyholders').insert(row).returning('policyholder_id');
  return inserted.policyholder_id;
}

export async function findPolicyholder(tx: Tx, policyholderId: string, options: { forUpdate?: boolean } = {}): Promise<PolicyholderRecord | undefined> {
  const query = selectPolicyholders(tx).where({ policyholder_id: policyholderId }).first();
  return options.forUpdate ? query.forUpdate() : query;
}

/** `LIKE` pattern for a substring: the user's %, _ and \ are matched literally. */
function substringPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

/** Newest first. ?q= is a substring of the trigram-indexed search_text (name, e-mail, phone, customer id). */
export async function listPolicyholders(tx: Tx, query: PolicyholderListQuery): Promise<Page<PolicyholderRecord>> {
  const select = selectPolicyholders(tx);
  if (query.q) select.whereRaw('search_text LIKE ?', [substringPattern(query.q)]);
  if (query.status) select.where({ status: query.status });
  if (query.agent_id) select.where({ agent_id: query.agent_id });
  return paginate<PolicyholderRecord>(select, 'policyholder_id', { ...query, newestFirst: true });
}

export async function updatePolicyholderRow(tx: Tx, policyholderId: string, changes: Record<string, unknown>): Promise<void> {
  await tx('policyholders').where({ policyholder_id: policyholderId }).update({ ...changes, updated_at: tx.fn.now() });
}

export async function findUserLink(tx: Tx, userId: string): Promise<{ user_id: string; policyholder_id: string | null } | undefined> {
  return tx('users').first('user_id', 'policyholder_id').where({ user_id: userId });
}

/** Makes `userId` (or nobody) the login of the policyholder, releasing any other user linked to it. */
export async function linkUser(tx: Tx, policyholderId: string, userId: string | null): Promise<void> {
  const others = tx('users').where({ policyholder_id: policyholderId });
  if (userId) others.whereNot({ user_id: userId });
  await others.update({ policyholder_id: null, updated_at: tx.fn.now() });
  if (userId) await tx('users').where({ user_id: userId }).update({ policyholder_id: policyholderId, updated_at: tx.fn.now() });
}
