// One HTTP attempt over a dedicated undici pool: no retries here, only timeouts and failure classification.
import { Agent, request } from 'undici';
import { HaiApiError } from './errors';
import type { ResponseHeaders } from './retry';

export interface PoolOptions {
  /** Sockets per origin: every live session holds one during its long-poll. */
  maxConnections: number;
}

export function createPool({ maxConnections }: PoolOptions): Agent {
  return new Agent({
    connections: maxConnections,
    // Idle sockets wait for the next poll; undici shortens this to the server's Keep-Alive hint minus a margin,
    // so a reused socket is rarely one the server is already closing.
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 60_000,
    connect: { timeout: 10_000 },
  });
}

export interface Attempt {
  url: string;
  method: 'GET' | 'POST' | 'DELETE';
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface RawResponse {
  status: number;
  headers: ResponseHeaders;
  text: string;
}

/**
 * Sends one request and reads the whole body. Rejects with a `HaiApiError` (network / timeout) when no response
 * came back, or with the caller's abort reason when the caller's signal fired.
 */
export async function sendOnce(pool: Agent, route: string, a: Attempt): Promise<RawResponse> {
  a.signal?.throwIfAborted();
  const ctl = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    ctl.abort();
  }, a.timeoutMs);
  const onAbort = () => ctl.abort(a.signal?.reason);
  a.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const res = await request(a.url, {
      dispatcher: pool,
      method: a.method,
      headers: a.headers,
      body: a.body,
      signal: ctl.signal,
      // Our own timer is the timeout; undici's are backstops that must never fire first (long-polls sit silent).
      headersTimeout: a.timeoutMs + 5_000,
      bodyTimeout: a.timeoutMs + 5_000,
    });
    const text = await res.body.text();
    return { status: res.statusCode, headers: res.headers, text };
  } catch (err) {
    if (a.signal?.aborted) throw a.signal.reason;
    if (timedOut) {
      throw new HaiApiError({ route, code: 'timeout', detail: `timed out after ${a.timeoutMs} ms`, retryable: true });
    }
    throw networkError(route, err);
  } finally {
    clearTimeout(timer);
    a.signal?.removeEventListener('abort', onAbort);
  }
}

const UNDICI_TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/** The pool itself was closed (shutdown): repeating cannot help. */
const POOL_CLOSED = new Set(['UND_ERR_CLOSED', 'UND_ERR_DESTROYED']);

function networkError(route: string, err: unknown): HaiApiError {
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e?.code === 'string' ? e.code : undefined;
  if (code !== undefined && POOL_CLOSED.has(code)) {
    return new HaiApiError({ route, code: 'other', detail: 'the client was closed', retryable: false, cause: err });
  }
  const message = typeof e?.message === 'string' ? e.message : String(err);
  const detail = code && !message.includes(code) ? `${code}: ${message}` : message;
  const timeout = code !== undefined && UNDICI_TIMEOUTS.has(code);
  return new HaiApiError({
    route,
    code: timeout ? 'timeout' : 'network',
    detail: `${timeout ? 'timed out' : 'network error'}: ${detail}`,
    retryable: true,
    cause: err,
  });
}
