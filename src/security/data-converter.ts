// The data converter the worker, the CLI and the library share: Temporal's default payload conversion, then the
// encryption codec (a pass-through that names the missing key id when HAI_TEMPORAL_ENCRYPTION_KEYS is not set).
import type { DataConverter } from '@temporalio/common';
import { EncryptionCodec } from './encryption-codec';
import { type EncryptionKeys, loadEncryptionKeys } from './encryption-keys';

export function encryptionDataConverter(keys: EncryptionKeys | undefined): DataConverter {
  return { payloadCodecs: [new EncryptionCodec(keys)] };
}

/** From HAI_TEMPORAL_ENCRYPTION_KEYS; throws SettingsError naming the variable when its value is bad. */
export function loadDataConverter(env = process.env): DataConverter {
  return encryptionDataConverter(loadEncryptionKeys(env));
}
