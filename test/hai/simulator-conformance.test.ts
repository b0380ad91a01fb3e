// The client against the project's simulator: every route, the idempotent create, the long-poll, paging, steering,
// custom tools, error shapes, and a fault storm. Real HTTP on both sides, no mocks.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HaiApiError,
  HaiClient,
  parseAnswer,
  type SessionEvent,
  type SessionRequest,
  type ToolRequest,
} from '../../src/hai';
import { startSimulator } from '../../src/simulator';
import { follow } from './support/follow';
import { failure } from './support/failure';

const KEY = 'hk-test';
const AGENT = 'h/web-surfer-flash';

type Simulator = Awaited<ReturnType<typeof startSimulator>>;

let sim: Simulator;
let client: HaiClient;

beforeAll(async () => {
  sim = await startSimulator({ stepMs: 10, apiKey: KEY, concurrencyLimit: 1000 });
  client = new HaiClient({ apiKey: KEY, baseUrl: sim.url, env: {} });
});

afterAll(async () => {
  await client?.close();
  await sim?.close();
});

/** A task whose scripted agent takes `steps` steps and answers `answer`. */
const task = (directive: Record<string, unknown>, text = 'do the task'): string =>
  `${text} [sim ${JSON.stringify(directive)}]`;

const request = (directive: Record<string, unknown>, extra: Partial<SessionRequest> = {}): SessionRequest => ({
  agent: AGENT,
  messages: task(directive),
  ...extra,
});

describe('sessions', () => {
  it('creates a session and reads it back through get, status, list and quota', async () => {
    const group = randomUUID();
    const created = await client.createSession(request({ steps: 2, answer: 'x' }, { group_id: group, max_steps: 10 }));
    expect(['pending', 'queued']).toContain(created.status.status);
    expect(created.request).toMatchObject({ max_steps: 10 });

    const got = await client.getSession(created.id);
    expect(got.id).toBe(created.id);
    const status = await client.getStatus(created.id);
    expect(typeof status.status).toBe('string');
    expect(status.steps).toBeGreaterThanOrEqual(0);

    const page = await client.listSessions({ groupId: group });
    expect(page).toMatchObject({ page: 1, total: 1 });
    expect(page.items.map((s) => s.id)).toEqual([created.id]);

    const quota = await client.getQuota();
    expect(quota.limit).toBe(1000);
    expect(quota.available).toBe(quota.limit - quota.active);
  });

  it('filters the list by status and agent, with repeatable parameters', async () => {
    const group = randomUUID();
    const done = await client.createSession(request({ steps: 1, answer: 'a' }, { group_id: group }));
    await follow(client, done.id);
    const live = await client.createSession(request({ steps: 10_000 }, { group_id: group }));
    const both = await client.listSessions({ groupId: group, status: ['completed', 'running', 'pending'] });
    expect(both.items.map((s) => s.id).sort()).toEqual([done.id, live.id].sort());
    const completed = await client.listSessions({ groupId: group, status: 'completed', agent: [AGENT] });
    expect(completed.items.map((s) => s.id)).toEqual([done.id]);
    await client.cancel(live.id);
  });

  it('replays a create with the same Idempotency-Key instead of creating a second session', async () => {
    const key = `wf-${randomUUID()}`;
    const body = request({ steps: 1, answer: 'once' });
    const first = await client.createSession(body, { idempotencyKey: key });
    const again = await client.createSession(body, { idempotencyKey: key });
    const concurrent = await Promise.all(
      Array.from({ length: 5 }, () => client.createSession(body, { idempotencyKey: key })),
    );
    expect(new Set([first.id, again.id, ...concurrent.map((s) => s.id)])).toEqual(new Set([first.id]));
    expect(sim.stats().createsByIdempotencyKey[key]).toBe(1);
  });

  it('retries through 409 "in flight" while a racing create with the same key is still running', async () => {
    const key = `race-${randomUUID()}`;
    const body = request({ steps: 1, answer: 'once' });
    const before = sim.stats().requestsByRoute['POST /sessions'] ?? 0;
    // Server-side latency keeps the first create in flight long enough for the others to collide with it.
    sim.setFaults({ latencyMs: 200, routes: ['POST /sessions'] });
    try {
      const sessions = await Promise.all(
        Array.from({ length: 4 }, () => client.createSession(body, { idempotencyKey: key })),
      );
      expect(new Set(sessions.map((s) => s.id)).size).toBe(1);
    } finally {
      sim.setFaults({ latencyMs: 0, routes: undefined });
    }
    expect(sim.stats().createsByIdempotencyKey[key]).toBe(1);
    // More requests than calls: the losers were answered 409 and came back after Retry-After.
    expect((sim.stats().requestsByRoute['POST /sessions'] ?? 0) - before).toBeGreaterThan(4);
  });

  it('rejects a reused Idempotency-Key with a different body as a validation error', async () => {
    const key = `wf-${randomUUID()}`;
    await client.createSession(request({ steps: 1 }), { idempotencyKey: key });
    const err = await failure(client.createSession(request({ steps: 2 }), { idempotencyKey: key }));
    expect(err).toMatchObject({ status: 422, code: 'validation', retryable: false, route: 'POST /sessions' });
    expect(sim.stats().createsByIdempotencyKey[key]).toBe(1);
  });
});

