// Typed client of the session routes of the Agents API (hai-api.md §2), with retries bounded by a deadline.
import type { Agent as Pool } from 'undici';
import type { z } from 'zod';
import pkg from '../../package.json' with { type: 'json' };
import { resolveHaiSettings, type HaiRegion } from './config';
import { errorFromResponse, HaiApiError, redact } from './errors';
import { isReset, retryDelayMs, serverDelayMs, shouldRetry, sleep, type ResponseHeaders } from './retry';
import {
  pageSchema,
  QuotaStatusSchema,
  SessionChangesSchema,
  SessionEventSchema,
  SessionRequestSchema,
  SessionSchema,
  SessionStatusSchema,
  SessionSummarySchema,
  ToolResultSchema,
  UserMessageSchema,
  type Page,
  type QuotaStatus,
  type Session,
  type SessionChanges,
  type SessionEvent,
  type SessionRequest,
  type SessionStatus,
  type SessionSummary,
  type ToolResult,
  type UserMessage,
} from './schemas';
import { MAX_REQUEST_BYTES, type SessionStatusName } from './status';
import { createPool, sendOnce, type Attempt, type RawResponse } from './transport';

export interface HaiClientOptions {
  apiKey?: string;
  baseUrl?: string;
  region?: HaiRegion;
  /** Per attempt, default 60 s. `getChanges` raises it to at least the long-poll window + 15 s. */
  timeoutMs?: number;
  /** Retries after the first attempt, default 4. */
  maxRetries?: number;
  /** No retry starts after this long from the first attempt, default 120 s (an attempt in flight keeps its timeout). */
  retryDeadlineMs?: number;
  /** Connection pool size, default 4096: each live long-poll holds a socket. */
  maxConnections?: number;
  userAgent?: string;
  env?: NodeJS.ProcessEnv;
  /**
   * `all` (default): the client retries as described in retry.ts. `resets`: only a reset connection on a GET is
   * repeated; everything else is thrown at once, for a caller that owns retries (Temporal, in activities).
   */
  retries?: 'all' | 'resets';
  /** Called once per HTTP attempt (metrics): its templated route, status code (none when no response came) and time. */
  onResponse?: (r: PlatformResponse) => void;
}

export interface PlatformResponse {
  route: string;
  status: number | undefined;
  durationMs: number;
}

export interface CallOptions {
  /** Aborting rejects the call with the signal's reason, also while waiting between retries. */
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface CreateSessionOptions extends CallOptions {
  /** Same key + same body replays the first session instead of creating another (24 h, per organisation). */
  idempotencyKey?: string;
}

export interface ListSessionsQuery {
  page?: number;
  /** Up to 100 on the newest API. */
  size?: number;
  /** `created_at` | `-created_at` (default). */
  sort?: string | string[];
  owner?: 'me' | 'me-in-organization' | 'organization' | 'me-or-organization' | (string & {});
  status?: SessionStatusName | SessionStatusName[];
  /** Catalog agent names; inline agents never match. */
  agent?: string | string[];
  groupId?: string;
  parentSessionId?: string;
  scheduleId?: string;
  /** Case-insensitive substring of the first message or the answer. */
  search?: string;
  createdBefore?: string | Date;
  createdAfter?: string | Date;
  finishedBefore?: string | Date;
  finishedAfter?: string | Date;
}

export interface ChangesQuery {
  /** Count of events already seen; the next cursor is `fromIndex + new_events.length`. */
  fromIndex: number;
  limit?: number;
  includeEvents?: boolean;
  /** Long-poll window, 0–25 s on the newest API (default 0: answer at once). */
  waitForSeconds?: number;
}

export interface EventsQuery {
  page?: number;
  /** 1–200, default 50. */
  size?: number;
  /** `timestamp` | `-timestamp`, repeatable. */
  sort?: string[];
  /** Exact event type, e.g. `AgentEvent`. */
  type?: string;
}

type Method = 'GET' | 'POST' | 'DELETE';
type Query = Record<string, string | number | boolean | Date | readonly (string | number)[] | undefined>;

/** What a 2xx body turned into: a value, or why it is unusable. */
type Read<T> = { value: T } | { problem: string };

interface Call<T> {
  method: Method;
  /** Templated, for errors: `GET /sessions/{id}`. */
  route: string;
  path: string;
  query?: Query;
  body?: unknown;
  idempotencyKey?: string;
  /** Floor for the attempt timeout (long-polls). */
  minTimeoutMs?: number;
  read: (res: RawResponse) => Read<T>;
}

const LONG_POLL_MARGIN_MS = 15_000;
/** In `resets` mode: a kept-alive socket the server closed is not the platform failing; try a fresh one at once. */
const RESET_RETRIES = 2;
const NO_KEY = 'no API key: set HAI_API_KEY (or H_API_KEY) or pass the apiKey option';

export class HaiClient {
  readonly baseUrl: string;
  // Private field, so neither util.inspect nor JSON.stringify of the client shows the key.
  readonly #apiKey: string | undefined;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;
  readonly #retryDeadlineMs: number;
  readonly #userAgent: string;
  readonly #pool: Pool;
  readonly #options: HaiClientOptions;
  readonly #onResponse: ((r: PlatformResponse) => void) | undefined;

