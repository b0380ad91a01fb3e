// People in the loop at the edges: signed notices checked against the documented formula, receivers that fail,
// approval rounds running out, feedback that cannot be delivered, a workflow cancelled while it waits for a
// person or a tool, and an ask_human question nobody answers.
import { createHmac } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { verifyNotification } from '../../src/notify/signature';
import { approveUpdate, rejectUpdate, type SessionProgress } from '../../src/shared/session';
import { defineTool } from '../../src/tools/registry';
import { eventually, type Harness, sim, startHarness, progressWhere as waitForProgress } from '../helpers/harness';
import { type Notice, startWebhookReceiver } from '../helpers/webhook-receiver';

const SECRET = 'whsec-edges';
let h: Harness;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let failingReceiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
const toolCancelled = new Set<string>();

const waitsForCancellation = defineTool({
  name: 'wait_for_cancellation',
  description: 'Runs until its activity is cancelled.',
  input: z.object({ tag: z.string() }),
  run: ({ tag }, ctx) =>
    new Promise((_resolve, reject) =>
      ctx.signal.addEventListener('abort', () => {
        toolCancelled.add(tag);
        reject(new Error('cancelled'));
      }),
    ),
});

beforeAll(async () => {
  [receiver, failingReceiver] = await Promise.all([startWebhookReceiver(SECRET), startWebhookReceiver(SECRET)]);
  // Sessions here name loopback receivers of the test's own, which a worker refuses unless it allows them.
  h = await startHarness({
    notify: { defaultUrl: receiver.url, secret: SECRET, allowPrivate: true },
    tools: [waitsForCancellation],
  });
});
afterAll(async () => {
  await h?.stop();
  await Promise.all([receiver?.close(), failingReceiver?.close()]);
});

const progressWhere = (id: string, what: string, check: (p: SessionProgress) => boolean, timeoutMs?: number) =>
  waitForProgress(h, id, what, check, timeoutMs);
const awaitingApproval = (id: string, round = 1) =>
  progressWhere(id, `approval round ${round}`, (p) => p.awaiting?.kind === 'approval' && p.awaiting.round === round);
/** The user messages the platform received in a session, in order. */
const platformMessages = async (sessionId: string) =>
  (await h.hai.listEvents(sessionId, { size: 200 })).items.flatMap((e) => {
    const data = (e.data ?? {}) as { kind?: string; caller_id?: string; content?: unknown[] };
    return data.kind === 'message_event' && data.caller_id === 'user' ? [String(data.content?.[0])] : [];
  });

