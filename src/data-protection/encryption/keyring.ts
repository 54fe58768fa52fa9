import crypto from 'node:crypto';
import type { Tx } from '../../db/scope.js';
import type { MasterKeyProvider } from './master-key.js';
import { currentTenantId, dataKeyRows, insertDataKey, type DataKeyRow, type KeyPurpose } from './repository.js';

// Per-tenant data keys (envelope encryption). The database holds them wrapped by the master key provider; the
// process keeps unwrapped keys in memory for a short while (UNWRAPPED_TTL_MS), so a request costs one small
// query for the tenant's key rows and, mostly, no call to the provider.

const UNWRAPPED_TTL_MS = 5 * 60_000;
const UNWRAPPED_MAX = 10_000;

/** The keys of one tenant, as one transaction sees them. */
export interface TenantKeys {
  readonly tenantId: string;
  /** The newest seal key: new values are sealed with it. */
  readonly current: { readonly version: number; readonly key: Buffer } | undefined;
  /** A seal key by version (old versions stay until nothing is sealed with them). */
  sealKey(version: number): Buffer | undefined;
  readonly indexKey: Buffer | undefined;
  readonly versions: readonly number[];
}

const wrapContext = (tenantId: string, purpose: KeyPurpose, version: number) => `tenant/${tenantId}/data-key/${purpose}/v${version}`;

export class DataKeyring {
  readonly #provider: MasterKeyProvider;
  readonly #unwrapped = new Map<string, { key: Buffer; expires: number }>();
  readonly #perTransaction = new WeakMap<Tx, Promise<TenantKeys | undefined>>();

  constructor(provider: MasterKeyProvider) {
    this.#provider = provider;
  }

  get providerId(): string {
    return this.#provider.id;
  }

  /** The tenant's keys, read once per transaction; undefined when the tenant has none yet (nothing is sealed). */
  async existingKeys(tx: Tx): Promise<TenantKeys | undefined> {
    let loading = this.#perTransaction.get(tx);
    if (!loading) {
      loading = this.#load(tx);
      this.#perTransaction.set(tx, loading);
    }
    return loading;
  }

  /**
   * The tenant's keys from rows the caller read itself in this transaction (DATA_KEY_ROWS_SQL, sent with other reads in
   * one round trip): what existingKeys would load. Keys this transaction loaded or created already stay.
   */
  adopt(tx: Tx, rows: readonly DataKeyRow[]): void {
    if (!this.#perTransaction.has(tx)) this.#perTransaction.set(tx, this.#fromRows(rows));
  }

  /** The tenant's keys, creating the first seal and index keys on first use. */
  async keys(tx: Tx, createdBy: string | null): Promise<TenantKeys & { current: NonNullable<TenantKeys['current']>; indexKey: Buffer }> {
    let keys = await this.existingKeys(tx);
    if (!keys?.current || !keys.indexKey) {
      const tenantId = keys?.tenantId ?? await currentTenantId(tx);
      if (!keys?.current) await this.#create(tx, tenantId, 'seal', 1, createdBy);
      if (!keys?.indexKey) await this.#create(tx, tenantId, 'index', 1, createdBy);
      keys = await this.#reload(tx);
    }
    if (!keys?.current || !keys.indexKey) throw new Error('the tenant data keys could not be created');
    return keys as TenantKeys & { current: NonNullable<TenantKeys['current']>; indexKey: Buffer };
  }

  /** Adds the next seal key version; undefined when another rotation took that version at the same moment. */
  async rotate(tx: Tx, createdBy: string | null): Promise<number | undefined> {
    const keys = await this.keys(tx, createdBy);
    const next = keys.current.version + 1;
    const created = await this.#create(tx, keys.tenantId, 'seal', next, createdBy);
    await this.#reload(tx);
    return created ? next : undefined;
  }

  async #create(tx: Tx, tenantId: string, purpose: KeyPurpose, version: number, createdBy: string | null): Promise<boolean> {
    const wrapped = await this.#provider.wrap(crypto.randomBytes(32), wrapContext(tenantId, purpose, version));
    return insertDataKey(tx, { purpose, key_version: version, wrapped_key: wrapped, created_by: createdBy });
  }

  #reload(tx: Tx): Promise<TenantKeys | undefined> {
    const loading = this.#load(tx);
    this.#perTransaction.set(tx, loading);
    return loading;
  }

  async #load(tx: Tx): Promise<TenantKeys | undefined> {
    return this.#fromRows(await dataKeyRows(tx));
  }

  async #fromRows(rows: readonly DataKeyRow[]): Promise<TenantKeys | undefined> {
    const first = rows[0];
    if (!first) return undefined;
    const seal = new Map<number, Buffer>();
    let indexKey: Buffer | undefined;
    for (const row of rows) {
      // A retired version's key is destroyed: nothing is sealed with it any more.
      if (row.wrapped_key === null) continue;
      const key = await this.#unwrap(row as DataKeyRow & { wrapped_key: string });
      if (row.purpose === 'seal') seal.set(row.key_version, key);
      else indexKey = key;
    }
    const versions = [...seal.keys()].sort((a, b) => a - b);
    // Retired versions are always older than the newest, which is never retired.
    const newest = versions.at(-1);
    return {
      tenantId: first.tenant_id,
      current: newest === undefined ? undefined : { version: newest, key: seal.get(newest) as Buffer },
      sealKey: (version) => seal.get(version),
      indexKey,
      versions,
    };
  }

  async #unwrap(row: DataKeyRow & { wrapped_key: string }): Promise<Buffer> {
    const context = wrapContext(row.tenant_id, row.purpose, row.key_version);
    const cacheKey = `${context}|${row.wrapped_key}`;
    const now = Date.now();
    const cached = this.#unwrapped.get(cacheKey);
    if (cached && cached.expires > now) return cached.key;
    const key = await this.#provider.unwrap(row.wrapped_key, context);
    if (this.#unwrapped.size >= UNWRAPPED_MAX) this.#unwrapped.clear();
    this.#unwrapped.set(cacheKey, { key, expires: now + UNWRAPPED_TTL_MS });
    return key;
  }
}

let installed: DataKeyring | undefined;

/** Set once at start (createDeps): services reach the keyring with their transaction only, as repositories do. */
export function installDataKeyring(keyring: DataKeyring): void {
  installed = keyring;
}

export function dataKeyring(): DataKeyring {
  if (!installed) throw new Error('no data keyring installed (createDeps installs one)');
  return installed;
}

/**
 * The tenant's keys for opening rows of a table with sealed values, read only when one of the rows holds any (its
 * sealed_key_version is set exactly then): a page of rows written before encryption, or with nothing sealed, costs
 * no query.
 */
export async function keysForSealedRows(tx: Tx, rows: readonly { readonly sealed_key_version?: number | null }[])
  : Promise<TenantKeys | undefined> {
  return rows.some((row) => row.sealed_key_version != null) ? dataKeyring().existingKeys(tx) : undefined;
}
