import type { Tx } from '../db/scope.js';
import type { AccountKind } from './account-repository.js';
import { findMfaState } from './mfa-repository.js';

// WebAuthn credentials and single-use challenges (migrations/*/1733002500000_webauthn.ts), for both kinds of
// account: a tenant's users in its schema (RLS forced), super admins in shared (the platform role only).

const TABLES = {
  tenant: { credentials: 'webauthn_credentials', challenges: 'webauthn_challenges' },
  platform: { credentials: 'platform_webauthn_credentials', challenges: 'platform_webauthn_challenges' },
} as const;

export type ChallengePurpose = 'register' | 'authenticate';

export interface CredentialRow {
  readonly credential_id: string;
  readonly user_id: string;
  readonly webauthn_id: string;
  readonly public_key: Buffer;
  readonly sign_count: string;
  readonly transports: string[];
  readonly name: string;
  readonly device_type: string | null;
  readonly backed_up: boolean;
  readonly created_at: Date;
  readonly last_used_at: Date | null;
}

export interface NewCredential {
  readonly user_id: string;
  readonly webauthn_id: string;
  readonly public_key: Buffer;
  readonly sign_count: number;
  readonly transports: readonly string[];
  readonly name: string;
  readonly aaguid: string | null;
  readonly device_type: string;
  readonly backed_up: boolean;
}

const COLUMNS = ['credential_id', 'user_id', 'webauthn_id', 'public_key', 'sign_count', 'transports', 'name', 'device_type',
  'backed_up', 'created_at', 'last_used_at'];

export async function listCredentials(tx: Tx, kind: AccountKind, userId: string): Promise<CredentialRow[]> {
  return tx(TABLES[kind].credentials).where({ user_id: userId }).orderBy([{ column: 'created_at' }, { column: 'credential_id' }])
    .select(COLUMNS);
}

/** One of this user's credentials by the id the authenticator gives it; another account's key is not found. */
export async function findCredentialByWebAuthnId(tx: Tx, kind: AccountKind, userId: string, webauthnId: string):
  Promise<CredentialRow | undefined> {
  return tx(TABLES[kind].credentials).where({ user_id: userId, webauthn_id: webauthnId }).forUpdate().first(COLUMNS);
}

export async function findOwnCredential(tx: Tx, kind: AccountKind, userId: string, credentialId: string):
  Promise<CredentialRow | undefined> {
  return tx(TABLES[kind].credentials).where({ user_id: userId, credential_id: credentialId }).forUpdate().first(COLUMNS);
}

/** Whether any account of this tenant (or of the platform) has registered this authenticator's credential. */
export async function credentialIdTaken(tx: Tx, kind: AccountKind, webauthnId: string): Promise<boolean> {
  return Boolean(await tx(TABLES[kind].credentials).where({ webauthn_id: webauthnId }).first('credential_id'));
}

export async function insertCredential(tx: Tx, kind: AccountKind, credential: NewCredential): Promise<CredentialRow> {
  const [row] = await tx(TABLES[kind].credentials).insert({ ...credential, transports: [...credential.transports] }).returning(COLUMNS);
  return row as CredentialRow;
}

/** The counter the last accepted assertion carried, and when. */
export async function recordCredentialUse(tx: Tx, kind: AccountKind, credentialId: string, signCount: number, at: Date): Promise<void> {
  await tx(TABLES[kind].credentials).where({ credential_id: credentialId }).update({ sign_count: signCount, last_used_at: at });
}

export async function deleteCredential(tx: Tx, kind: AccountKind, userId: string, credentialId: string): Promise<boolean> {
  return (await tx(TABLES[kind].credentials).where({ user_id: userId, credential_id: credentialId }).delete()) === 1;
}

/** Every key of the account (an administrator's reset of a lost second factor); how many went. */
export async function deleteAllCredentials(tx: Tx, kind: AccountKind, userId: string): Promise<number> {
  return tx(TABLES[kind].credentials).where({ user_id: userId }).delete();
}

export async function countCredentials(tx: Tx, kind: AccountKind, userId: string): Promise<number> {
  const row = await tx(TABLES[kind].credentials).where({ user_id: userId }).count<{ count: string }[]>('* AS count').first();
  return Number(row?.count ?? 0);
}

/** Whether the account has a second factor: an active TOTP authenticator or a security key. */
export async function hasSecondFactor(tx: Tx, kind: AccountKind, userId: string): Promise<boolean> {
  if ((await findMfaState(tx, kind, userId))?.mfa_secret_sealed) return true;
  return (await countCredentials(tx, kind, userId)) > 0;
}

/** Hands out a challenge: it replaces the user's earlier one of the same purpose (and drops any that expired). */
export async function putChallenge(tx: Tx, kind: AccountKind, userId: string, purpose: ChallengePurpose, challenge: string,
  times: { now: Date; expires_at: Date }): Promise<void> {
  await tx(TABLES[kind].challenges).where({ user_id: userId })
    .where((q) => q.where({ purpose }).orWhere('expires_at', '<', times.now)).delete();
  await tx(TABLES[kind].challenges).insert({ challenge, user_id: userId, purpose, expires_at: times.expires_at });
}

/** Takes the user's outstanding challenge of this purpose: it is gone whatever the answer turns out to be. */
export async function takeChallenge(tx: Tx, kind: AccountKind, userId: string, purpose: ChallengePurpose):
  Promise<{ challenge: string; expires_at: Date } | undefined> {
  const [row] = await tx(TABLES[kind].challenges).where({ user_id: userId, purpose }).delete().returning(['challenge', 'expires_at']);
  return row as { challenge: string; expires_at: Date } | undefined;
}