  constructor(opts: HaiClientOptions = {}, pool?: Pool) {
    this.#options = opts;
    const settings = resolveHaiSettings(opts, opts.env);
    this.baseUrl = settings.baseUrl;
    this.#apiKey = settings.apiKey;
    this.#timeoutMs = opts.timeoutMs ?? 60_000;
    this.#maxRetries = opts.maxRetries ?? 4;
    this.#retryDeadlineMs = opts.retryDeadlineMs ?? 120_000;
    this.#userAgent = opts.userAgent ?? `hai-temporal/${pkg.version}`;
    this.#pool = pool ?? createPool({ maxConnections: opts.maxConnections ?? 4096 });
    this.#onResponse = opts.onResponse;
  }

  /** The same client (key, origin, connection pool, observer) with another retry authority: see `retries`. */
  withRetries(retries: 'all' | 'resets'): HaiClient {
    return new HaiClient({ ...this.#options, retries }, this.#pool);
  }

  async createSession(body: SessionRequest, opts: CreateSessionOptions = {}): Promise<Session> {
    const route = 'POST /sessions';
    const key = opts.idempotencyKey;
    return this.#call(
      {
        method: 'POST',
        route,
        path: '/sessions',
        body: checked(route, SessionRequestSchema, body),
        idempotencyKey: key === undefined ? undefined : idempotencyKey(route, key),
        read: json(SessionSchema),
      },
      opts,
    );
  }

  async getSession(id: string, opts?: CallOptions): Promise<Session> {
    return this.#call({ ...session('GET', id, ''), read: json(SessionSchema) }, opts);
  }

  /** The authoritative lifecycle state and failure fields; never carries the answer. */
  async getStatus(id: string, opts?: CallOptions): Promise<SessionStatus> {
    return this.#call({ ...session('GET', id, '/status'), read: json(SessionStatusSchema) }, opts);
  }

  async listSessions(q: ListSessionsQuery = {}, opts?: CallOptions): Promise<Page<SessionSummary>> {
    const query: Query = {
      page: q.page,
      size: q.size,
      sort: list(q.sort),
      owner: q.owner,
      status: list(q.status),
      agent: list(q.agent),
      group_id: q.groupId,
      parent_session_id: q.parentSessionId,
      schedule_id: q.scheduleId,
      search: q.search,
      created_before: q.createdBefore,
      created_after: q.createdAfter,
      finished_before: q.finishedBefore,
      finished_after: q.finishedAfter,
    };
    const read = json(pageSchema(SessionSummarySchema));
    return this.#call({ method: 'GET', route: 'GET /sessions', path: '/sessions', query, read }, opts);
  }

  async getQuota(opts?: CallOptions): Promise<QuotaStatus> {
    const read = json(QuotaStatusSchema);
    return this.#call({ method: 'GET', route: 'GET /sessions/quota', path: '/sessions/quota', read }, opts);
  }

  /**
   * Long-polls for events after `fromIndex`. Undefined on 204 ("nothing new yet", also for a finished session with
   * nothing past the cursor): use `getStatus` to learn whether the session ended.
   */
  async getChanges(id: string, q: ChangesQuery, opts?: CallOptions): Promise<SessionChanges | undefined> {
    const wait = q.waitForSeconds ?? 0;
    const changes = json(SessionChangesSchema);
    return this.#call(
      {
        ...session('GET', id, '/changes'),
        query: { from_index: q.fromIndex, limit: q.limit, include_events: q.includeEvents, wait_for_seconds: wait },
        minTimeoutMs: wait * 1000 + LONG_POLL_MARGIN_MS,
        read: (res): Read<SessionChanges | undefined> => (res.status === 204 ? { value: undefined } : changes(res)),
      },
      opts,
    );
  }

