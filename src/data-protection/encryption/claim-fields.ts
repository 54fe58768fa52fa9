import crypto from 'node:crypto';
import type { Tx } from '../../db/scope.js';
import { dataKeyring, keysForSealedRows, type TenantKeys } from './keyring.js';
import { openValue, placeOf, sealValue } from './sealed-values.js';

// Health data in a claim, sealed with the tenant's data key: the request (the prescription's diagnosis, treatment,
// medicines and tests, the bill's items), the engine's trail (its inputs cite the diagnosis) and the decision's
// texts (notes, rejected items). The plaintext columns keep what queries and the financial record need: dates,
// amounts, decision, codes, the policy year and the category split. Every sealed value of a row uses the row's
// sealed_key_version, bound to its claim_id, so the re-encryption job finds rows on older keys.

/** The decision's keys that are health texts: sealed, and blanked in the plaintext `result`. */
const DECISION_TEXT_KEYS = ['notes', 'rejected_items'] as const;
const BLANK_TEXTS = { notes: '', rejected_items: [] };

export const SEALED_CLAIM_COLUMNS = ['request_sealed', 'trail_sealed', 'decision_texts_sealed', 'sealed_key_version'] as const;

export interface SealedClaimColumns {
  readonly claim_id: string;
  readonly request?: unknown;
  readonly result?: unknown;
  readonly trail?: unknown;
  readonly request_sealed?: string | null;
  readonly trail_sealed?: string | null;
  readonly decision_texts_sealed?: string | null;
  readonly sealed_key_version?: number | null;
}

const place = (column: string, claimId: string) => placeOf('claims', column, claimId);
const asText = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));
const asObject = (value: unknown): Record<string, unknown> => (typeof value === 'string' ? JSON.parse(value) : value) as Record<string, unknown>;

/**
 * The claim's columns as stored: request, trail and the decision's texts sealed with the tenant's current key (created
 * on first use), their plaintext columns emptied. The claim id is chosen here when the caller has not: the sealed
 * values are bound to their row. Values may be given as objects or as JSON text.
 */
export async function sealClaimHealth(tx: Tx, createdBy: string | null, values: Record<string, unknown>): Promise<Record<string, unknown>> {
  const claimId = typeof values.claim_id === 'string' ? values.claim_id : crypto.randomUUID();
  const keys = await dataKeyring().keys(tx, createdBy);
  const seal = (column: string, plaintext: string) => sealValue(keys.current, place(column, claimId), plaintext, { deflate: true });
  const sealed: Record<string, unknown> = { ...values, claim_id: claimId, sealed_key_version: keys.current.version };
  if (values.request !== undefined) Object.assign(sealed, { request_sealed: seal('request_sealed', asText(values.request)), request: '{}' });
  if (values.trail !== undefined) Object.assign(sealed, { trail_sealed: seal('trail_sealed', asText(values.trail)), trail: '[]' });
  if (values.result !== undefined) {
    const result = asObject(values.result);
    const texts = Object.fromEntries(DECISION_TEXT_KEYS.map((key) => [key, result[key] ?? BLANK_TEXTS[key]]));
    sealed.decision_texts_sealed = seal('decision_texts_sealed', JSON.stringify(texts));
    sealed.result = JSON.stringify({ ...result, ...BLANK_TEXTS });
  }
  return sealed;
}

export interface OpenParts { readonly request?: boolean; readonly trail?: boolean }

/**
 * A row with its health data opened into request, trail and result (as before encryption); the sealed columns
 * are left out. `parts` names the big documents to open (a list needs neither); the decision's texts always open.
 */
export function openClaimRow<T extends SealedClaimColumns>(keys: TenantKeys | undefined, row: T, parts: OpenParts = { request: true, trail: true }): T {
  const { request_sealed: request, trail_sealed: trail, decision_texts_sealed: texts, sealed_key_version: _version, ...plain } = row;
  const opened: Record<string, unknown> = { ...plain };
  const open = (column: string, stored: string) => JSON.parse(openValue(keys, place(column, row.claim_id), stored));
  if (request && parts.request) opened.request = open('request_sealed', request);
  if (trail && parts.trail) opened.trail = open('trail_sealed', trail);
  if (texts && row.result) opened.result = { ...asObject(row.result), ...open('decision_texts_sealed', texts) };
  return opened as T;
}

export async function openClaimRows<T extends SealedClaimColumns>(tx: Tx, rows: readonly T[], parts?: OpenParts): Promise<T[]> {
  const keys = await keysForSealedRows(tx, rows);
  return rows.map((row) => openClaimRow(keys, row, parts));
}

/**
 * The next claims to re-seal, locked (see rowsToReseal): on a version below `version`, or (legacy) filed before
 * encryption and still holding their request in plaintext (an erased or purged claim holds none).
 */
export async function claimsToReseal(tx: Tx, version: number, limit: number): Promise<SealedClaimColumns[]> {
  const older: SealedClaimColumns[] = await tx('claims').select('claim_id', 'result', ...SEALED_CLAIM_COLUMNS)
    .where('sealed_key_version', '<', version).orderBy(['sealed_key_version', 'claim_id']).limit(limit).forUpdate();
  if (older.length >= limit) return older;
  const legacy: SealedClaimColumns[] = await tx('claims').select('claim_id', 'request', 'result', 'trail', ...SEALED_CLAIM_COLUMNS)
    .whereNull('sealed_key_version').whereRaw("request <> '{}'::jsonb").orderBy('claim_id').limit(limit - older.length).forUpdate();
  return [...older, ...legacy];
}

/** Re-seals claims with the current key; updated_at stays (the claim did not change). */
export async function resealClaims(tx: Tx, version: number, limit: number): Promise<number> {
  const rows = await claimsToReseal(tx, version, limit);
  if (rows.length === 0) return 0;
  const keys = await dataKeyring().existingKeys(tx);
  for (const row of rows) {
    const opened = openClaimRow(keys, row);
    const legacy = row.sealed_key_version == null;
    const values = { claim_id: row.claim_id, ...(legacy || row.request_sealed ? { request: opened.request } : {}),
      ...(legacy || row.trail_sealed ? { trail: opened.trail } : {}), ...(legacy || row.decision_texts_sealed ? { result: opened.result } : {}) };
    const { claim_id: _id, ...columns } = await sealClaimHealth(tx, null, values);
    await tx('claims').where({ claim_id: row.claim_id }).update(columns);
  }
  return rows.length;
}
