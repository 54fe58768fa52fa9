import type { Tx } from '../../db/scope.js';
import { dataKeyring, keysForSealedRows } from './keyring.js';
import { openValue, placeOf, sealValue } from './sealed-values.js';

// A reviewer's notes on a claim may cite the diagnosis: sealed with the tenant's data key and bound to the review,
// like the claim's own health data. (The reason for overriding a limit stays plaintext: a CHECK requires it with
// the override, and it explains money, not the patient.)

export const SEALED_REVIEW_COLUMNS = ['review_texts_sealed', 'sealed_key_version'] as const;
const TEXTS = ['review_notes'] as const;

export interface SealedReviewColumns {
  readonly review_id: string;
  readonly review_notes?: string | null;
  readonly review_texts_sealed?: string | null;
  readonly sealed_key_version?: number | null;
}

const place = (reviewId: string) => placeOf('manual_reviews', 'review_texts_sealed', reviewId);

/** The columns to store for a review's texts: sealed when there is any, the plaintext columns emptied. */
export async function sealReviewTexts(tx: Tx, reviewId: string, texts: { review_notes?: string | null })
  : Promise<Record<string, unknown>> {
  const values = Object.fromEntries(TEXTS.map((key) => [key, texts[key] ?? null]));
  if (Object.values(values).every((value) => value === null)) return { ...values, review_texts_sealed: null, sealed_key_version: null };
  const keys = await dataKeyring().keys(tx, null);
  return { review_notes: null, sealed_key_version: keys.current.version,
    review_texts_sealed: sealValue(keys.current, place(reviewId), JSON.stringify(values)) };
}

/** Rows with their texts opened into review_notes; the sealed columns left out. */
export async function openReviewRows<T extends SealedReviewColumns>(tx: Tx, rows: readonly T[]): Promise<T[]> {
  const keys = await keysForSealedRows(tx, rows);
  return rows.map((row) => {
    const { review_texts_sealed: sealed, sealed_key_version: _version, ...plain } = row;
    return (sealed ? { ...plain, ...JSON.parse(openValue(keys, place(row.review_id), sealed)) } : plain) as T;
  });
}

/** Re-seals reviews on an older version, and seals texts written before sealing; the number of rows done. */
export async function resealReviews(tx: Tx, version: number, limit: number): Promise<number> {
  const columns = ['review_id', ...TEXTS, ...SEALED_REVIEW_COLUMNS];
  const older: SealedReviewColumns[] = await tx('manual_reviews').select(columns).where('sealed_key_version', '<', version)
    .orderBy(['sealed_key_version', 'review_id']).limit(limit).forUpdate();
  const legacy: SealedReviewColumns[] = older.length >= limit ? [] : await tx('manual_reviews').select(columns)
    .whereNull('sealed_key_version').whereNotNull('review_notes')
    .orderBy('review_id').limit(limit - older.length).forUpdate();
  for (const row of await openReviewRows(tx, [...older, ...legacy])) {
    await tx('manual_reviews').where({ review_id: row.review_id }).update(await sealReviewTexts(tx, row.review_id, row));
  }
  return older.length + legacy.length;
}
