// Where the client finds its key and its API root: explicit options first, then the environment (hai-api.md §1).

/** A platform setting (HAI_BASE_URL, HAI_REGION, ...) that cannot be used; the message names it. */
export class HaiSettingsError extends Error {
  override name = 'HaiSettingsError';
}

export type HaiRegion = 'eu' | 'us';

export interface HaiSettingsOptions {
  apiKey?: string;
  baseUrl?: string;
  region?: HaiRegion;
}

export interface HaiSettings {
  apiKey: string | undefined;
  /** The API root, always ending with `/api/v2` and no trailing slash. */
  baseUrl: string;
  region: HaiRegion;
}

const REGION_ORIGINS: Record<HaiRegion, string> = {
  eu: 'https://agp.eu.hcompany.ai',
  us: 'https://agp.hcompany.ai',
};

const API_ROOT = '/api/v2';

export function resolveHaiSettings(opts: HaiSettingsOptions = {}, env: NodeJS.ProcessEnv = process.env): HaiSettings {
  // HAI_API_KEY is the current name, H_API_KEY the older one still used by older SDKs and examples.
  const apiKey = nonEmpty(opts.apiKey) ?? nonEmpty(env.HAI_API_KEY) ?? nonEmpty(env.H_API_KEY);
  const region = opts.region
    ? parseRegion(opts.region, 'the region option')
    : parseRegion(nonEmpty(env.HAI_REGION) ?? 'eu', 'HAI_REGION');
  const explicit = nonEmpty(opts.baseUrl);
  const fromEnv = nonEmpty(env.HAI_BASE_URL);
  const baseUrl = explicit
    ? apiRoot(explicit, 'the baseUrl option')
    : fromEnv
      ? apiRoot(fromEnv, 'HAI_BASE_URL')
      : REGION_ORIGINS[region] + API_ROOT;
  return { apiKey, baseUrl, region };
}

function parseRegion(value: string, setting: string): HaiRegion {
  const v = value.trim().toLowerCase();
  if (v === 'eu' || v === 'us') return v;
  throw new HaiSettingsError(`${setting} must be "eu" or "us", got ${JSON.stringify(value)}`);
}

/** Accepts an origin (`http://127.0.0.1:8000`, optionally with a path prefix) or a URL already ending in /api/v2. */
function apiRoot(value: string, setting: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new HaiSettingsError(`${setting} is not a valid URL: ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new HaiSettingsError(`${setting} must be an http(s) URL, got ${JSON.stringify(value)}`);
  }
  if (url.username || url.password)
    throw new HaiSettingsError(`${setting} must not carry credentials; use HAI_API_KEY`);
  if (url.search || url.hash) {
    throw new HaiSettingsError(
      `${setting} must be a plain origin such as https://agp.eu.hcompany.ai, got ${JSON.stringify(value)}`,
    );
  }
  const path = url.pathname.replace(/\/+$/, '');
  return url.origin + (path.endsWith(API_ROOT) ? path : path + API_ROOT);
}

function nonEmpty(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t ? t : undefined;
}
