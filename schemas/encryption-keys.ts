import { z } from 'zod';
import { Timestamp } from './common.js';

// The tenant's data keys (encryption at rest, src/data-protection/encryption): versions and what still uses them.

export const EncryptionKeyVersion = z.object({
  key_version: z.number().int(),
  created_at: Timestamp,
  sealed_rows: z.number().int().describe('Rows (policyholders, claims) whose sensitive or health fields are sealed with this version'),
  retired_at: Timestamp.nullable().describe('When the version was retired (its key destroyed); null while it is kept'),
});

export const EncryptionKeys = z.object({
  master_key_provider: z.string().describe("Who wraps the tenant's data keys: 'local' (MASTER_KEY) or a KMS"),
  current_version: z.number().int().nullable().describe('New values are sealed with this version; null before anything is sealed'),
  versions: z.array(EncryptionKeyVersion),
  unsealed_legacy_rows: z.number().int()
    .describe('Rows written before encryption whose pre-existing conditions are still plaintext (the re-encryption job seals them)'),
});
export type EncryptionKeys = z.infer<typeof EncryptionKeys>;

export const KeyRotation = z.object({
  key_version: z.number().int().describe('The new current version'),
  reencryption_queued: z.boolean().describe('The job re-sealing older rows is queued; reads work throughout'),
});
export type KeyRotation = z.infer<typeof KeyRotation>;

// Digits only, no leading zero: z.coerce.number would also take '1e3', ' 1' or '0x1' as a version.
export const KeyVersionParams = z.object({
  key_version: z.string().regex(/^[1-9][0-9]{0,8}$/, 'must be a key version: a whole number from 1').transform(Number),
}).strict();
export type KeyVersionParams = z.infer<typeof KeyVersionParams>;