describe('changes and events', () => {
  it('pages through /changes until the status settles and the answer arrives', async () => {
    sim.setOptions({ changesPageCap: 3 });
    try {
      const s = await client.createSession(request({ steps: 6, answer: 'the answer' }));
      const run = await follow(client, s.id, { waitForSeconds: 2 });
      expect(run.status.status).toBe('completed');
      expect(run.answer).toBe('the answer');
      expect(run.pages).toBeGreaterThan(1);
      const all = await client.listEvents(s.id, { size: 200 });
      expect(all.total).toBe(run.cursor);
      expect(run.events.map((e) => e.type)).toEqual(all.items.map((e) => e.type));
      expect(run.events.some((e) => e.type === 'AgentEvent' && e.data.kind === 'answer_event')).toBe(true);
    } finally {
      sim.setOptions({ changesPageCap: 100 });
    }
  });

  it('answers 204 (undefined) when a long-poll finds nothing past the cursor, even for a finished session', async () => {
    const s = await client.createSession(request({ steps: 1, answer: 'a' }));
    const run = await follow(client, s.id);
    const started = Date.now();
    await expect(client.getChanges(s.id, { fromIndex: run.cursor, waitForSeconds: 1 })).resolves.toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    await expect(client.getChanges(s.id, { fromIndex: run.cursor })).resolves.toBeUndefined();
  });

  it('wakes a long-poll as soon as a new event arrives', async () => {
    const s = await client.createSession(request({ steps: 10_000, stepMs: 300 }));
    const seen = await follow(client, s.id, { until: (st) => st.status === 'running' });
    const started = Date.now();
    const changes = await client.getChanges(s.id, { fromIndex: seen.cursor, waitForSeconds: 10 });
    expect(changes?.new_events.length).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(5_000);
    await client.cancel(s.id);
  });

  it('returns the events since from_index and only those, honouring limit', async () => {
    const s = await client.createSession(request({ steps: 3, answer: 'a' }));
    const run = await follow(client, s.id);
    const tail = await client.getChanges(s.id, { fromIndex: 2, limit: 2 });
    expect(tail?.new_events.map((e) => e.type)).toEqual(run.events.slice(2, 4).map((e) => e.type));
    const noEvents = await client.getChanges(s.id, { fromIndex: 0, includeEvents: false });
    expect(noEvents).toMatchObject({ status: 'completed', new_events: [], answer: 'a' });
  });

  it('pages the event history and filters it by type and sort order', async () => {
    const s = await client.createSession(request({ steps: 4, answer: 'a' }));
    await follow(client, s.id);
    const first = await client.listEvents(s.id, { page: 1, size: 3 });
    const collected: SessionEvent[] = [...first.items];
    for (let page = 2; (page - 1) * 3 < first.total; page++) {
      collected.push(...(await client.listEvents(s.id, { page, size: 3 })).items);
    }
    expect(collected).toHaveLength(first.total);
    const all = await client.listEvents(s.id, { size: 200 });
    expect(collected).toEqual(all.items);
    const reversed = await client.listEvents(s.id, { size: 200, sort: ['-timestamp'] });
    expect(reversed.items.map((e) => e.timestamp)).toEqual(all.items.map((e) => e.timestamp).reverse());
    const agentEvents = await client.listEvents(s.id, { size: 200, type: 'AgentEvent' });
    expect(agentEvents.items.length).toBeGreaterThan(0);
    expect(agentEvents.items.every((e) => e.type === 'AgentEvent')).toBe(true);
  });
});

