import type { Knex } from 'knex';
import type { PolicyholderListQuery } from '../../schemas/policyholders.js';
import { paginate, type Page } from '../db/pagination.js';
import type { Tx } from '../db/scope.js';
import { SEALED_POLICYHOLDER_COLUMNS, type SealedPolicyholderColumns } from '../data-protection/encryption/policyholder-fields.js';

// Policyholders under RLS: the policies decide which rows exist for the caller (its agent range, or its own
// record for a policyholder user), so every query here is plain and a page is never cut short afterwards.

export interface PolicyholderRecord extends SealedPolicyholderColumns {
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
  readonly nominee_details: Record<string, unknown> | null;
  readonly preferred_language: string;
  readonly marketing_consent: boolean;
  readonly status: 'active' | 'inactive';
  readonly deactivated_at: Date | null;
  /** Set by an erasure (DPDP): the record is anonymised for good and takes no change any more. */
  readonly erased_at: Date | null;
  readonly created_at: Date;
  readonly updated_at: Date;
}

const COLUMNS = ['policyholder_id', 'agent_id', 'customer_id', 'salutation', 'first_name', 'last_name', 'date_of_birth', 'gender',
  'email', 'phone_number', 'address', 'marital_status', 'occupation', 'annual_income', 'nominee_details',
  ...SEALED_POLICYHOLDER_COLUMNS, 'preferred_language', 'marketing_consent', 'status', 'deactivated_at', 'erased_at', 'created_at', 'updated_at'];
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

/** The smallest string above every string that starts with `prefix` (byte order, as text_pattern_ops compares). */
function prefixEnd(prefix: string): string {
  const last = prefix.codePointAt(prefix.length - 1) as number;
  return `${prefix.slice(0, -1)}${String.fromCodePoint(last + 1)}`;
}

/**
 * A phone number as its key holds it: the last ten digits, so '+91 98123' and '98123' both find '+919812345678'.
 * A leading +91 is the country code however few digits follow; without the plus, 91 is taken as the country code
 * only in front of more than ten digits (a bare 91234 may begin a number).
 */
function phoneDigits(token: string): string | undefined {
  const digits = token.replace(/[\s()+-]/g, '');
  if (!/^[0-9]{3,14}$/.test(digits)) return undefined;
  const countryCode = token.trimStart().startsWith('+91') || (digits.length > 10 && digits.startsWith('91'));
  return countryCode ? digits.slice(2) : digits;
}

/**
 * Every word of ?q= must begin the first name, the last name, the e-mail, the phone number or the customer id.
 * Each arm is `key ~>=~ prefix AND key ~<~ end` on a plain column: leakproof, so an index condition under RLS.
 */
function whereWordsMatch(select: Knex.QueryBuilder, q: string): void {
  // A phone number typed with spaces ('+91 98123 45678') is one word.
  const words = phoneDigits(q) ? [q.replace(/\s/g, '')] : q.split(/\s+/).filter(Boolean).slice(0, 4);
  for (const word of words) {
    const lower = word.toLowerCase();
    const arms: [string, string][] = [['first_name_key', lower], ['last_name_key', lower], ['email', lower], ['customer_id', word.toUpperCase()]];
    const phone = phoneDigits(word);
    if (phone) arms.push(['phone_key', phone]);
    select.where((any) => {
      for (const [column, prefix] of arms) any.orWhereRaw(`(?? ~>=~ ? AND ?? ~<~ ?)`, [column, prefix, column, prefixEnd(prefix)]);
    });
  }
}

/** Blind indexes to match exactly (plain '=' on an indexed column: leakproof, so an index condition under RLS). */
export interface BlindIndexFilter {
  readonly pan_index?: string;
  readonly aadhaar_index?: string;
}

/** Newest first; ?q= searches by prefix (see whereWordsMatch). */
export async function listPolicyholders(tx: Tx, query: PolicyholderListQuery, indexes: BlindIndexFilter = {}): Promise<Page<PolicyholderRecord>> {
  const select = selectPolicyholders(tx);
  if (indexes.pan_index) select.where({ pan_index: indexes.pan_index });
  if (indexes.aadhaar_index) select.where({ aadhaar_index: indexes.aadhaar_index });
  if (query.q) whereWordsMatch(select, query.q);
  if (query.status) select.where({ status: query.status });
  if (query.agent_id) select.where({ agent_id: query.agent_id });
  return paginate<PolicyholderRecord>(select, 'policyholder_id', { ...query, newestFirst: true });
}

export async function updatePolicyholderRow(tx: Tx, policyholderId: string, changes: Record<string, unknown>): Promise<void> {
  await tx('policyholders').where({ policyholder_id: policyholderId }).update({ ...changes, updated_at: tx.fn.now() });
}

/**
 * Every other table holding rows of one policyholder (besides users, whose link follows by a cascading foreign
 * key). A move carries them all; test/api/policyholder-move.test.ts checks this list against the catalog.
 * policies comes first: payments lock their policy, so a payment racing the move is written before or after it.
 */
export const POLICYHOLDER_BOOK_TABLES = [
  'policies', 'policy_status_history', 'premium_payments', 'dependents', 'claims', 'claim_documents', 'manual_reviews',
  'policyholder_consents',
] as const;

/** Moves every book row of the policyholder to the agent `agentId` (number `agentOrder`): one UPDATE per table. */
export async function moveBookRows(tx: Tx, policyholderId: string, agentId: string, agentOrder: number): Promise<void> {
  for (const table of POLICYHOLDER_BOOK_TABLES) {
    await tx(table).where({ policyholder_id: policyholderId }).update({ agent_id: agentId, agent_order: agentOrder });
  }
}

export async function findUserLink(tx: Tx, userId: string): Promise<{ user_id: string; policyholder_id: string | null } | undefined> {
  return tx('users').first('user_id', 'policyholder_id').where({ user_id: userId });
}

/** Makes `userId` (or nobody) the login of the policyholder, releasing any other user linked to it. */
export async function linkUser(tx: Tx, policyholderId: string, userId: string | null): Promise<void> {
  const others = tx('users').where({ policyholder_id: policyholderId });
  if (userId) others.whereNot({ user_id: userId });
  await others.update({ policyholder_id: null, policyholder_agent_order: null, updated_at: tx.fn.now() });
  if (!userId) return;
  await tx.raw(`UPDATE users SET policyholder_id = p.policyholder_id, policyholder_agent_order = p.agent_order, updated_at = now()
    FROM policyholders p WHERE users.user_id = ? AND p.policyholder_id = ?`, [userId, policyholderId]);
}