  async listEvents(id: string, q: EventsQuery = {}, opts?: CallOptions): Promise<Page<SessionEvent>> {
    const query: Query = { page: q.page, size: q.size, sort: q.sort, type: q.type };
    return this.#call({ ...session('GET', id, '/events'), query, read: json(pageSchema(SessionEventSchema)) }, opts);
  }

  /** One message is sent as itself, several as one `batch`. Delivery is asynchronous (the agent's next step). */
  async sendMessages(id: string, messages: string | UserMessage | UserMessage[], opts?: CallOptions): Promise<void> {
    const call = session('POST', id, '/messages');
    const all = (Array.isArray(messages) ? messages : [messages]).map((m) =>
      checked(call.route, UserMessageSchema, typeof m === 'string' ? { message: m } : m),
    );
    if (all.length === 0) throw invalid(call.route, 'at least one message is required');
    const body = all.length === 1 ? all[0] : { type: 'batch', messages: all };
    return this.#call({ ...call, body, read: empty }, opts);
  }

  async pause(id: string, opts?: CallOptions): Promise<void> {
    return this.#call({ ...session('POST', id, '/pause'), read: empty }, opts);
  }

  /** A no-op on a running session. */
  async resume(id: string, opts?: CallOptions): Promise<void> {
    return this.#call({ ...session('POST', id, '/resume'), read: empty }, opts);
  }

  async forceAnswer(id: string, opts?: CallOptions): Promise<void> {
    return this.#call({ ...session('POST', id, '/force_answer'), read: empty }, opts);
  }

  /** DELETE: the session goes to `interrupted` asynchronously; the record stays readable. */
  async cancel(id: string, opts?: CallOptions): Promise<void> {
    return this.#call({ ...session('DELETE', id, ''), read: empty }, opts);
  }

  /** A 409 means the session already finished: benign, as in the SDKs. */
  async submitToolResults(
    id: string,
    results: ToolResult | ToolResult[],
    opts?: CallOptions,
  ): Promise<{ alreadyFinished: boolean }> {
    const call = session('POST', id, '/tool_results');
    const all = (Array.isArray(results) ? results : [results]).map((r) => checked(call.route, ToolResultSchema, r));
    if (all.length === 0) throw invalid(call.route, 'at least one tool result is required');
    const body = all.length === 1 ? all[0] : { type: 'batch', results: all };
    try {
      await this.#call({ ...call, body, read: empty }, opts);
      return { alreadyFinished: false };
    } catch (err) {
      if (err instanceof HaiApiError && err.status === 409) return { alreadyFinished: true };
      throw err;
    }
  }

