// A worker with a missing or refused platform key would fail every session it runs: find out at start, with
// one cheap authenticated call (GET /sessions/quota), and say which setting to fix.
import { SettingsError } from '../config';
import { HaiClient } from './client';
import { HaiApiError } from './errors';

export type KeyCheck = { ok: true } | { ok: false; unreachable: string };

/** Throws a SettingsError when the platform refuses the key; reports (does not throw) when it cannot be reached. */
export async function checkPlatformKey(hai: HaiClient): Promise<KeyCheck> {
  try {
    await hai.withRetries('resets').getQuota({ timeoutMs: 10_000 });
    return { ok: true };
  } catch (err) {
    if (!(err instanceof HaiApiError)) throw err;
    if (err.code === 'unauthorized' && err.status === undefined) {
      throw new SettingsError(`no platform key: set HAI_API_KEY (or H_API_KEY) for ${hai.baseUrl}`);
    }
    if (err.status === 401 || err.status === 403) {
      throw new SettingsError(
        `the platform at ${hai.baseUrl} refused the key in HAI_API_KEY (${err.status}: ${err.detail}); ` +
          'check the key and its region (HAI_REGION / HAI_BASE_URL)',
      );
    }
    return { ok: false, unreachable: err.message };
  }
}

/** The check with `given`, or with a client of its own built from the environment (and closed after). */
export async function checkPlatformKeyOnce(given?: HaiClient): Promise<KeyCheck> {
  const hai = given ?? new HaiClient();
  try {
    return await checkPlatformKey(hai);
  } finally {
    if (!given) await hai.close();
  }
}
