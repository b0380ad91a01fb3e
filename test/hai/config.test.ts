import { describe, expect, it } from 'vitest';
import { resolveHaiSettings } from '../../src/hai/config';

describe('resolveHaiSettings', () => {
  it('prefers the explicit key, then HAI_API_KEY, then H_API_KEY', () => {
    const env = { HAI_API_KEY: 'hk-new', H_API_KEY: 'hk-old' };
    expect(resolveHaiSettings({ apiKey: 'hk-opt' }, env).apiKey).toBe('hk-opt');
    expect(resolveHaiSettings({}, env).apiKey).toBe('hk-new');
    expect(resolveHaiSettings({}, { H_API_KEY: 'hk-old' }).apiKey).toBe('hk-old');
    expect(resolveHaiSettings({}, { HAI_API_KEY: '  ', H_API_KEY: 'hk-old' }).apiKey).toBe('hk-old');
    expect(resolveHaiSettings({}, {}).apiKey).toBeUndefined();
  });

  it('defaults to the EU API root and switches to US with HAI_REGION', () => {
    expect(resolveHaiSettings({}, {})).toMatchObject({ baseUrl: 'https://agp.eu.hcompany.ai/api/v2', region: 'eu' });
    expect(resolveHaiSettings({}, { HAI_REGION: 'us' })).toMatchObject({
      baseUrl: 'https://agp.hcompany.ai/api/v2',
      region: 'us',
    });
    expect(resolveHaiSettings({}, { HAI_REGION: 'US' }).baseUrl).toBe('https://agp.hcompany.ai/api/v2');
    expect(resolveHaiSettings({ region: 'eu' }, { HAI_REGION: 'us' }).baseUrl).toBe(
      'https://agp.eu.hcompany.ai/api/v2',
    );
  });

  it('appends /api/v2 to an origin and accepts a URL that already ends with it', () => {
    const root = (baseUrl: string) => resolveHaiSettings({ baseUrl }, {}).baseUrl;
    expect(root('http://127.0.0.1:8000')).toBe('http://127.0.0.1:8000/api/v2');
    expect(root('http://127.0.0.1:8000/')).toBe('http://127.0.0.1:8000/api/v2');
    expect(root('http://127.0.0.1:8000/api/v2')).toBe('http://127.0.0.1:8000/api/v2');
    expect(root('http://127.0.0.1:8000/api/v2/')).toBe('http://127.0.0.1:8000/api/v2');
    expect(root('https://proxy.example/hai')).toBe('https://proxy.example/hai/api/v2');
  });

  it('prefers the baseUrl option over HAI_BASE_URL over the region', () => {
    const env = { HAI_BASE_URL: 'http://127.0.0.1:9000', HAI_REGION: 'us' };
    expect(resolveHaiSettings({ baseUrl: 'http://localhost:1' }, env).baseUrl).toBe('http://localhost:1/api/v2');
    expect(resolveHaiSettings({}, env).baseUrl).toBe('http://127.0.0.1:9000/api/v2');
  });

  it('rejects a bad URL or region with an error naming the setting', () => {
    expect(() => resolveHaiSettings({}, { HAI_BASE_URL: 'not a url' })).toThrow(/HAI_BASE_URL/);
    expect(() => resolveHaiSettings({}, { HAI_BASE_URL: 'ftp://x.example' })).toThrow(/HAI_BASE_URL.*http/);
    expect(() => resolveHaiSettings({ baseUrl: 'http://x.example/?a=1' }, {})).toThrow(/baseUrl/);
    expect(() => resolveHaiSettings({}, { HAI_REGION: 'asia' })).toThrow(/HAI_REGION.*"eu" or "us"/);
    expect(() => resolveHaiSettings({ region: 'mars' as 'eu' }, {})).toThrow(/region option/);
  });

  it('refuses credentials in the URL without echoing them', () => {
    const run = () => resolveHaiSettings({}, { HAI_BASE_URL: 'https://user:hk-secret@agp.example' });
    expect(run).toThrow(/HAI_BASE_URL must not carry credentials/);
    expect(run).not.toThrow(/hk-secret/);
  });
});
