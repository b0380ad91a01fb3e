// Keeps platform keys out of log lines: `Authorization` values, key-shaped `hk-...` strings, and the
// configured key itself wherever it appears.

const KEY_SHAPED = /\bhk-[A-Za-z0-9._~+/=-]+/g;
const AUTHORIZATION = /(authorization["']?\s*[:=]\s*["']?)(?:Bearer\s+)?[^\s"',}]+/gi;
const BEARER = /\bBearer\s+[A-Za-z0-9._~+/=-]+/g;

export const REDACTED = '[redacted]';

/** The text with anything that looks like (or is) a platform key replaced by `[redacted]`. */
export function redactSecrets(text: string, keys: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const key of keys) if (key && key.length >= 4) out = out.split(key).join(REDACTED);
  return out
    .replace(AUTHORIZATION, `$1${REDACTED}`)
    .replace(BEARER, `Bearer ${REDACTED}`)
    .replace(KEY_SHAPED, REDACTED);
}

/** The platform keys this process knows of, so they are redacted even when not key-shaped. */
export const configuredKeys = (env = process.env): string[] =>
  [env.HAI_API_KEY, env.H_API_KEY, env.TEMPORAL_API_KEY, env.HAI_TEMPORAL_WEBHOOK_SECRET].filter(
    (k): k is string => !!k,
  );