  /** Closes the pool; waits for requests in flight (abort long-polls through their signals first). */
  async close(): Promise<void> {
    if (!this.#pool.closed) await this.#pool.close();
  }

  async #call<T>(call: Call<T>, opts: CallOptions = {}): Promise<T> {
    const attempt = this.#prepare(call, opts);
    // A keyed create is replayed by the server, so repeating it is as safe as repeating a GET.
    const safeToRepeat = call.method !== 'POST' || call.idempotencyKey !== undefined;
    const deadline = Date.now() + this.#retryDeadlineMs;
    const resetsOnly = this.#options.retries === 'resets';
    for (let retry = 0; ; retry++) {
      let headers: ResponseHeaders | undefined;
      try {
        const res = await this.#send(call.route, attempt);
        headers = res.headers;
        return this.#read(call, res);
      } catch (err) {
        if (!(err instanceof HaiApiError)) throw err;
        if (resetsOnly) {
          if (call.method === 'GET' && retry < RESET_RETRIES && isReset(err)) continue;
          throw err;
        }
        if (retry >= this.#maxRetries || !shouldRetry(err, safeToRepeat)) throw err;
        const delay = retryDelayMs(headers, retry);
        if (Date.now() + delay >= deadline) throw err;
        await sleep(delay, opts.signal);
      }
    }
  }

  /** One attempt, reported to the `onResponse` observer (whose own failures never fail the call). */
  async #send(route: string, attempt: Attempt): Promise<RawResponse> {
    if (!this.#onResponse) return sendOnce(this.#pool, route, attempt);
    const started = performance.now();
    let status: number | undefined;
    try {
      const res = await sendOnce(this.#pool, route, attempt);
      status = res.status;
      return res;
    } finally {
      try {
        this.#onResponse({ route, status, durationMs: performance.now() - started });
      } catch {
        // An observer is for metrics only.
      }
    }
  }

  /** Everything that can be checked before sending: the key, the body size, then the request itself. */
  #prepare(call: Call<unknown>, opts: CallOptions): Attempt {
    const key = this.#apiKey;
    if (!key) throw new HaiApiError({ route: call.route, code: 'unauthorized', detail: NO_KEY, retryable: false });
    const body = call.body === undefined ? undefined : JSON.stringify(call.body);
    const size = body === undefined ? 0 : Buffer.byteLength(body);
    if (size > MAX_REQUEST_BYTES) {
      const detail = `request body is ${size} bytes, over the ${MAX_REQUEST_BYTES}-byte limit`;
      throw new HaiApiError({ route: call.route, code: 'too_large', detail, retryable: false });
    }
    const headers: Record<string, string> = {
      authorization: `Bearer ${key}`,
      accept: 'application/json',
      'user-agent': this.#userAgent,
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (call.idempotencyKey !== undefined) headers['idempotency-key'] = call.idempotencyKey;
    return {
      url: this.baseUrl + call.path + queryString(call.query),
      method: call.method,
      headers,
      body,
      timeoutMs: Math.max(opts.timeoutMs ?? this.#timeoutMs, call.minTimeoutMs ?? 0),
      signal: opts.signal,
    };
  }

  /** The value of a 2xx response; otherwise throws, with anything the server echoed of the key removed. */
  #read<T>(call: Call<T>, res: RawResponse): T {
    const key = this.#apiKey;
    if (res.status < 200 || res.status >= 300)
      throw errorFromResponse(call.route, res.status, redact(res.text, key), serverDelayMs(res.headers));
    const read = call.read(res);
    if ('value' in read) return read.value;
    throw new HaiApiError({
      status: res.status,
      route: call.route,
      code: 'bad_response',
      detail: redact(read.problem, key),
      body: redact(res.text.slice(0, 2_000), key),
      retryable: true,
    });
  }
}

function json<S extends z.ZodType>(schema: S): (res: RawResponse) => Read<z.output<S>> {
  return (res) => {
    let body: unknown;
    try {
      body = JSON.parse(res.text);
    } catch (err) {
      return { problem: `malformed JSON body: ${(err as Error).message}` };
    }
    const parsed = schema.safeParse(body);
    return parsed.success ? { value: parsed.data } : { problem: `unexpected body: ${issues(parsed.error)}` };
  };
}

/** 202/204 routes: whatever the body holds is ignored. */
function empty(): Read<void> {
  return { value: undefined };
}

/** Validates an outgoing body, so mistakes fail before anything is sent. */
function checked<S extends z.ZodType>(route: string, schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalid(route, issues(parsed.error));
  return parsed.data;
}

function invalid(route: string, detail: string): HaiApiError {
  return new HaiApiError({ route, code: 'validation', detail: `invalid request: ${detail}`, retryable: false });
}

function issues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}

function idempotencyKey(route: string, key: string): string {
  const k = key.trim();
  if (k.length < 1 || k.length > 255) throw invalid(route, 'Idempotency-Key must be 1-255 characters');
  return k;
}

/** Method, templated route and concrete path of a `/sessions/{id}...` route. */
function session(method: Method, id: string, suffix: string): { method: Method; route: string; path: string } {
  const route = `${method} /sessions/{id}${suffix}`;
  if (typeof id !== 'string' || !id) throw invalid(route, 'a session id is required');
  return { method, route, path: `/sessions/${encodeURIComponent(id)}${suffix}` };
}

function list<T extends string>(v: T | T[] | undefined): T[] | undefined {
  return v === undefined ? undefined : Array.isArray(v) ? v : [v];
}

function queryString(query: Query | undefined): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) {
      params.append(name, v instanceof Date ? v.toISOString() : String(v));
    }
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}
