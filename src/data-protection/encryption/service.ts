import type { EncryptionKeys, KeyRotation } from '../../../schemas/encryption-keys.js';
import { authorize } from '../../auth/ability.js';
import type { Actor } from '../../auth/actor.js';
import type { Tx } from '../../db/scope.js';
import { ConflictError } from '../../errors.js';
import { enqueueInTransaction } from '../../jobs/outbox.js';
import { dataKeyring } from './keyring.js';
import { REENCRYPT_QUEUE } from './reencrypt.js';
import { dataKeyRows, sealedRowCounts } from './repository.js';

/** The tenant's data key versions, and how many rows each still seals (an old version is retired at 0). */
export async function describeKeys(tx: Tx, actor: Actor): Promise<EncryptionKeys> {
  authorize(actor.ability, 'read', 'EncryptionKey');
  const [keys, counts] = await Promise.all([dataKeyRows(tx), sealedRowCounts(tx)]);
  const seal = keys.filter((key) => key.purpose === 'seal');
  return {
    master_key_provider: dataKeyring().providerId,
    current_version: seal.at(-1)?.key_version ?? null,
    versions: seal.map((key) => ({ key_version: key.key_version, created_at: key.created_at.toISOString(),
      sealed_rows: counts.find((count) => count.version === key.key_version)?.rows ?? 0 })),
    unsealed_legacy_rows: counts.reduce((sum, count) => sum + count.legacy, 0),
  };
}

/**
 * Rotation: a new data key version, current as soon as this commits; the re-encryption job is queued in the same
 * transaction (outbox) and re-seals older rows in batches. Reads never stop: old versions keep opening.
 */
export async function rotateKey(tx: Tx, actor: Actor): Promise<KeyRotation> {
  authorize(actor.ability, 'create', 'EncryptionKey');
  const version = await dataKeyring().rotate(tx, actor.user_id);
  if (version === undefined) {
    throw new ConflictError('Another rotation created this key version at the same moment; try again.', { code: 'data_protection.rotation_conflict' });
  }
  await enqueueInTransaction(tx, REENCRYPT_QUEUE, { key_version: version },
    { userId: actor.user_id, singletonKey: `reencrypt:${actor.tenant?.tenant_id ?? ''}` });
  return { key_version: version, reencryption_queued: true };
}
