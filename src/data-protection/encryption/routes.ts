import { EncryptionKeys, KeyRotation } from '../../../schemas/encryption-keys.js';
import { problemResponse as problem, scopedEndpoint, type Endpoint } from '../../http/endpoint.js';
import { describeKeys, rotateKey } from './service.js';

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
];