describe('steering', () => {
  it('wakes an idle session with one message, then with a batch', async () => {
    const s = await client.createSession(request({ steps: 1, answer: 'first' }, { idle_timeout_s: 60 }));
    const turn1 = await follow(client, s.id);
    expect(turn1).toMatchObject({ status: { status: 'idle' }, answer: 'first' });

    await client.sendMessages(s.id, task({ steps: 1, answer: 'second' }, 'follow-up'));
    const turn2 = await follow(client, s.id, {
      fromIndex: turn1.cursor,
      until: (st) => st.status === 'idle' && st.steps > turn1.status.steps,
    });
    expect(turn2.answer).toBe('second');

    await client.sendMessages(s.id, [{ message: 'context only' }, { message: task({ steps: 1, answer: 'third' }) }]);
    const turn3 = await follow(client, s.id, {
      fromIndex: turn2.cursor,
      until: (st) => st.status === 'idle' && st.steps > turn2.status.steps,
    });
    expect(turn3.answer).toBe('third');
    await client.cancel(s.id);
  });

  it('pauses, resumes, forces an answer, and completes', async () => {
    const s = await client.createSession(request({ steps: 10_000, answer: 'forced' }));
    await follow(client, s.id, { until: (st) => st.status === 'running' });
    await client.pause(s.id);
    await follow(client, s.id, { until: (st) => st.status === 'paused' });
    await client.resume(s.id);
    await follow(client, s.id, { until: (st) => st.status === 'running' });
    await client.forceAnswer(s.id);
    const run = await follow(client, s.id);
    expect(run.status.status).toBe('completed');
    expect(run.answer).not.toBeNull();
  });

  it('cancels a running session into interrupted, and cancelling again is harmless', async () => {
    const s = await client.createSession(request({ steps: 10_000 }));
    await client.cancel(s.id);
    const run = await follow(client, s.id);
    expect(run.status.status).toBe('interrupted');
    expect((await client.getSession(s.id)).finished_at).not.toBeNull();
    await expect(client.cancel(s.id)).resolves.toBeUndefined();
  });
});

describe('custom tools', () => {
  it('waits for tool results, resumes on them, and reports results after the end as already finished', async () => {
    const s = await client.createSession(
      request({ steps: 1, answer: 'used the tool', tools: [{ tool_name: 'lookup', args: { q: 'x' } }] }),
    );
    const waiting = await follow(client, s.id, { until: (st) => st.status === 'awaiting_tool_results' });
    const pending = latestPendingToolCalls(waiting.events);
    expect(pending.map((t) => t.tool_name)).toEqual(['lookup']);
    const results = pending.map((tool_req) => ({ kind: 'tool_result' as const, tool_req, result: { hits: 3 } }));
    await expect(client.submitToolResults(s.id, results)).resolves.toEqual({ alreadyFinished: false });
    const run = await follow(client, s.id, { fromIndex: waiting.cursor });
    expect(run).toMatchObject({ status: { status: 'completed' }, answer: 'used the tool' });
    await expect(client.submitToolResults(s.id, results)).resolves.toEqual({ alreadyFinished: true });
  });
});

/** Pending calls from the latest ActiveStateChangeEvent, as the SDK reads them. */
function latestPendingToolCalls(events: SessionEvent[]): ToolRequest[] {
  const change = events.findLast(
    (e) => e.type === 'ActiveStateChangeEvent' && e.data.state === 'awaiting_tool_results',
  );
  return (change?.data.pending_tool_calls ?? []) as ToolRequest[];
}

