// Exact wire situations against a scripted node:http server: headers, query strings, resets, malformed bodies,
// Retry-After forms, timeouts. The simulator conformance suite covers the API behaviour itself.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { HaiClient, type HaiClientOptions } from '../../src/hai';
import {
  resetConnection,
  sendJson,
  SESSION,
  startWireServer,
  type Handler,
  type WireServer,
} from './support/wire-server';
import { failure } from './support/failure';

const KEY = 'hk-wire-secret-7f3a';
const ID = SESSION.id;

let server: WireServer | undefined;
let client: HaiClient | undefined;

afterEach(async () => {
  await client?.close();
  await server?.close();
  client = undefined;
  server = undefined;
});

async function setup(
  handler: Handler,
  opts: HaiClientOptions = {},
): Promise<{ server: WireServer; client: HaiClient }> {
  server = await startWireServer(handler);
  client = new HaiClient({ apiKey: KEY, baseUrl: server.url, env: {}, ...opts });
  return { server, client };
}

const accepted: Handler = (_req, res) => {
  res.writeHead(202);
  res.end();
};

describe('request shape', () => {
  it('sends bearer auth, JSON headers, a user agent and the idempotency key on create', async () => {
    const { server, client } = await setup((_req, res) => sendJson(res, 201, SESSION));
    const session = await client.createSession(
      { agent: 'h/web-surfer-flash', messages: 'hi', max_steps: 3 },
      { idempotencyKey: '  wf-1/turn-0 ' },
    );
    expect(session.id).toBe(ID);
    const [req] = server.requests;
    expect(req).toMatchObject({ method: 'POST', url: '/api/v2/sessions' });
    expect(req?.headers).toMatchObject({
      authorization: `Bearer ${KEY}`,
      accept: 'application/json',
      'content-type': 'application/json',
      'idempotency-key': 'wf-1/turn-0',
    });
    expect(req?.headers['user-agent']).toMatch(/^hai-temporal\/\d+\.\d+\.\d+/);
    expect(JSON.parse(req?.body ?? '')).toEqual({ agent: 'h/web-surfer-flash', messages: 'hi', max_steps: 3 });
  });

  it('sends no body and no content type on control calls, and DELETE for cancel', async () => {
    const { server, client } = await setup((req, res) => {
      res.writeHead(req.method === 'DELETE' ? 204 : 202);
      res.end();
    });
    await client.pause(ID);
    await client.resume(ID);
    await client.forceAnswer(ID);
    await client.cancel(ID);
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      `POST /api/v2/sessions/${ID}/pause`,
      `POST /api/v2/sessions/${ID}/resume`,
      `POST /api/v2/sessions/${ID}/force_answer`,
      `DELETE /api/v2/sessions/${ID}`,
    ]);
    for (const r of server.requests) {
      expect(r.body).toBe('');
      expect(r.headers['content-type']).toBeUndefined();
    }
  });

  it('repeats list filters as separate query parameters', async () => {
    const { server, client } = await setup((_req, res) => sendJson(res, 200, { items: [], page: 1, total: 0 }));
    await client.listSessions({
      status: ['running', 'idle'],
      agent: 'h/web-surfer-flash',
      sort: ['-created_at'],
      groupId: 'batch-7',
      parentSessionId: ID,
      createdAfter: new Date(Date.UTC(2026, 0, 1)),
      page: 2,
      size: 100,
    });
    await client.listEvents(ID, { sort: ['-timestamp', 'timestamp'], type: 'AgentEvent', page: 3, size: 200 });
    const [list, events] = server.requests.map((r) => new URL(r.url, server.url));
    expect(list?.searchParams.getAll('status')).toEqual(['running', 'idle']);
    expect(list?.searchParams.getAll('agent')).toEqual(['h/web-surfer-flash']);
    expect(Object.fromEntries(list?.searchParams ?? [])).toMatchObject({
      group_id: 'batch-7',
      parent_session_id: ID,
      created_after: '2026-01-01T00:00:00.000Z',
      page: '2',
      size: '100',
    });
    expect(events?.pathname).toBe(`/api/v2/sessions/${ID}/events`);
    expect(events?.searchParams.getAll('sort')).toEqual(['-timestamp', 'timestamp']);
    expect(events?.searchParams.get('type')).toBe('AgentEvent');
  });

  it('sends one message as itself and several as a batch', async () => {
    const { server, client } = await setup(accepted);
    await client.sendMessages(ID, 'hello');
    await client.sendMessages(ID, [{ message: 'a' }, { message: 'b', caller_id: 'user' }]);
    expect(JSON.parse(server.requests[0]?.body ?? '')).toEqual({ type: 'user_message', message: 'hello' });
    expect(JSON.parse(server.requests[1]?.body ?? '')).toEqual({
      type: 'batch',
      messages: [
        { type: 'user_message', message: 'a' },
        { type: 'user_message', message: 'b', caller_id: 'user' },
      ],
    });
  });

  it('rejects invalid input before sending anything', async () => {
    const { server, client } = await setup(accepted);
    const bad = await failure(client.createSession({ agent: 'h/x', max_steps: 0 }));
    expect(bad).toMatchObject({ code: 'validation', status: undefined, retryable: false });
    expect(bad.message).toMatch(/^POST \/sessions failed: invalid request: max_steps: /);
    expect((await failure(client.sendMessages(ID, []))).code).toBe('validation');
    expect((await failure(client.getStatus(''))).code).toBe('validation');
    expect((await failure(client.createSession({ agent: 'h/x' }, { idempotencyKey: ' ' }))).code).toBe('validation');
    expect(server.requests).toHaveLength(0);
  });

  it('refuses a body over MAX_REQUEST_BYTES without sending it', async () => {
    const { server, client } = await setup(accepted);
    const err = await failure(client.sendMessages(ID, 'x'.repeat(10_000_001)));
    expect(err).toMatchObject({ code: 'too_large', retryable: false, status: undefined });
    expect(server.requests).toHaveLength(0);
  });

  it('fails at once, without retrying, once the client is closed', async () => {
    const { server, client } = await setup(accepted);
    await client.close();
    const err = await failure(client.getQuota());
    expect(err).toMatchObject({ code: 'other', retryable: false, detail: 'the client was closed' });
    expect(server.requests).toHaveLength(0);
  });

  it('constructs without a key and fails at call time with a clear error', async () => {
    server = await startWireServer(accepted);
    client = new HaiClient({ baseUrl: server.url, env: {} });
    const err = await failure(client.pause(ID));
    expect(err).toMatchObject({ code: 'unauthorized', retryable: false });
    expect(err.message).toMatch(/no API key: set HAI_API_KEY/);
    expect(server.requests).toHaveLength(0);
  });
});

