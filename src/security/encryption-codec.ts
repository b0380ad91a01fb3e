// The payload codec: AES-256-GCM over the whole serialized payload (metadata included), as Temporal's encryption
// sample does, with the key id in the payload's metadata (and bound as associated data) so rotated keys still decrypt.
// Without keys it passes payloads through and refuses encrypted ones with a message naming their key id.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';
import { ENCRYPTION_KEYS_VARIABLE, type EncryptionKeys } from './encryption-keys';

export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
const IV_BYTES = 12;
const TAG_BYTES = 16;

const ProtoPayload = proto.temporal.api.common.v1.Payload;
const text = (bytes: Uint8Array | null | undefined) => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);

/** A payload could not be decrypted; the message names the key id and the setting to fix. */
export class PayloadDecryptionError extends Error {
  override name = 'PayloadDecryptionError';
  constructor(
    message: string,
    readonly keyId: string | undefined,
  ) {
    super(message);
  }
}

export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly settings: EncryptionKeys | undefined) {}

  /** The key id new payloads are encrypted with, or undefined when this codec only refuses encrypted payloads. */
  get keyId(): string | undefined {
    return this.settings?.encryptWith;
  }

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const settings = this.settings;
    if (!settings) return payloads;
    const key = settings.keys.get(settings.encryptWith)!;
    return payloads.map((payload) => encrypt(payload, settings.encryptWith, key));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => (isEncrypted(payload) ? this.#decrypt(payload) : payload));
  }

  #decrypt(payload: Payload): Payload {
    const keyId = text(payload.metadata?.[KEY_ID_METADATA]);
    if (!keyId)
      throw new PayloadDecryptionError('cannot decrypt a payload: it carries no encryption key id', undefined);
    const key = this.settings?.keys.get(keyId);
    if (!key) {
      const listed = this.settings
        ? `lists only ${[...this.settings.keys.keys()].map((k) => `"${k}"`).join(', ')}`
        : 'is not set';
      throw new PayloadDecryptionError(
        `cannot decrypt a payload encrypted with key id "${keyId}": ${ENCRYPTION_KEYS_VARIABLE} ${listed}; add "${keyId}:<its base64 key>" to it`,
        keyId,
      );
    }
    const data = payload.data ?? new Uint8Array();
    try {
      if (data.length < IV_BYTES + TAG_BYTES) throw new Error('too short');
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(keyId));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plain = Buffer.concat([
        decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)),
        decipher.final(),
      ]);
      return ProtoPayload.decode(plain);
    } catch {
      throw new PayloadDecryptionError(
        `cannot decrypt a payload with key id "${keyId}": the key ${ENCRYPTION_KEYS_VARIABLE} gives for "${keyId}" is not the one it was encrypted with (or the payload was altered)`,
        keyId,
      );
    }
  }
}

export function isEncrypted(payload: Payload): boolean {
  return text(payload.metadata?.[METADATA_ENCODING_KEY]) === ENCRYPTED_ENCODING;
}

function encrypt(payload: Payload, keyId: string, key: Buffer): Payload {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(keyId));
  const sealed = Buffer.concat([cipher.update(ProtoPayload.encode(payload).finish()), cipher.final()]);
  return {
    metadata: {
      [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING),
      [KEY_ID_METADATA]: Buffer.from(keyId),
    },
    data: Buffer.concat([iv, sealed, cipher.getAuthTag()]),
  };
}