describe('errors', () => {
  it('fails a wrong key with a final 401 that is never retried', async () => {
    const wrong = new HaiClient({ apiKey: 'hk-wrong', baseUrl: sim.url, env: {} });
    const before = sim.stats().requestsByRoute['GET /sessions/quota'] ?? 0;
    try {
      const err = await failure(wrong.getQuota());
      expect(err).toMatchObject({ status: 401, code: 'unauthorized', retryable: false, route: 'GET /sessions/quota' });
      expect(err.detail).not.toBe('');
      expect(err.message).not.toContain('hk-wrong');
    } finally {
      await wrong.close();
    }
    expect((sim.stats().requestsByRoute['GET /sessions/quota'] ?? 0) - before).toBe(1);
  });

  it('maps an unknown session to not_found with the server detail', async () => {
    const err = await failure(client.getSession(randomUUID()));
    expect(err).toMatchObject({ status: 404, code: 'not_found', retryable: false, detail: 'Session not found' });
    expect(err.message).toBe('GET /sessions/{id} failed: 404 Not Found: Session not found');
  });

  it('maps an unknown agent to not_found and an unknown create field to a server-side validation list', async () => {
    const unknown = await failure(client.createSession({ agent: 'h/no-such-agent', messages: 'x' }));
    expect(unknown).toMatchObject({ status: 404, code: 'not_found', detail: "Agent 'h/no-such-agent' not found." });
    const extra = await failure(client.createSession({ agent: AGENT, messages: 'x', not_a_field: 1 }));
    expect(extra).toMatchObject({ status: 422, code: 'validation' });
    expect(extra.detail).toMatch(/^body\.not_a_field: /);
  });

  it('renders FastAPI validation lists for a malformed id and an over-long wait', async () => {
    const badId = await failure(client.getStatus('not-a-uuid'));
    expect(badId).toMatchObject({ status: 422, code: 'validation', retryable: false });
    expect(badId.detail).toMatch(/^path\.\w+: /);
    const s = await client.createSession(request({ steps: 1 }));
    const tooLong = await failure(client.getChanges(s.id, { fromIndex: 0, waitForSeconds: 26 }));
    expect(tooLong).toMatchObject({ status: 422, code: 'validation' });
    expect(tooLong.detail).toMatch(/query\.wait_for_seconds: /);
  });
});

describe('limits', () => {
  it('queues over the concurrency limit, or answers a final-after-retries 429 when queue is false', async () => {
    const small = await startSimulator({ stepMs: 10, apiKey: KEY, concurrencyLimit: 1 });
    const c = new HaiClient({ apiKey: KEY, baseUrl: small.url, env: {}, maxRetries: 1 });
    try {
      await c.createSession(request({ steps: 10_000 }));
      expect((await c.createSession(request({ steps: 1 }))).status.status).toBe('queued');
      expect(await c.getQuota()).toMatchObject({ limit: 1, active: 1, available: 0 });
      const err = await failure(c.createSession(request({ steps: 1 }, { queue: false })));
      expect(err).toMatchObject({ status: 429, code: 'rate_limited', retryable: true });
      expect(err.detail).toMatch(/limit/i);
      // 429 is retried even on an unkeyed create: the server did not act on it.
      expect(small.stats().requestsByRoute['POST /sessions']).toBe(4);
    } finally {
      await c.close();
      await small.close();
    }
  });

  it('maps a body the server finds too large to a final too_large error', async () => {
    const s = await client.createSession(request({ steps: 10_000 }));
    sim.setOptions({ maxBodyBytes: 1_000 });
    try {
      const err = await failure(client.sendMessages(s.id, 'y'.repeat(2_000)));
      expect(err).toMatchObject({ status: 413, code: 'too_large', retryable: false });
    } finally {
      sim.setOptions({ maxBodyBytes: 10_000_000 });
      await client.cancel(s.id);
    }
  });
});

