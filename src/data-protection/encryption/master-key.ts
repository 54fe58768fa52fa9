import { deriveKey, openToBuffer, seal } from '../../crypto/aead.js';

// The KMS seam: whatever holds the master key wraps and unwraps tenant data keys; the master key itself never
// reaches the application. `context` (tenant, purpose, version) is bound to the wrapped key as associated data,
// so a wrapped key copied to another tenant or version does not unwrap.
export interface MasterKeyProvider {
  /** A name for logs and the key listing, e.g. 'local' or a KMS key ARN. */
  readonly id: string;
  wrap(dataKey: Buffer, context: string): Promise<string>;
  unwrap(wrapped: string, context: string): Promise<Buffer>;
}

/** The master key from the configuration (MASTER_KEY): fine for one region; a cloud KMS implements the same interface. */
export class LocalMasterKeyProvider implements MasterKeyProvider {
  readonly id = 'local';
  readonly #wrappingKey: Buffer;

  constructor(masterKey: Buffer) {
    this.#wrappingKey = deriveKey(masterKey, 'tenant-data-keys');
  }

  async wrap(dataKey: Buffer, context: string): Promise<string> {
    return seal(this.#wrappingKey, dataKey, context);
  }

  async unwrap(wrapped: string, context: string): Promise<Buffer> {
    return openToBuffer(this.#wrappingKey, wrapped, context);
  }
}

