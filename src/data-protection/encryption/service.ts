import type { EncryptionKeys, KeyRotation } from '../../../schemas/encryption-keys.js';
import { authorize } from '../../auth/ability.js';
import type { Actor } from '../../auth/actor.js';
import type { Tx } from '../../db/scope.js';
import { ConflictError, NotFoundError } from '../../errors.js';
import { enqueueInTransaction } from '../../jobs/outbox.js';
import { dataKeyring } from './keyring.js';
import { REENCRYPT_QUEUE } from './reencrypt.js';
import { dataKeyRows, retireDataKey, sealedRowCounts } from './repository.js';

/** The tenant's data key versions, and how many rows each still seals (an old version is retired at 0). */
export async function describeKeys(tx: Tx, actor: Actor): Promise<EncryptionKeys> {
  authorize(actor.ability, 'read', 'EncryptionKey');
  const [keys, counts] = await Promise.all([dataKeyRows(tx), sealedRowCounts(tx)]);
  const seal = keys.filter((key) => key.purpose === 'seal');
  return {
    master_key_provider: dataKeyring().providerId,
    current_version: seal.at(-1)?.key_version ?? null,
    versions: seal.map((key) => ({ key_version: key.key_version, created_at: key.created_at.toISOString(),
      sealed_rows: counts.find((count) => count.version === key.key_version)?.rows ?? 0,
      retired_at: key.retired_at?.toISOString() ?? null })),
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

/**
 * How long a newer version must exist before an older one may be retired: a transaction that loaded the keys before
 * the rotation (and may still seal with the old version) has committed long before, so its rows are counted.
 */
export const RETIRE_AFTER_SECONDS = 15 * 60;

/**
 * Retires an old version once the re-encryption has moved every row off it: its wrapped key is destroyed, for good.
 * Refused while any row uses it, for the current version, and within RETIRE_AFTER_SECONDS of the next rotation.
 */
export async function retireKey(tx: Tx, actor: Actor, version: number): Promise<void> {
  authorize(actor.ability, 'delete', 'EncryptionKey');
  const outcome = await retireDataKey(tx, version, RETIRE_AFTER_SECONDS);
  if (outcome === 'not_found') throw new NotFoundError(`No data key version ${version}.`, { code: 'data_protection.key_not_found' });
  if (outcome === 'current') {
    throw new ConflictError('The current version seals every new value: rotate first.', { code: 'data_protection.key_current' });
  }
  if (outcome === 'too_recent') {
    throw new ConflictError(`A newer version is less than ${RETIRE_AFTER_SECONDS / 60} minutes old: retire after that.`,
      { code: 'data_protection.key_too_recent' });
  }
  if (outcome === 'in_use') {
    throw new ConflictError('Records are still sealed with this version: let the re-encryption finish (GET shows sealed_rows).',
      { code: 'data_protection.key_in_use' });
  }
  // Nothing else in this transaction: on Citus the runtime role may not touch what the owner's function changed.
}
