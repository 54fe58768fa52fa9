import crypto from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';

// A software WebAuthn authenticator for tests: one ES256 credential (a P-256 key from node:crypto), attestation
// 'none', and a signature counter the test may set (to play a cloned key). It answers options as a browser's
// PublicKeyCredential.toJSON() would, from whatever origin the test claims to be.

const b64url = (bytes: Uint8Array | Buffer | string) => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Buffer | string) => crypto.createHash('sha256').update(data).digest();

const FLAG_USER_PRESENT = 0x01;
const FLAG_ATTESTED_CREDENTIAL = 0x40;

interface CreationOptions { challenge: string; rp: { id?: string }; user: { id: string } }
interface RequestOptions { challenge: string; rpId?: string }

export class SoftwareAuthenticator {
  readonly credentialId = crypto.randomBytes(32);
  private readonly keys = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  private userHandle: string | undefined;
  counter = 0;

  constructor(readonly origin: string, readonly rpId: string) {}

  get id(): string {
    return b64url(this.credentialId);
  }

  /** The COSE_Key of the public key (RFC 9053: EC2, P-256, ES256). */
  private coseKey(): Uint8Array {
    const jwk = this.keys.publicKey.export({ format: 'jwk' });
    return isoCBOR.encode(new Map<number, number | Uint8Array>([
      [1, 2], [3, -7], [-1, 1], [-2, new Uint8Array(Buffer.from(jwk.x ?? '', 'base64url'))],
      [-3, new Uint8Array(Buffer.from(jwk.y ?? '', 'base64url'))],
    ]));
  }

  private authenticatorData(rpId: string, flags: number, attested?: Buffer): Buffer {
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(this.counter);
    return Buffer.concat([sha256(rpId), Buffer.from([flags]), counter, ...(attested ? [attested] : [])]);
  }

  private clientData(type: string, challenge: string, origin: string): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  }

  /** navigator.credentials.create(): a new credential with attestation 'none'. */
  register(options: CreationOptions, claimed: { origin?: string } = {}) {
    this.userHandle = options.user.id;
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(this.credentialId.length);
    const attested = Buffer.concat([Buffer.alloc(16), idLength, this.credentialId, Buffer.from(this.coseKey())]);
    const authData = this.authenticatorData(options.rp.id ?? this.rpId, FLAG_USER_PRESENT | FLAG_ATTESTED_CREDENTIAL, attested);
    const attestationObject = isoCBOR.encode(new Map<string, string | Map<string, string> | Uint8Array>([
      ['fmt', 'none'], ['attStmt', new Map<string, string>()], ['authData', new Uint8Array(authData)],
    ]));
    return {
      id: this.id, rawId: this.id, type: 'public-key' as const, clientExtensionResults: {},
      authenticatorAttachment: 'cross-platform' as const,
      response: {
        clientDataJSON: b64url(this.clientData('webauthn.create', options.challenge, claimed.origin ?? this.origin)),
        attestationObject: b64url(attestationObject), transports: ['usb'],
      },
    };
  }

  /** navigator.credentials.get(): an assertion over the challenge; the counter moves on first unless told not to. */
  assert(options: RequestOptions, claimed: { origin?: string; keepCounter?: boolean } = {}) {
    if (!claimed.keepCounter) this.counter += 1;
    const authData = this.authenticatorData(options.rpId ?? this.rpId, FLAG_USER_PRESENT);
    const clientDataJSON = this.clientData('webauthn.get', options.challenge, claimed.origin ?? this.origin);
    const signature = crypto.sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), this.keys.privateKey);
    return {
      id: this.id, rawId: this.id, type: 'public-key' as const, clientExtensionResults: {},
      response: {
        clientDataJSON: b64url(clientDataJSON), authenticatorData: b64url(authData), signature: b64url(signature),
        ...(this.userHandle ? { userHandle: this.userHandle } : {}),
      },
    };
  }
}