describe('answers and finished sessions', () => {
  it('delivers a structured answer that parseAnswer turns into an object, even when sent as a JSON string', async () => {
    const answer_format = { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] };
    for (const answerAsJsonString of [false, true]) {
      sim.setOptions({ answerAsJsonString });
      try {
        const s = await client.createSession(
          request({ steps: 1, answer: { n: 1 } }, { overrides: { 'agent.answer_format': answer_format } }),
        );
        const run = await follow(client, s.id);
        expect(parseAnswer(run.answer), String(answerAsJsonString)).toEqual({ n: 1 });
        expect(parseAnswer((await client.getSession(s.id)).latest_answer)).toEqual({ n: 1 });
      } finally {
        sim.setOptions({ answerAsJsonString: false });
      }
    }
  });

  it('either restarts a finished session on a message or refuses it with a final 4xx (GUESS in the contract)', async () => {
    for (const messageToTerminal of ['restart', 'reject'] as const) {
      sim.setOptions({ messageToTerminal });
      try {
        const s = await client.createSession(request({ steps: 1, answer: 'first' }));
        const done = await follow(client, s.id);
        expect(done.status.status).toBe('completed');
        const sent = client.sendMessages(s.id, task({ steps: 1, answer: 'again' }));
        if (messageToTerminal === 'restart') {
          await sent;
          const again = await follow(client, s.id, {
            fromIndex: done.cursor,
            until: (st) => st.status === 'completed' && st.steps > done.status.steps,
          });
          expect(again.answer).toBe('again');
        } else {
          const err = await failure(sent);
          expect([400, 409]).toContain(err.status);
          expect(err.retryable).toBe(false);
        }
      } finally {
        sim.setOptions({ messageToTerminal: 'restart' });
      }
    }
  });
});

describe('fault storm', () => {
  it(
    'either succeeds or fails with a clear HaiApiError, and never creates two sessions for one key',
    { timeout: 120_000 },
    async () => {
      const stormy = new HaiClient({
        apiKey: KEY,
        baseUrl: sim.url,
        env: {},
        retryDeadlineMs: 20_000,
        timeoutMs: 5_000,
      });
      const keys = Array.from({ length: 16 }, (_, i) => `storm-${i}-${randomUUID()}`);
      const outcomes: { call: string; error?: unknown }[] = [];
      const created = new Set<string>();
      const attempt = async <T>(call: string, run: () => Promise<T>): Promise<T | undefined> => {
        try {
          const value = await run();
          outcomes.push({ call });
          return value;
        } catch (error) {
          outcomes.push({ call, error });
          return undefined;
        }
      };
      sim.setFaults({
        errorRate: 0.3,
        errorStatus: 503,
        rateLimitRate: 0.1,
        retryAfterS: 1,
        latencyMs: 2_000,
        dropRate: 0.1,
        malformedRate: 0.1,
      });
      try {
        await Promise.all(
          keys.map(async (key) => {
            const s = await attempt('create', () =>
              stormy.createSession(request({ steps: 2, answer: 'a' }, { idle_timeout_s: 30 }), { idempotencyKey: key }),
            );
            if (!s) return;
            created.add(key);
            await attempt('status', () => stormy.getStatus(s.id));
            await attempt('changes', () => stormy.getChanges(s.id, { fromIndex: 0, waitForSeconds: 1 }));
            await attempt('events', () => stormy.listEvents(s.id));
            await attempt('message', () => stormy.sendMessages(s.id, 'more'));
            await attempt('pause', () => stormy.pause(s.id));
            await attempt('cancel', () => stormy.cancel(s.id));
          }),
        );
      } finally {
        sim.setFaults({ errorRate: 0, rateLimitRate: 0, latencyMs: 0, dropRate: 0, malformedRate: 0 });
        await stormy.close();
      }
      expect(sim.stats().faultsInjected).toBeGreaterThan(0);
      for (const { call, error } of outcomes) {
        if (error === undefined) continue;
        expect(error, call).toBeInstanceOf(HaiApiError);
        const e = error as HaiApiError;
        expect(e.message, call).toMatch(/^(GET|POST|DELETE) \/sessions\S* failed: \S/);
        expect(['server', 'rate_limited', 'network', 'timeout', 'bad_response'], e.message).toContain(e.code);
      }
      const creates = sim.stats().createsByIdempotencyKey;
      for (const key of keys) {
        // A create that failed may still have made its session (its answer was dropped), but never two.
        expect(creates[key] ?? 0, key).toBeLessThanOrEqual(1);
        if (created.has(key)) expect(creates[key], key).toBe(1);
      }
      // Most calls get through: keyed creates and reads are retried, so only the unretryable POSTs fail often.
      const reads = outcomes.filter((o) => ['create', 'status', 'changes', 'events', 'cancel'].includes(o.call));
      expect(reads.filter((o) => o.error === undefined).length / reads.length).toBeGreaterThan(0.8);
    },
  );
});
