// HAI_TEMPORAL_ENCRYPTION_KEYS: the AES-256 keys of the payload codec, as `id:base64-key,id:base64-key`. The first
// encrypts; every listed id decrypts, so a key is rotated by putting a new one first and keeping the old one listed
// until no history that needs it is kept. Errors name the variable and the id, never key material.
import { SettingsError } from '../config';

export const ENCRYPTION_KEYS_VARIABLE = 'HAI_TEMPORAL_ENCRYPTION_KEYS';

export interface EncryptionKeys {
  /** The id new payloads are encrypted with (the first listed). */
  encryptWith: string;
  /** Every listed id and its 32-byte key. */
  keys: ReadonlyMap<string, Buffer>;
}

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Parses the variable's value; throws SettingsError naming the variable and what is wrong. */
export function parseEncryptionKeys(raw: string): EncryptionKeys {
  const entries = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (!entries.length) throw new SettingsError(`${ENCRYPTION_KEYS_VARIABLE} is set but lists no key (id:base64-key)`);
  const keys = new Map<string, Buffer>();
  entries.forEach((entry, i) => {
    const colon = entry.indexOf(':');
    const where = `${ENCRYPTION_KEYS_VARIABLE}: entry ${i + 1}`;
    if (colon < 0) throw new SettingsError(`${where} must be id:base64-key`);
    const id = entry.slice(0, colon).trim();
    const encoded = entry.slice(colon + 1).trim();
    if (!KEY_ID.test(id))
      throw new SettingsError(`${where} has key id ${JSON.stringify(id.slice(0, 70))}: use 1-64 of A-Z a-z 0-9 . _ -`);
    if (keys.has(id)) throw new SettingsError(`${where} repeats key id "${id}"`);
    const key = BASE64.test(encoded) ? Buffer.from(encoded, 'base64') : undefined;
    if (key?.length !== 32)
      throw new SettingsError(
        `${where} (key id "${id}") must be 32 bytes in base64 (e.g. \`openssl rand -base64 32\`)`,
      );
    keys.set(id, key);
  });
  return { encryptWith: entries[0]!.slice(0, entries[0]!.indexOf(':')).trim(), keys };
}

/** The keys from the environment, or undefined when encryption is off (the variable unset or empty). */
export function loadEncryptionKeys(env = process.env): EncryptionKeys | undefined {
  const raw = env[ENCRYPTION_KEYS_VARIABLE];
  return raw?.trim() ? parseEncryptionKeys(raw) : undefined;
}
