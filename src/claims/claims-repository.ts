import type { Tx } from '../db/scope.js';
import { paginate, type Page } from '../db/pagination.js';
import { toPaise, type Paise } from '../money.js';
import type { Category, DecisionKind, PastClaim } from './engine/types.js';
import { openClaimRows, sealClaimHealth, type OpenParts } from '../data-protection/encryption/claim-fields.js';
import { preExistingConditionsOf } from '../data-protection/encryption/policyholder-fields.js';

// SQL for claims, their family's history and the rows a claim reads (member, dependents, cover). Every query runs
// on the request's transaction, under RLS: a row the caller's book does not hold is simply not there.

export const APPROVED_KEYS = ['consultation', 'diagnostic', 'pharmacy', 'dental', 'vision', 'alternative_medicine', 'dental_routine'] as const;
export type ApprovedKey = (typeof APPROVED_KEYS)[number];

export interface ClaimRow {
  readonly claim_id: string;
  readonly claim_number: string;
  readonly policyholder_id: string;
  readonly dependent_id: string | null;
  readonly policy_id: string | null;
  readonly policy_terms_version_id: string;
  readonly policy_terms_id: string;
  readonly policy_terms_version: number;
  readonly treatment_date: string;
  readonly submission_date: string;
  readonly claimed_amount: string;
  readonly approved_amount: string;
  readonly engine_decision: DecisionKind;
  readonly decision: DecisionKind;
  readonly status: 'decided' | 'in_review' | 'reviewed' | 'awaiting_documents';
  readonly result: Record<string, unknown>;
  readonly trail: unknown[];
  readonly hospital: string | null;
  readonly bill_number: string | null;
  readonly bill_fingerprint: string | null;
  readonly created_at: Date;
  readonly updated_at: Date;
  readonly [approved: `approved_${string}`]: string;
}

const CLAIM_COLUMNS = ['c.*', 't.policy_terms_id', 't.version as policy_terms_version'];
const claims = (tx: Tx) => tx('claims as c').join('policy_terms as t', 't.version_id', 'c.policy_terms_version_id');

export interface MemberSource {
  readonly policyholder_id: string;
  readonly first_name: string;
  readonly last_name: string | null;
  readonly date_of_birth: string | null;
  readonly gender: 'male' | 'female' | 'other' | null;
  readonly pre_existing_conditions: unknown[];
  readonly status: string;
}

/** A family a claim is written for: the member row, locked, and its agent's book number (for the claim's own row). */
export interface LockedFamily extends MemberSource {
  readonly agent_id: string;
  readonly agent_order: number;
}

/**
 * The policyholder, if it is in the caller's writable book (the agent range: a policyholder login sees its own record
 * but writes nothing), locked FOR UPDATE with its agent's row FOR KEY SHARE (the agent can't be renumbered
 * meanwhile): one statement for what bookOwnerOfPolicyholder and lockPolicyholder do in three.
 */
export async function lockFamilyInBook(tx: Tx, policyholderId: string): Promise<LockedFamily | undefined> {
  const { rows } = await tx.raw(`SELECT p.policyholder_id, p.first_name, p.last_name, p.date_of_birth, p.gender, p.pre_existing_conditions,
      p.pre_existing_conditions_sealed, p.status, p.agent_id, a.pre_order AS agent_order
    FROM policyholders p JOIN agents a ON a.agent_id = p.agent_id
    WHERE p.policyholder_id = ?
      AND p.agent_order BETWEEN current_setting('app.agent_lo')::bigint AND current_setting('app.agent_hi')::bigint
    FOR UPDATE OF p FOR KEY SHARE OF a`, [policyholderId]);
  const row = rows[0];
  if (!row) return undefined;
  // The conditions are stored sealed (health data): the plaintext column is empty once they are.
  const { pre_existing_conditions_sealed: _sealed, ...family } = row;
  return { ...family, pre_existing_conditions: await preExistingConditionsOf(tx, row) };
}

/** The policyholder, locked: every claim and review of a family queues here, so its limits can't be overspent. */
const MEMBER_COLUMNS = ['policyholder_id', 'first_name', 'last_name', 'date_of_birth', 'gender', 'pre_existing_conditions',
  'pre_existing_conditions_sealed', 'status'];

