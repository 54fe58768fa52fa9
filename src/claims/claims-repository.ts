import pg from 'pg';
import type { Tx } from '../db/scope.js';
import { paginate, type Page } from '../db/pagination.js';
import { readTogether, verbatim } from '../db/knex.js';
import { assertUuid } from '../db/sql-literals.js';
import { toPaise, type Paise } from '../money.js';
import type { Category, DecisionKind, PastClaim } from './engine/types.js';
import { openClaimRows, sealClaimHealth, type OpenParts } from '../data-protection/encryption/claim-fields.js';
import { dataKeyring } from '../data-protection/encryption/keyring.js';
import { preExistingConditionsOf } from '../data-protection/encryption/policyholder-fields.js';
import { DATA_KEY_ROWS_SQL, type DataKeyRow } from '../data-protection/encryption/repository.js';
import { DEPENDENT_COLUMNS, type DependentRow } from './dependents-repository.js';
import { openDependentRows } from '../data-protection/encryption/dependent-fields.js';

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
  /** Set once the person's data was erased (DPDP): no new claim or paperwork may carry their health data again. */
  readonly erased_at: Date | null;
}

// Statements that may travel together in one simple query (readClaimInputs) carry their values as literals, each a
// checked uuid, an ISO date or a terms code, escaped by pg as the read audit's riders are (readTogether passes them to
// the server verbatim).
const literal = (value: string): string => pg.escapeLiteral(value);
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const dateLiteral = (value: string): string => {
  if (!ISO_DATE.test(value)) throw new Error(`not an ISO date: ${JSON.stringify(value)}`);
  return `${literal(value)}::date`;
};

/**
 * The policyholder, if it is in the caller's writable book (the agent range: a policyholder login sees its own record
 * but writes nothing), locked FOR UPDATE with its agent's row FOR KEY SHARE (the agent can't be renumbered
 * meanwhile): one statement for what bookOwnerOfPolicyholder and lockPolicyholder do in three.
 */
const lockFamilySql = (policyholderId: string) => `SELECT p.policyholder_id, p.first_name, p.last_name, p.date_of_birth, p.gender,
      p.pre_existing_conditions, p.pre_existing_conditions_sealed, p.status, p.erased_at, p.agent_id, a.pre_order AS agent_order
    FROM policyholders p JOIN agents a ON a.agent_id = p.agent_id
    WHERE p.policyholder_id = ${literal(assertUuid(policyholderId))}::uuid
      AND p.agent_order BETWEEN current_setting('app.agent_lo')::bigint AND current_setting('app.agent_hi')::bigint
    FOR UPDATE OF p FOR KEY SHARE OF a`;

type Sealed<T> = T & { pre_existing_conditions_sealed: string | null };

export async function lockFamilyInBook(tx: Tx, policyholderId: string): Promise<LockedFamily | undefined> {
  const { rows } = await tx.raw<{ rows: Sealed<LockedFamily>[] }>(verbatim(lockFamilySql(policyholderId)));
  return memberSource(tx, rows[0]);
}

/** The current version of a set of policy terms: its id and number only (the document is kept by version, terms-cache.ts). */
export interface CurrentTerms { readonly version_id: string; readonly policy_terms_id: string; readonly version: number }

/** What deciding a new claim reads, all of it after the family's lock. */
export interface ClaimInputs {
  readonly holder: LockedFamily | undefined;
  readonly dependent: DependentRow | undefined;
  readonly coverRow: CoverRow | undefined;
  /** The current version of the terms the claim names, or else of its cover's plan_code (upper-cased in SQL). */
  readonly current: CurrentTerms | undefined;
  readonly history: PastClaim[];
}

export interface ClaimInputsRequest {
  readonly policyholderId: string;
  readonly dependentId?: string | undefined;
  readonly treatmentDate: string;
  /** The terms named in the body, which override the cover's plan_code. */
  readonly termsCode?: string | undefined;
  /** The history starts on this treatment date. */
  readonly historyFrom: string;
}

/**
 * Everything a new claim is decided on: the family locked, the dependent, the cover with the current version of its
 * terms, the family's history and the tenant's data keys (to open sealed conditions and to seal the claim), in one
 * round trip where the transaction allows it (readTogether): each statement takes its own snapshot, so the history,
 * read after the lock has been granted, holds every claim of the family committed before.
 */