describe('changes long-poll', () => {
  it('maps a 204 with an ETag to undefined and passes the cursor parameters', async () => {
    const { server, client } = await setup((_req, res) => {
      res.writeHead(204, { etag: '5' });
      res.end();
    });
    const changes = await client.getChanges(ID, { fromIndex: 5, limit: 10, includeEvents: false, waitForSeconds: 0 });
    expect(changes).toBeUndefined();
    const url = new URL(server.requests[0]?.url ?? '', server.url);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      from_index: '5',
      limit: '10',
      include_events: 'false',
      wait_for_seconds: '0',
    });
  });

  it('keeps the attempt open longer than the long-poll window even with a short timeout', async () => {
    const { client } = await setup(
      (_req, res) =>
        void setTimeout(() => {
          res.writeHead(204);
          res.end();
        }, 400),
      { timeoutMs: 100 },
    );
    await expect(client.getChanges(ID, { fromIndex: 0, waitForSeconds: 1 })).resolves.toBeUndefined();
  });

  it('parses a 200 with events and a JSON-string answer left raw', async () => {
    const { client } = await setup((_req, res) =>
      sendJson(res, 200, {
        status: 'completed',
        new_events: [{ type: 'AgentEvent', data: { kind: 'answer_event' }, timestamp: 't' }],
        answer: '{"n":1}',
      }),
    );
    const changes = await client.getChanges(ID, { fromIndex: 0 });
    expect(changes).toMatchObject({ status: 'completed', answer: '{"n":1}', error: null });
    expect(changes?.new_events).toHaveLength(1);
  });
});

