import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { deriveKey, open, seal, SealedValueError } from '../../src/crypto/aead.js';

describe('AES-256-GCM sealing', () => {
  const key = crypto.randomBytes(32);

  it('opens what it sealed, and never seals the same text the same way twice', () => {
    const first = seal(key, 'ABCDE1234F', 'policyholders.pan:1');
    const second = seal(key, 'ABCDE1234F', 'policyholders.pan:1');
    assert.notEqual(first, second);
    assert.equal(open(key, first, 'policyholders.pan:1'), 'ABCDE1234F');
    assert.ok(!first.includes('ABCDE1234F'));
  });

  it('refuses another key, other associated data and a tampered ciphertext', () => {
    const sealed = seal(key, 'secret', 'a');
    assert.throws(() => open(crypto.randomBytes(32), sealed, 'a'), SealedValueError);
    assert.throws(() => open(key, sealed, 'b'), SealedValueError);
    const parts = sealed.split('.');
    parts[2] = Buffer.from('tampered').toString('base64url');
    assert.throws(() => open(key, parts.join('.'), 'a'), SealedValueError);
    assert.throws(() => open(key, 'not-sealed', 'a'), SealedValueError);
  });

  it('refuses a key of the wrong size', () => {
    assert.throws(() => seal(Buffer.alloc(16), 'x'), RangeError);
  });

  it('derives distinct keys per purpose, the same each time', () => {
    const master = crypto.randomBytes(32);
    assert.deepEqual(deriveKey(master, 'mfa'), deriveKey(master, 'mfa'));
    assert.notDeepEqual(deriveKey(master, 'mfa'), deriveKey(master, 'tenant-data-keys'));
    assert.equal(deriveKey(master, 'mfa').length, 32);
  });
});