export async function readClaimInputs(tx: Tx, request: ClaimInputsRequest): Promise<ClaimInputs> {
  const holderId = literal(assertUuid(request.policyholderId));
  const statements = [
    lockFamilySql(request.policyholderId),
    ...(request.dependentId ? [`SELECT ${DEPENDENT_COLUMNS.join(', ')} FROM dependents
      WHERE policyholder_id = ${holderId}::uuid AND dependent_id = ${literal(assertUuid(request.dependentId))}::uuid LIMIT 1`] : []),
    coverAndTermsSql(holderId, dateLiteral(request.treatmentDate), request.termsCode),
    `SELECT ${HISTORY_COLUMNS.join(', ')} FROM claims WHERE policyholder_id = ${holderId}::uuid
      AND treatment_date >= ${dateLiteral(request.historyFrom)} ORDER BY treatment_date`,
    DATA_KEY_ROWS_SQL,
  ];
  const [locked, ...rest] = (await readTogether(tx, statements)).map((result) => result.rows as Record<string, unknown>[]);
  const dependentRows = request.dependentId ? rest.shift() as unknown as DependentRow[] : [];
  const [coverTerms, history, keys] = rest as [Record<string, unknown>[], ClaimRow[], DataKeyRow[]];
  dataKeyring().adopt(tx, keys);
  const found = coverTerms[0] ?? {};
  return {
    holder: await memberSource(tx, locked?.[0] as Sealed<LockedFamily> | undefined),
    dependent: dependentRows[0] && (await openDependentRows(tx, dependentRows))[0],
    coverRow: found.policy_id ? { policy_id: found.policy_id, plan_code: found.plan_code, status: found.status, start_date: found.start_date,
      maturity_date: found.maturity_date } as CoverRow : undefined,
    current: found.version_id ? { version_id: found.version_id, policy_terms_id: found.policy_terms_id, version: found.version } as CurrentTerms : undefined,
    history: history.map(toPastClaim),
  };
}

/** findHealthCover's row, and beside it the current version of the terms named (or else of the cover's plan_code): always one row. */
function coverAndTermsSql(holderId: string, onDate: string, termsCode: string | undefined): string {
  return `SELECT c.policy_id, c.plan_code, c.status, c.start_date, c.maturity_date, t.version_id, t.policy_terms_id, t.version
    FROM (SELECT 1) AS one
    LEFT JOIN LATERAL (SELECT ${COVER_COLUMNS.join(', ')} FROM policies
      WHERE policyholder_id = ${holderId}::uuid AND category = 'health' ORDER BY ${coverOrder(onDate)} LIMIT 1) AS c ON true
    LEFT JOIN LATERAL (SELECT version_id, policy_terms_id, version FROM policy_terms
      WHERE policy_terms_id = ${termsCode === undefined ? 'upper(c.plan_code)' : literal(termsCode)} AND is_current LIMIT 1) AS t ON true`;
}

/** The policyholder, locked: every claim and review of a family queues here, so its limits can't be overspent. */
const MEMBER_COLUMNS = ['policyholder_id', 'first_name', 'last_name', 'date_of_birth', 'gender', 'pre_existing_conditions',
  'pre_existing_conditions_sealed', 'status'];

/** The member (or locked family) with its pre-existing conditions opened (they are stored sealed: health data). */
async function memberSource<T extends MemberSource>(tx: Tx, row: Sealed<T> | undefined): Promise<T | undefined> {
  if (!row) return undefined;
  const { pre_existing_conditions_sealed: _sealed, ...member } = row;
  return { ...member, pre_existing_conditions: await preExistingConditionsOf(tx, row as Parameters<typeof preExistingConditionsOf>[1]) } as unknown as T;
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

const COVER_COLUMNS = ['policy_id', 'plan_code', 'status', 'start_date', 'maturity_date'];
/** The member's health policies for a date (an SQL date expression): one in force on it first, then the latest. */
const coverOrder = (onDate: string) => `(status = 'active' AND start_date <= ${onDate} AND maturity_date >= ${onDate}) DESC, start_date DESC, policy_id`;

/** The member's health policy for a date: one in force on it if any, else the latest (to explain why not). */
export async function findHealthCover(tx: Tx, policyholderId: string, onDate: string): Promise<CoverRow | undefined> {
  return tx('policies').first(COVER_COLUMNS).where({ policyholder_id: policyholderId, category: 'health' })
    .orderByRaw(coverOrder('?::date'), [onDate, onDate]);
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