/** The member with its pre-existing conditions opened (they are stored sealed: health data). */
async function memberSource(tx: Tx, row: (MemberSource & { pre_existing_conditions_sealed: string | null }) | undefined): Promise<MemberSource | undefined> {
  if (!row) return undefined;
  const { pre_existing_conditions_sealed: _sealed, ...member } = row;
  return { ...member, pre_existing_conditions: await preExistingConditionsOf(tx, row as Parameters<typeof preExistingConditionsOf>[1]) };
}

export async function lockPolicyholder(tx: Tx, policyholderId: string): Promise<MemberSource | undefined> {
  return memberSource(tx, await tx('policyholders').first(MEMBER_COLUMNS).where({ policyholder_id: policyholderId }).forUpdate());
}

export async function findPolicyholder(tx: Tx, policyholderId: string): Promise<MemberSource | undefined> {
  return memberSource(tx, await tx('policyholders').first(MEMBER_COLUMNS).where({ policyholder_id: policyholderId }));
}

export interface CoverRow {
  readonly policy_id: string;
  readonly plan_code: string | null;
  readonly status: string;
  readonly start_date: string;
  readonly maturity_date: string;
}

/** The member's health policy for a date: one in force on it if any, else the latest (to explain why not). */
export async function findHealthCover(tx: Tx, policyholderId: string, onDate: string): Promise<CoverRow | undefined> {
  return tx('policies').first('policy_id', 'plan_code', 'status', 'start_date', 'maturity_date')
    .where({ policyholder_id: policyholderId, category: 'health' })
    .orderByRaw("(status = 'active' AND start_date <= ?::date AND maturity_date >= ?::date) DESC, start_date DESC, policy_id", [onDate, onDate]);
}

/** The family's claims with a treatment date from `from` on: the engine's history. */
// What the engine reads of a past claim: never its trail, request or result (tens of kilobytes each).
const HISTORY_COLUMNS = ['claim_number', 'policyholder_id', 'dependent_id', 'treatment_date', 'decision', 'claimed_amount', 'approved_amount',
  ...APPROVED_KEYS.map((key) => `approved_${key}`), 'hospital', 'bill_number', 'bill_fingerprint'];

export async function familyHistory(tx: Tx, policyholderId: string, from: string, filedBefore?: Date): Promise<PastClaim[]> {
  const query = tx('claims').select(HISTORY_COLUMNS).where({ policyholder_id: policyholderId })
    .where('treatment_date', '>=', from).orderBy('treatment_date');
  if (filedBefore) query.where('created_at', '<', filedBefore);
  return (await query as ClaimRow[]).map(toPastClaim);
}

/** The most recent claims decided under any version of the terms `code`, with their stored requests (an erased claim has none). */
export async function recentClaimsOfTerms(tx: Tx, code: string, limit: number): Promise<(ClaimRow & { request: Record<string, unknown> })[]> {
  const rows = await claims(tx).select(CLAIM_COLUMNS).where('t.policy_terms_id', code)
    .whereRaw("(c.request <> '{}'::jsonb OR c.request_sealed IS NOT NULL)").orderBy([{ column: 'c.created_at', order: 'desc' }, 'c.claim_id']).limit(limit);
  return openClaimRows(tx, rows, { request: true });
}

export function approvedByCategory(row: ClaimRow): Partial<Record<Category | 'dental_routine', Paise>> {
  return Object.fromEntries(APPROVED_KEYS.map((key) => [key, toPaise(row[`approved_${key}`] ?? '0')]));
}

function toPastClaim(row: ClaimRow): PastClaim {
  return {
    claim_id: row.claim_number, member_id: row.dependent_id ?? row.policyholder_id, treatment_date: row.treatment_date,
    decision: row.decision, claimed_amount: toPaise(row.claimed_amount), approved_amount: toPaise(row.approved_amount),
    approved_by_category: approvedByCategory(row),
    ...(row.hospital ? { hospital: row.hospital } : {}), ...(row.bill_number ? { bill_number: row.bill_number } : {}),
    ...(row.bill_fingerprint ? { bill_fingerprint: row.bill_fingerprint } : {}),
  };
}

