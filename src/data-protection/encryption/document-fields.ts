import type { Tx } from '../../db/scope.js';
import { dataKeyring, keysForSealedRows } from './keyring.js';
import { openValue, placeOf, sealValue } from './sealed-values.js';

// What OCR read off a claim document (a prescription's diagnosis, a bill's items): health data, sealed with the
// tenant's data key and bound to the document; rows read before keep it in the plaintext column until the
// re-encryption job seals them.

export const SEALED_DOCUMENT_COLUMNS = ['extracted_data_sealed', 'sealed_key_version'] as const;

export interface SealedDocumentColumns {
  readonly document_id: string;
  readonly extracted_data?: Record<string, unknown> | null;
  readonly extracted_data_sealed?: string | null;
  readonly sealed_key_version?: number | null;
}

const place = (documentId: string) => placeOf('claim_documents', 'extracted_data_sealed', documentId);

/** The columns that store what was read (null: nothing read, nothing sealed). */
export async function sealExtraction(tx: Tx, documentId: string, data: Record<string, unknown> | null): Promise<Record<string, unknown>> {
  if (data === null) return { extracted_data: null, extracted_data_sealed: null, sealed_key_version: null };
  const keys = await dataKeyring().keys(tx, null);
  return { extracted_data: null, sealed_key_version: keys.current.version,
    extracted_data_sealed: sealValue(keys.current, place(documentId), JSON.stringify(data), { deflate: true }) };
}

/** Rows with what was read opened into extracted_data; the sealed columns left out. */
export async function openDocumentRows<T extends SealedDocumentColumns>(tx: Tx, rows: readonly T[]): Promise<T[]> {
  const keys = await keysForSealedRows(tx, rows);
  return rows.map((row) => {
    const { extracted_data_sealed: sealed, sealed_key_version: _version, ...plain } = row;
    return (sealed ? { ...plain, extracted_data: JSON.parse(openValue(keys, place(row.document_id), sealed)) } : plain) as T;
  });
}

/** Re-seals documents on an older version, and seals what was read before sealing; the number of rows done. */
export async function resealDocuments(tx: Tx, version: number, limit: number): Promise<number> {
  const columns = ['document_id', 'extracted_data', ...SEALED_DOCUMENT_COLUMNS];
  const older: SealedDocumentColumns[] = await tx('claim_documents').select(columns).where('sealed_key_version', '<', version)
    .orderBy(['sealed_key_version', 'document_id']).limit(limit).forUpdate();
  const legacy: SealedDocumentColumns[] = older.length >= limit ? [] : await tx('claim_documents').select(columns)
    .whereNull('sealed_key_version').whereNotNull('extracted_data').orderBy('document_id').limit(limit - older.length).forUpdate();
  for (const row of await openDocumentRows(tx, [...older, ...legacy])) {
    await tx('claim_documents').where({ document_id: row.document_id }).update(await sealExtraction(tx, row.document_id, row.extracted_data ?? null));
  }
  return older.length + legacy.length;
}