/** The documented formula, computed here with node:crypto alone: sha256=HMAC_SHA256(secret, "<timestamp>.<body>"). */
const documentedSignature = (secret: string, timestamp: number | string, body: string) =>
  `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;

describe('signed notices', () => {
  it.concurrent('are signed as the README documents, and forged, altered or stale ones are refused', async () => {
    const handle = await h.sessions.start({ task: sim({ steps: 1, answer: 'sign me' }), approval: {} });
    const notice: Notice = await eventually('notice', () => receiver.for(handle.workflowId)[0]);
    const { headers, body } = notice.raw;
    const timestamp = Number(headers['x-hai-temporal-timestamp']);
    expect(Math.abs(Date.now() / 1000 - timestamp)).toBeLessThan(120);
    expect(headers['x-hai-temporal-signature']).toBe(documentedSignature(SECRET, timestamp, body));
    expect(headers['x-hai-temporal-delivery']).toBe(notice.id);

    // The genuine notice passes; a wrong secret, a changed body and a stale timestamp do not.
    expect(() => verifyNotification({ secret: SECRET, headers, body })).not.toThrow();
    expect(() => verifyNotification({ secret: 'whsec-wrong', headers, body })).toThrow(/signature does not match/);
    const altered = body.replace('sign me', 'sign you');
    expect(altered).not.toBe(body);
    expect(() => verifyNotification({ secret: SECRET, headers, body: altered })).toThrow(/signature does not match/);
    // Older than 300 s, even with a signature that is right for its timestamp (a replayed notice).
    const old = Math.floor(Date.now() / 1000) - 301;
    const replayed = {
      ...headers,
      'x-hai-temporal-timestamp': String(old),
      'x-hai-temporal-signature': documentedSignature(SECRET, old, body),
    };
    expect(() => verifyNotification({ secret: SECRET, headers: replayed, body })).toThrow(/timestamp is 30\d s old/);
    // The same, 299 s old: accepted, so the refusal above is the age and not the signature.
    const recent = Math.floor(Date.now() / 1000) - 299;
    const fresh = {
      ...headers,
      'x-hai-temporal-timestamp': String(recent),
      'x-hai-temporal-signature': documentedSignature(SECRET, recent, body),
    };
    expect(() => verifyNotification({ secret: SECRET, headers: fresh, body })).not.toThrow();

    await handle.executeUpdate(approveUpdate, { args: [{ by: 'alice' }] });
    expect((await handle.result()).status).toBe('completed');
  });

  it.concurrent('are retried while the receiver answers 5xx, with one delivery id, until one is accepted', async () => {
    failingReceiver.failing.count = 2;
    failingReceiver.failing.status = 503;
    const handle = await h.sessions.start({
      task: sim({ steps: 1, answer: 'retry me' }),
      approval: {},
      notifyUrl: failingReceiver.url,
    });
    await eventually('notice accepted', () => failingReceiver.for(handle.workflowId).some((n) => n.answered === 204));
    const notices = failingReceiver.for(handle.workflowId);
    expect(notices.map((n) => n.answered)).toEqual([503, 503, 204]);
    expect(new Set(notices.map((n) => n.raw.headers['x-hai-temporal-delivery'])).size).toBe(1);
    expect(notices.every((n) => n.verified)).toBe(true);
    await handle.executeUpdate(approveUpdate, { args: [{ by: 'alice' }] });
    expect(await handle.result()).toMatchObject({ status: 'completed', answer: 'retry me' });
    expect(failingReceiver.for(handle.workflowId)).toHaveLength(3);
  });

  it.concurrent('to a receiver that is down do not hold up the decision or the result', async () => {
    const handle = await h.sessions.start({
      task: sim({ steps: 1, answer: 'nobody listens' }),
      approval: {},
      notifyUrl: 'http://127.0.0.1:9/hooks', // discard port: nothing listens there
    });
    await awaitingApproval(handle.workflowId);
    const decidedAt = Date.now();
    await handle.executeUpdate(approveUpdate, { args: [{ by: 'alice' }] });
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'completed', endedBy: 'approval', answer: 'nobody listens' });
    // Notice retries back off to 30 s and last minutes: the decided session must not wait for them.
    expect(Date.now() - decidedAt).toBeLessThan(15_000);
  });
});

describe('approval rounds and feedback', () => {
  it.concurrent('ends as rejected once maxRounds is used up, without sending the last feedback', async () => {
    const handle = await h.sessions.start({
      task: sim({ steps: 1, answer: 'v1' }),
      idleTimeoutS: 300,
      approval: { maxRounds: 2 },
    });
    await awaitingApproval(handle.workflowId, 1);
    await handle.executeUpdate(rejectUpdate, {
      args: [{ by: 'bob', reason: 'no', feedback: sim({ steps: 1, answer: 'v2' }, 'round two') }],
    });
    await awaitingApproval(handle.workflowId, 2);
    await handle.executeUpdate(rejectUpdate, {
      args: [{ by: 'bob', reason: 'still no', feedback: sim({ steps: 1, answer: 'v3' }, 'round three') }],
    });
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'rejected', endedBy: 'rejection', answer: 'v2' });
    expect(result.turns.map((t) => t.answer)).toEqual(['v1', 'v2']);
    expect(result.audit.map((a) => [a.kind, a.by])).toEqual([
      ['rejected', 'bob'],
      ['rejected', 'bob'],
    ]);
    const messages = await platformMessages(result.sessionId);
    expect(messages.filter((m) => m.startsWith('round two'))).toHaveLength(1);
    expect(messages.some((m) => m.startsWith('round three'))).toBe(false);
    await eventually('platform session ended', async () =>
      ['interrupted', 'completed'].includes((await h.hai.getStatus(result.sessionId)).status),
    );
  });

  it.concurrent('ends a one-shot session as rejected on feedback, sending the feedback nowhere', async () => {
    const handle = await h.sessions.start({ task: sim({ steps: 1, answer: 'final' }), approval: {} });
    await awaitingApproval(handle.workflowId);
    await handle.executeUpdate(rejectUpdate, {
      args: [{ by: 'carol', reason: 'wrong', feedback: sim({ steps: 1, answer: 'again' }, 'try again') }],
    });
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'rejected', endedBy: 'rejection', answer: 'final' });
    expect(result.turns).toHaveLength(1);
    expect(await platformMessages(result.sessionId)).toHaveLength(1); // the task only
    expect((await h.hai.getStatus(result.sessionId)).status).toBe('completed');
  });

  // Not concurrent: the fault it injects applies to every session of the simulator.
  it('ends as rejected, saying why, when the feedback cannot be delivered', async () => {
    const handle = await h.sessions.start({
      task: sim({ steps: 1, answer: 'v1' }),
      idleTimeoutS: 300,
      approval: {},
    });
    const waiting = await awaitingApproval(handle.workflowId);
    // The platform refuses messages to this session from now on.
    h.sim.setFaults({ errorRate: 1, errorStatus: 403, routes: [`POST /sessions/{id}/messages`] });
    try {
      await handle.executeUpdate(rejectUpdate, {
        args: [{ by: 'dan', reason: 'no', feedback: sim({ steps: 1, answer: 'v2' }, 'undeliverable') }],
      });
      const result = await handle.result();
      expect(result).toMatchObject({ status: 'rejected', endedBy: 'rejection', answer: 'v1' });
      expect(result.turns.map((t) => t.answer)).toEqual(['v1']);
      const progress = await h.sessions.progress(handle.workflowId);
      const note = progress.transitions.find((t) => t.kind === 'note' && /feedback not delivered/.test(t.detail ?? ''));
      expect(note?.detail).toMatch(/403|forbidden/i);
      expect(await platformMessages(waiting.sessionId!)).toHaveLength(1);
    } finally {
      h.sim.setFaults({ errorRate: 0, routes: [] });
    }
  });
});

describe('a session workflow cancelled while it waits', () => {
  const expectCancelled = async (handle: { result(): Promise<unknown> }) => {
    const failure = (await handle.result().then(
      () => undefined,
      (e: unknown) => e,
    )) as WorkflowFailedError;
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect(failure.cause).toBeInstanceOf(CancelledFailure);
  };

  it.concurrent('for an approval: the platform session is cancelled too', async () => {
    const handle = await h.sessions.start({ task: sim({ steps: 1, answer: 'held' }), idleTimeoutS: 300, approval: {} });
    const waiting = await awaitingApproval(handle.workflowId);
    expect((await h.hai.getStatus(waiting.sessionId!)).status).toBe('idle');
    await handle.cancel();
    await expectCancelled(handle);
    expect((await h.hai.getStatus(waiting.sessionId!)).status).toBe('interrupted');
  });

  it.concurrent('for a tool: the tool is cancelled and so is the platform session', async () => {
    const tag = `tag-${Date.now()}`;
    const handle = await h.sessions.start({
      task: sim({ steps: 1, tools: [{ tool_name: 'wait_for_cancellation', args: { tag } }] }),
      tools: ['wait_for_cancellation'],
    });
    const waiting = await progressWhere(
      handle.workflowId,
      'awaiting the tool',
      (p) => p.status === 'awaiting_tool_results',
    );
    await eventually('tool running', async () => {
      const d = await handle.describe();
      return d.raw.pendingActivities?.some((a) => a.activityType?.name === 'runTool');
    });
    await handle.cancel();
    await expectCancelled(handle);
    expect((await h.hai.getStatus(waiting.sessionId!)).status).toBe('interrupted');
    await eventually('tool saw the cancellation', () => toolCancelled.has(tag));
  });
});

describe('ask_human', () => {
  it.concurrent('ends the session cleanly when nobody answers the question in time', async () => {
    const handle = await h.sessions.start({
      task: sim({ steps: 1, tools: [{ tool_name: 'ask_human', args: { question: 'Which city?' } }] }),
      replyTimeout: '1s',
    });
    const asked = await progressWhere(handle.workflowId, 'question', (p) => p.awaiting?.kind === 'input');
    expect(asked.awaiting).toMatchObject({ answer: 'Which city?' });
    expect(asked.awaiting?.toolCallId).toBeTruthy();
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'completed', endedBy: 'reply_timeout' });
    expect(result.audit).toMatchObject([{ kind: 'timeout', by: 'timeout', applied: 'end' }]);
    expect((await h.hai.getStatus(result.sessionId)).status).toBe('interrupted');
  });
});