describe('retries', () => {
  it('retries a GET after a connection reset', async () => {
    const { server, client } = await setup((_req, res, i) =>
      i === 0 ? resetConnection(res) : sendJson(res, 200, SESSION.status),
    );
    await expect(client.getStatus(ID)).resolves.toMatchObject({ status: 'pending' });
    expect(server.requests).toHaveLength(2);
  });

  it('does not repeat a message after a connection reset (it may have been delivered)', async () => {
    const { server, client } = await setup((_req, res) => resetConnection(res));
    const err = await failure(client.sendMessages(ID, 'once'));
    expect(err).toMatchObject({ code: 'network', retryable: true, status: undefined });
    expect(err.message).toMatch(/^POST \/sessions\/\{id\}\/messages failed: network error: /);
    expect(server.requests).toHaveLength(1);
  });

  it('repeats a message whose connection was refused (nothing was sent)', async () => {
    const probe = await startWireServer(accepted);
    const port = probe.port;
    await probe.close();
    client = new HaiClient({ apiKey: KEY, baseUrl: `http://127.0.0.1:${port}`, env: {} });
    // Bring the server up as soon as the first attempt has been refused.
    let refusals = 0;
    let up: Promise<WireServer> | undefined;
    const onConnectError = () => {
      refusals++;
      up ??= startWireServer(accepted, port);
    };
    subscribe('undici:client:connectError', onConnectError);
    try {
      await client.sendMessages(ID, 'after refusal');
    } finally {
      unsubscribe('undici:client:connectError', onConnectError);
    }
    server = await up;
    expect(refusals).toBeGreaterThanOrEqual(1);
    expect(server?.requests.map((r) => JSON.parse(r.body).message)).toEqual(['after refusal']);
  });

  it('retries 429 on a non-idempotent POST after Retry-After', async () => {
    const { server, client } = await setup((_req, res, i) => {
      if (i === 0) return sendJson(res, 429, { detail: 'slow down' }, { 'retry-after': '0' });
      accepted(_req, res, i);
    });
    await client.pause(ID);
    expect(server.requests).toHaveLength(2);
  });

  it('waits until a Retry-After HTTP date before retrying', async () => {
    let retryAt = 0;
    const { server, client } = await setup((_req, res, i) => {
      if (i > 0) return sendJson(res, 200, SESSION);
      const date = new Date(Date.now() + 1500).toUTCString();
      retryAt = Date.parse(date);
      sendJson(res, 503, { detail: 'maintenance' }, { 'retry-after': date });
    });
    await client.getSession(ID);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]?.at).toBeGreaterThanOrEqual(retryAt - 20);
  });

  it('retries a 5xx create only when it carries an Idempotency-Key', async () => {
    const { server, client } = await setup((_req, res, i) =>
      i < 2 ? sendJson(res, 502, { detail: 'bad gateway' }) : sendJson(res, 201, SESSION),
    );
    const unkeyed = await failure(client.createSession({ agent: 'h/x' }));
    expect(unkeyed).toMatchObject({ status: 502, code: 'server', retryable: true });
    expect(server.requests).toHaveLength(1);
    await expect(client.createSession({ agent: 'h/x' }, { idempotencyKey: 'k1' })).resolves.toMatchObject({ id: ID });
    expect(server.requests).toHaveLength(3);
  });

  it('retries a create whose key is still in flight (409) after Retry-After', async () => {
    const { server, client } = await setup((_req, res, i) =>
      i === 0
        ? sendJson(res, 409, { detail: 'Idempotency-Key request in flight; retry shortly' }, { 'retry-after': '0' })
        : sendJson(res, 201, SESSION),
    );
    await expect(client.createSession({ agent: 'h/x' }, { idempotencyKey: 'k2' })).resolves.toMatchObject({ id: ID });
    expect(server.requests).toHaveLength(2);
  });

  it('treats a malformed 2xx body as bad_response: retried on GET, final on an unkeyed create', async () => {
    const { server, client } = await setup((req, res, i) => {
      if (req.method === 'POST') return void res.writeHead(201, { 'content-type': 'application/json' }).end('{"id":');
      if (i === 0) return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":');
      sendJson(res, 200, SESSION.status);
    });
    await expect(client.getStatus(ID)).resolves.toMatchObject({ status: 'pending' });
    expect(server.requests).toHaveLength(2);
    const err = await failure(client.createSession({ agent: 'h/x' }));
    expect(err).toMatchObject({ code: 'bad_response', status: 201, retryable: true });
    expect(err.message).toMatch(/^POST \/sessions failed: 201 Created: malformed JSON body/);
    expect(server.requests).toHaveLength(3);
  });

  it('treats a 2xx body of the wrong shape as bad_response', async () => {
    const { client } = await setup((_req, res) => sendJson(res, 200, { items: 'nope' }), { maxRetries: 0 });
    const err = await failure(client.listSessions());
    expect(err).toMatchObject({ code: 'bad_response', status: 200 });
    expect(err.detail).toMatch(/^unexpected body: items: /);
  });

  it('gives up after maxRetries', async () => {
    const { server, client } = await setup(
      (_req, res) => sendJson(res, 500, { detail: 'boom' }, { 'retry-after': '0' }),
      {
        maxRetries: 2,
      },
    );
    const err = await failure(client.getQuota());
    expect(err).toMatchObject({ status: 500, code: 'server', detail: 'boom' });
    expect(server.requests).toHaveLength(3);
  });

  it('gives up at once when the server asks to wait past the retry deadline', async () => {
    const { server, client } = await setup(
      (_req, res) => sendJson(res, 503, { detail: 'later' }, { 'retry-after': '30' }),
      {
        retryDeadlineMs: 1000,
      },
    );
    const started = Date.now();
    const err = await failure(client.getQuota());
    expect(err.status).toBe(503);
    expect(server.requests).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('times out an attempt that gets no answer, retrying GETs but not control POSTs', async () => {
    const { server, client } = await setup(() => undefined, { timeoutMs: 150, maxRetries: 1 });
    const get = await failure(client.getStatus(ID));
    expect(get).toMatchObject({ code: 'timeout', retryable: true, status: undefined });
    expect(get.message).toBe('GET /sessions/{id}/status failed: timed out after 150 ms');
    expect(server.requests).toHaveLength(2);
    expect((await failure(client.forceAnswer(ID))).code).toBe('timeout');
    expect(server.requests).toHaveLength(3);
  });

  it('stops at once when the caller aborts, with the caller’s reason', async () => {
    const { client } = await setup(() => undefined);
    const ctl = new AbortController();
    const call = client.getChanges(ID, { fromIndex: 0, waitForSeconds: 20 }, { signal: ctl.signal });
    ctl.abort(new Error('activity cancelled'));
    await expect(call).rejects.toThrow('activity cancelled');
  });

  it('never retries 401, and reads the gateway message', async () => {
    const { server, client } = await setup((_req, res) => sendJson(res, 401, { message: 'Invalid API key' }));
    const err = await failure(client.getSession(ID));
    expect(err).toMatchObject({ status: 401, code: 'unauthorized', retryable: false, detail: 'Invalid API key' });
    expect(err.message).toBe('GET /sessions/{id} failed: 401 Unauthorized: Invalid API key');
    expect(server.requests).toHaveLength(1);
  });
});

