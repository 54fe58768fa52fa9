import crypto from 'node:crypto';

// AES-256-GCM with a fresh 96-bit nonce per message. The sealed form is one printable string,
// `v1.<nonce>.<ciphertext>.<tag>` (base64url), so it fits a text column and carries its format version.
// The associated data (for example a table, column and row id) binds a ciphertext to its place: copied to
// another row or column it no longer opens.
const FORMAT = 'v1';
const KEY_BYTES = 32;
const NONCE_BYTES = 12;

export class SealedValueError extends Error {}

export function assertKey(key: Buffer): void {
  if (key.length !== KEY_BYTES) throw new RangeError(`an AES-256-GCM key is ${KEY_BYTES} bytes, not ${key.length}`);
}

export function seal(key: Buffer, plaintext: string | Buffer, associatedData = ''): string {
  assertKey(key);
  const nonce = crypto.randomBytes(NONCE_BYTES);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return [FORMAT, nonce, body, cipher.getAuthTag()]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.');
}

export function openToBuffer(key: Buffer, sealed: string, associatedData = ''): Buffer {
  assertKey(key);
  const [format, nonce, body, tag, extra] = sealed.split('.');
  if (format !== FORMAT || nonce === undefined || body === undefined || tag === undefined || extra !== undefined) {
    throw new SealedValueError('not a sealed value');
  }
  try {
    const decipher = crypto.createDecipheriv('aes-256-gcm', key, Buffer.from(nonce, 'base64url'));
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]);
  } catch {
    throw new SealedValueError('the sealed value does not open with this key and associated data');
  }
}

export function open(key: Buffer, sealed: string, associatedData = ''): string {
  return openToBuffer(key, sealed, associatedData).toString('utf8');
}

/** A key for one purpose derived from a master key (HKDF-SHA256), so one secret never serves two uses. */
export function deriveKey(masterKey: Buffer, purpose: string): Buffer {
  return Buffer.from(crypto.hkdfSync('sha256', masterKey, Buffer.alloc(0), `agent-mitra/${purpose}`, KEY_BYTES));
}
