import { EncryptionKeys, KeyRotation, KeyVersionParams } from '../../../schemas/encryption-keys.js';
import { problemResponse as problem, scopedEndpoint, type Endpoint } from '../../http/endpoint.js';
import { describeKeys, retireKey, rotateKey } from './service.js';

const COMMON = {
  401: problem('Not signed in'),
  403: problem('Not allowed (needs EncryptionKey; provider admins have it)'),
};

export const encryptionKeyEndpoints: Endpoint[] = [
  scopedEndpoint({
    method: 'get', path: '/data-protection/encryption-keys', tag: 'data-protection', access: 'tenant',
    summary: "The tenant's data key versions and how many records each still seals",
    responses: { 200: { description: 'The key versions', schema: EncryptionKeys }, ...COMMON },
  }, async ({ tx, actor }) => ({ body: await describeKeys(tx, actor) })),

  scopedEndpoint({
    method: 'post', path: '/data-protection/encryption-keys', tag: 'data-protection', access: 'tenant',
    summary: 'Rotate: a new data key version becomes current; a job re-seals older records (reads keep working)',
    responses: { 202: { description: 'Rotated; re-encryption queued', schema: KeyRotation }, ...COMMON,
      409: problem('Another rotation took the same version at the same moment') },
  }, async ({ tx, actor }) => ({ status: 202, body: await rotateKey(tx, actor) })),

  scopedEndpoint({
    method: 'delete', path: '/data-protection/encryption-keys/:key_version', tag: 'data-protection', access: 'tenant',
    params: KeyVersionParams,
    summary: 'Retire an old key version (its key is destroyed) once no record is sealed with it',
    responses: { 204: { description: 'Retired (idempotent: a retired version answers the same)' }, ...COMMON,
      404: problem('data_protection.key_not_found'),
      409: problem('data_protection.key_current, data_protection.key_too_recent or data_protection.key_in_use') },
  }, async ({ tx, actor, params }) => {
    await retireKey(tx, actor, params.key_version);
    return { status: 204 };
  }),
];
