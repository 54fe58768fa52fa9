import crypto from 'node:crypto';
import zlib from 'node:zlib';
import { openToBuffer, seal, SealedValueError } from '../../crypto/aead.js';
import { DomainError } from '../../errors.js';
import type { TenantKeys } from './keyring.js';

// A sealed value as stored: 'k<data key version>:<AES-256-GCM sealed text>', or 'k<version>z:…' when the plaintext
// was deflated first. The associated data names its place (table, column, row), so a value copied into another row
// or column does not open.

const STORED = /^k([1-9][0-9]{0,8})(z?):(.+)$/;

/** Where a value lives: bound to its ciphertext. */
export const placeOf = (table: string, column: string, rowId: string) => `${table}.${column}/${rowId}`;

/**
 * `deflate` is for large JSON documents (a claim's request and trail): ciphertext does not compress, so sealed as
 * they are the database would store, log and ship them at full size; deflated first they shrink some tenfold.
 */
export function sealValue(key: { version: number; key: Buffer }, place: string, plaintext: string, options: { deflate?: boolean } = {}): string {
  if (options.deflate) return `k${key.version}z:${seal(key.key, zlib.deflateRawSync(plaintext, { level: 1 }), place)}`;
  return `k${key.version}:${seal(key.key, plaintext, place)}`;
}

/** The data key version a stored value was sealed with. */
export function versionOf(stored: string): number | undefined {
  const match = STORED.exec(stored);
  return match ? Number(match[1]) : undefined;
}

/** Opens a stored value; a value that does not open (tampered, moved, unknown key) is refused, never guessed at. */
export function openValue(keys: TenantKeys | undefined, place: string, stored: string): string {
  const match = STORED.exec(stored);
  const key = match && keys?.sealKey(Number(match[1]));
  try {
    if (!match || !key) throw new SealedValueError('no key for this value');
    const opened = openToBuffer(key, match[3] as string, place);
    return (match[2] === 'z' ? zlib.inflateRawSync(opened) : opened).toString('utf8');
  } catch (error) {
    if (!(error instanceof SealedValueError)) throw error;
    throw new DomainError(`A sealed value (${place.split('/')[0]}) does not open: it was altered or its key is missing.`,
      { code: 'data_protection.sealed_value_unreadable' });
  }
}

/**
 * The blind index of a canonical value: HMAC-SHA256 under the tenant's index key, per field (the same PAN in two
 * fields, or two tenants, gives unrelated indexes). Exact-match lookups compare it with plain '=' on an index.
 */
export function blindIndex(indexKey: Buffer, field: string, canonical: string): string {
  return crypto.createHmac('sha256', indexKey).update(`${field}\u0000${canonical}`).digest('base64url');
}