/** The claim gets the tenant's next number (CLM000001, ...); on Citus the coordinator draws it. */
export async function insertClaim(tx: Tx, values: Record<string, unknown>): Promise<Pick<ClaimRow, 'claim_id' | 'claim_number' | 'created_at' | 'updated_at'>> {
  const claimNumber = tx.raw("'CLM' || lpad(nextval('claim_number_seq')::text, 6, '0')");
  // Health data (request, trail, the decision's texts) is stored sealed (src/data-protection/encryption/claim-fields.ts).
  const sealed = await sealClaimHealth(tx, (values.created_by as string | null | undefined) ?? null, values);
  const [row] = await tx('claims').insert({ ...sealed, claim_number: claimNumber }).returning(['claim_id', 'claim_number', 'created_at', 'updated_at']);
  return row;
}

const HEALTH_COLUMNS = ['request', 'trail', 'result'] as const;

/**
 * A new decision (request, trail and result together) is sealed like a new claim's, all under one key version;
 * other changes (status, amounts) are written as they are.
 */
export async function updateClaim(tx: Tx, claimId: string, values: Record<string, unknown>): Promise<void> {
  const health = HEALTH_COLUMNS.filter((column) => values[column] !== undefined).length;
  if (health !== 0 && health !== HEALTH_COLUMNS.length) throw new Error('a claim\'s request, trail and result are sealed together');
  const { claim_id: _id, ...stored } = health === 0 ? values : await sealClaimHealth(tx, null, { ...values, claim_id: claimId });
  await tx('claims').update({ ...stored, updated_at: tx.fn.now() }).where({ claim_id: claimId });
}

export async function findClaim(tx: Tx, idOrNumber: string): Promise<ClaimRow | undefined> {
  const key = idOrNumber.startsWith('CLM') ? 'c.claim_number' : 'c.claim_id';
  const row = await claims(tx).first(CLAIM_COLUMNS).where(key, idOrNumber);
  return row && (await openClaimRows(tx, [row as ClaimRow]))[0];
}

export async function listClaims(tx: Tx, filter: { policyholder_id?: string | undefined; decision?: string | undefined },
  page: { limit: number; cursor?: string | undefined }): Promise<Page<ClaimRow>> {
  const query = tx.queryBuilder().from(claims(tx).select(CLAIM_COLUMNS).as('c'));
  if (filter.policyholder_id) query.where('policyholder_id', filter.policyholder_id);
  if (filter.decision) query.where('decision', filter.decision);
  const found = await paginate<ClaimRow>(query, 'claim_id', page);
  // A page shows each claim's decision, not its request or trail: only the decision's texts are opened.
  return { ...found, data: await openClaimRows(tx, found.data, LIST_PARTS) };
}

const LIST_PARTS: OpenParts = { request: false, trail: false };

/** Approved amounts of the policy year per member and category: what GET /limits and the reviewer's checks use. */
export async function approvedInYear(tx: Tx, policyholderId: string, start: string, end: string, excludeClaimId?: string)
  : Promise<{ member_id: string; approved: Paise; byKey: Record<ApprovedKey, Paise> }[]> {
  const sums = APPROVED_KEYS.map((key) => `coalesce(sum(approved_${key}), 0)::text AS approved_${key}`).join(', ');
  const query = tx('claims').select(tx.raw(`coalesce(dependent_id, policyholder_id) AS member_id, coalesce(sum(approved_amount), 0)::text AS approved, ${sums}`))
    .where({ policyholder_id: policyholderId }).whereIn('decision', ['APPROVED', 'PARTIAL'])
    .where('treatment_date', '>=', start).where('treatment_date', '<', end)
    .groupByRaw('coalesce(dependent_id, policyholder_id)');
  if (excludeClaimId) query.whereNot({ claim_id: excludeClaimId });
  const rows: Record<string, string>[] = await query;
  return rows.map((row) => ({
    member_id: row.member_id as string, approved: toPaise(row.approved as string),
    byKey: Object.fromEntries(APPROVED_KEYS.map((key) => [key, toPaise(row[`approved_${key}`] as string)])) as Record<ApprovedKey, Paise>,
  }));
}