describe('tool results', () => {
  const tool_req = { tool_name: 'lookup', args: { q: 'x' }, id: 'c1' };

  it('reports a 409 as already finished, and batches several results', async () => {
    const { server, client } = await setup((_req, res, i) =>
      i === 0 ? sendJson(res, 409, { detail: 'The session already finished' }) : accepted(_req, res, i),
    );
    await expect(client.submitToolResults(ID, { kind: 'tool_result', tool_req, result: 1 })).resolves.toEqual({
      alreadyFinished: true,
    });
    await expect(
      client.submitToolResults(ID, [
        { kind: 'tool_result', tool_req, result: { ok: true } },
        { kind: 'error_event', error: 'boom', origin: 'client', tool_req: { ...tool_req, id: 'c2' } },
      ]),
    ).resolves.toEqual({ alreadyFinished: false });
    expect(JSON.parse(server.requests[0]?.body ?? '')).toEqual({ kind: 'tool_result', tool_req, result: 1 });
    expect(JSON.parse(server.requests[1]?.body ?? '')).toMatchObject({ type: 'batch', results: [{}, {}] });
  });
});

describe('the API key', () => {
  it('never appears in errors, even when the server echoes it back', async () => {
    const { client } = await setup((req, res) =>
      sendJson(res, 422, {
        detail: [
          { loc: ['header', 'authorization'], msg: `bad value ${req.headers.authorization}`, input: req.headers },
        ],
      }),
    );
    const err = await failure(client.getSession(ID));
    const rendered = [err.message, err.detail, err.stack, inspect(err, { depth: 10 }), JSON.stringify(err.body)];
    for (const text of rendered) expect(text).not.toContain(KEY);
    expect(err.detail).toContain('[redacted]');
    expect(inspect(client, { depth: 10 })).not.toContain(KEY);
    expect(JSON.stringify(client)).not.toContain(KEY);
  });

  it('never appears in network errors', async () => {
    const { client } = await setup((_req, res) => resetConnection(res), { maxRetries: 0 });
    const err = await failure(client.getStatus(ID));
    expect(inspect(err, { depth: 10 })).not.toContain(KEY);
  });
});
