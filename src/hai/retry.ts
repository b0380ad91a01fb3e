// When to repeat a failed call, and how long to wait first. Pure functions; the loop lives in client.ts.
//
// Policy (after the official SDKs, plus a deadline):
// - 408 and 429 mean the server did not act on the request: retried for every method.
// - 409 "Idempotency-Key request in flight" on create: retried after Retry-After (the first request is still running).
// - 5xx, network errors, timeouts and malformed 2xx bodies: the server may have acted, so they are retried only when
//   repeating is harmless: GET/HEAD/PUT/DELETE, and POST /sessions carrying an Idempotency-Key (the server replays
//   the first result). POST /messages, /pause, /resume, /force_answer and /tool_results have no idempotency key: a
//   retried /messages after a reset would deliver the message twice, so they are retried on a network error only when
//   the connection was never established (ECONNREFUSED, DNS, connect timeout): then nothing was sent.
// - 400, 401, 403, 404, 413, 422 and other 4xx are final.
import type { HaiApiError } from './errors';

/** Server-requested delays (Retry-After, X-RateLimit-Reset) are capped at this, as in the SDKs. */
export const MAX_SERVER_DELAY_MS = 60_000;
/** Exponential backoff starts here. The SDKs start at 1 s; 250 ms suits many sessions sharing one worker. */
export const BASE_DELAY_MS = 250;
export const MAX_BACKOFF_MS = 30_000;

/** Errors raised before a connection existed: the request provably never reached the server. */
const CONNECT_FAILURES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

export type ResponseHeaders = Record<string, string | string[] | undefined>;

/**
 * Should a failed attempt be repeated? `safeToRepeat` is true for idempotent methods and for a create that carries an
 * Idempotency-Key.
 */
export function shouldRetry(err: HaiApiError, safeToRepeat: boolean): boolean {
  if (err.status === 408 || err.status === 429) return true;
  if (err.status === 409) return err.retryable; // only the in-flight idempotent create
  if (!err.retryable) return false;
  return safeToRepeat || neverSent(err);
}

const RESETS = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

/** A connection reset or closed under the request (often a reused keep-alive socket). */
export function isReset(err: HaiApiError): boolean {
  const cause = err.cause as { code?: unknown } | undefined;
  return err.code === 'network' && typeof cause?.code === 'string' && RESETS.has(cause.code);
}

function neverSent(err: HaiApiError): boolean {
  const cause = err.cause as { code?: unknown } | undefined;
  return typeof cause?.code === 'string' && CONNECT_FAILURES.has(cause.code);
}

/**
 * Delay before retry number `attempt` (0 for the first retry): the server's Retry-After (seconds or HTTP date), else
 * X-RateLimit-Reset (epoch seconds), else 250 ms × 2^attempt with ±10 % jitter, capped.
 */
export function retryDelayMs(
  headers: ResponseHeaders | undefined,
  attempt: number,
  now = Date.now(),
  random = Math.random,
): number {
  const server = serverDelayMs(headers, now);
  if (server !== undefined) return server;
  const exp = Math.min(BASE_DELAY_MS * 2 ** attempt, MAX_BACKOFF_MS);
  return Math.round(exp * (0.9 + 0.2 * random()));
}

/** The delay the server asked for, capped at 60 s; undefined if it asked for none (or for a time in the past). */
export function serverDelayMs(headers: ResponseHeaders | undefined, now = Date.now()): number | undefined {
  const retryAfter = parseRetryAfter(header(headers, 'retry-after'), now);
  if (retryAfter !== undefined) return Math.min(retryAfter, MAX_SERVER_DELAY_MS);
  const reset = Number(header(headers, 'x-ratelimit-reset'));
  if (Number.isFinite(reset) && reset > 0) {
    const ms = reset * 1000 - now;
    if (ms > 0) return Math.min(ms, MAX_SERVER_DELAY_MS);
  }
  return undefined;
}

/** `Retry-After: <seconds>` or `Retry-After: <HTTP-date>` in milliseconds (never negative); undefined if unparseable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const date = Date.parse(v);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function header(headers: ResponseHeaders | undefined, name: string): string | undefined {
  const v = headers?.[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
