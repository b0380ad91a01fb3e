// One error type for every failed call, so callers (activities, CLI) classify failures without knowing HTTP.
import { STATUS_CODES } from 'node:http';

export type HaiErrorCode =
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'validation'
  | 'too_large'
  | 'rate_limited'
  | 'server'
  | 'network'
  | 'timeout'
  | 'bad_response'
  | 'other';

export interface HaiApiErrorInit {
  status?: number;
  route: string;
  detail: string;
  body?: unknown;
  code: HaiErrorCode;
  retryable: boolean;
  cause?: unknown;
  /** The delay the server asked for (`Retry-After`, `X-RateLimit-Reset`), capped. */
  retryAfterMs?: number;
}

/**
 * A failed Agents API call. `retryable` says the failure is transient (408, in-flight 409, 429, 5xx, network,
 * timeout, malformed 2xx body); whether repeating a non-idempotent call is safe is a separate question, which the
 * client's own retries answer per route (see retry.ts).
 */
export class HaiApiError extends Error {
  /** HTTP status; undefined when no response came back (network error, timeout, or a check before sending). */
  readonly status: number | undefined;
  /** Templated route, e.g. `GET /sessions/{id}/changes`: never ids or keys. */
  readonly route: string;
  readonly detail: string;
  readonly body: unknown;
  readonly retryable: boolean;
  readonly code: HaiErrorCode;
  readonly retryAfterMs: number | undefined;

  constructor(init: HaiApiErrorInit) {
    const what = init.status === undefined ? init.detail : `${statusLine(init.status)}: ${init.detail}`;
    super(`${init.route} failed: ${what}`, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'HaiApiError';
    this.status = init.status;
    this.route = init.route;
    this.detail = init.detail;
    this.body = init.body;
    this.retryable = init.retryable;
    this.code = init.code;
    this.retryAfterMs = init.retryAfterMs;
  }
}

function statusLine(status: number): string {
  const text = STATUS_CODES[status];
  return text ? `${status} ${text}` : String(status);
}

const IN_FLIGHT = /in[ -]?flight/i;

/** Builds the error for a non-2xx response. `bodyText` is the raw body; JSON bodies are parsed when possible. */
export function errorFromResponse(route: string, status: number, bodyText: string, retryAfterMs?: number): HaiApiError {
  const body = parseJsonOrText(bodyText);
  const detail = renderDetail(body) ?? STATUS_CODES[status] ?? 'no detail';
  const inFlight = status === 409 && IN_FLIGHT.test(detail);
  return new HaiApiError({
    status,
    route,
    detail,
    body,
    code: codeForStatus(status),
    retryable: status === 408 || status === 429 || status >= 500 || inFlight,
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  });
}

export function codeForStatus(status: number): HaiErrorCode {
  switch (status) {
    case 400: // malformed request or an event the session can't accept: the request itself is wrong
    case 422:
      return 'validation';
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 408:
      return 'timeout';
    case 409:
      return 'conflict';
    case 413:
      return 'too_large';
    case 429:
      return 'rate_limited';
    default:
      return status >= 500 ? 'server' : 'other';
  }
}

/**
 * Human-readable detail: FastAPI `detail` (a string, or the 422 list rendered as `body.agent: Field required`),
 * else the gateway's `message`, else a short plain-text body. Undefined when the body says nothing useful.
 */
export function renderDetail(body: unknown): string | undefined {
  if (typeof body === 'string') return body.trim() ? truncate(body.trim()) : undefined;
  if (!isRecord(body)) return undefined;
  const { detail, message } = body;
  if (typeof detail === 'string' && detail) return detail;
  if (Array.isArray(detail) && detail.length > 0) return detail.map(renderValidationItem).join('; ');
  if (isRecord(detail)) return truncate(JSON.stringify(detail));
  if (typeof message === 'string' && message) return message;
  return undefined;
}

function renderValidationItem(item: unknown): string {
  if (!isRecord(item)) return String(item);
  const loc = Array.isArray(item.loc) ? item.loc.join('.') : '';
  const msg = typeof item.msg === 'string' ? item.msg : JSON.stringify(item);
  return loc ? `${loc}: ${msg}` : msg;
}

function parseJsonOrText(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function truncate(s: string, max = 500): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Removes `secret` from text a server sent back (a proxy or a validation error might echo a header). */
export function redact(text: string, secret: string | undefined): string {
  return secret ? text.split(secret).join('[redacted]') : text;
}
