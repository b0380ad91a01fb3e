import { describe, expect, it } from 'vitest';
import { HaiApiError } from '../../src/hai/errors';
import {
  BASE_DELAY_MS,
  MAX_BACKOFF_MS,
  MAX_SERVER_DELAY_MS,
  parseRetryAfter,
  retryDelayMs,
  shouldRetry,
  sleep,
} from '../../src/hai/retry';

const NOW = Date.UTC(2026, 4, 7, 14, 30, 0);

describe('retry delay', () => {
  it('parses Retry-After as seconds or as an HTTP date', () => {
    expect(parseRetryAfter('2', NOW)).toBe(2000);
    expect(parseRetryAfter('0.5', NOW)).toBe(500);
    expect(parseRetryAfter(new Date(NOW + 3000).toUTCString(), NOW)).toBe(3000);
    expect(parseRetryAfter(new Date(NOW - 3000).toUTCString(), NOW)).toBe(0);
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
  });

  it('honours Retry-After first, capped at 60 s', () => {
    expect(retryDelayMs({ 'retry-after': '2', 'x-ratelimit-reset': String(NOW / 1000 + 9) }, 3, NOW)).toBe(2000);
    expect(retryDelayMs({ 'retry-after': '3600' }, 0, NOW)).toBe(MAX_SERVER_DELAY_MS);
  });

  it('falls back to X-RateLimit-Reset (epoch seconds), ignoring a reset in the past', () => {
    expect(retryDelayMs({ 'x-ratelimit-reset': String(NOW / 1000 + 5) }, 0, NOW)).toBe(5000);
    expect(retryDelayMs({ 'x-ratelimit-reset': String(NOW / 1000 + 600) }, 0, NOW)).toBe(MAX_SERVER_DELAY_MS);
    expect(retryDelayMs({ 'x-ratelimit-reset': String(NOW / 1000 - 5) }, 0, NOW, () => 0.5)).toBe(BASE_DELAY_MS);
  });

  it('backs off exponentially from 250 ms with ±10 % jitter, capped', () => {
    expect(retryDelayMs(undefined, 0, NOW, () => 0.5)).toBe(250);
    expect(retryDelayMs(undefined, 2, NOW, () => 0.5)).toBe(1000);
    expect(retryDelayMs(undefined, 2, NOW, () => 0)).toBe(900);
    expect(retryDelayMs(undefined, 2, NOW, () => 1)).toBe(1100);
    expect(retryDelayMs(undefined, 30, NOW, () => 0.5)).toBe(MAX_BACKOFF_MS);
  });
});

describe('retry decision', () => {
  const http = (status: number, detail = 'x') =>
    new HaiApiError({
      status,
      route: 'R',
      detail,
      code: 'other',
      retryable: status === 408 || status === 429 || status >= 500 || /in flight/.test(detail),
    });
  const network = (code: string) =>
    new HaiApiError({
      route: 'R',
      code: 'network',
      detail: code,
      retryable: true,
      cause: Object.assign(new Error(code), { code }),
    });
  const timeout = new HaiApiError({ route: 'R', code: 'timeout', detail: 'timed out', retryable: true });
  const badBody = new HaiApiError({ status: 200, route: 'R', code: 'bad_response', detail: 'x', retryable: true });

  it('retries 408 and 429 whether or not the call is safe to repeat', () => {
    for (const safe of [true, false]) {
      expect(shouldRetry(http(408), safe)).toBe(true);
      expect(shouldRetry(http(429), safe)).toBe(true);
    }
  });

  it('retries 5xx, resets, timeouts and malformed bodies only when repeating is safe', () => {
    for (const err of [http(500), http(503), network('ECONNRESET'), network('UND_ERR_SOCKET'), timeout, badBody]) {
      expect(shouldRetry(err, true), err.detail).toBe(true);
      expect(shouldRetry(err, false), err.detail).toBe(false);
    }
  });

  it('retries a non-idempotent call when the connection was never established', () => {
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']) {
      expect(shouldRetry(network(code), false), code).toBe(true);
    }
  });

  it('retries the in-flight idempotent create conflict, not other conflicts', () => {
    expect(shouldRetry(http(409, 'Idempotency-Key request in flight; retry shortly'), true)).toBe(true);
    expect(shouldRetry(http(409, 'The session already finished'), true)).toBe(false);
  });

  it('never retries 400, 401, 403, 404, 413 or 422', () => {
    for (const status of [400, 401, 403, 404, 413, 422]) expect(shouldRetry(http(status), true)).toBe(false);
  });
});

describe('sleep', () => {
  it('rejects with the abort reason as soon as the signal fires', async () => {
    const ctl = new AbortController();
    const started = Date.now();
    const slept = sleep(10_000, ctl.signal);
    ctl.abort(new Error('stop'));
    await expect(slept).rejects.toThrow('stop');
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
