// Inputs a careless or hostile user can send must never jam a session: each is refused with its reason, or
// taken without harm, and the session stays steerable and cancellable.
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotencyKeyFor } from '../../src/activities/create-session';
import { InvalidInputError } from '../../src/client';
import { sendSignal, sendUpdate, SESSION_WORKFLOW_TYPE, type SessionProgress } from '../../src/shared/session';
import { createTries, type Harness, sim, startHarness, progressWhere as waitForProgress } from '../helpers/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.stop());

const progressWhere = (id: string, what: string, check: (p: SessionProgress) => boolean, timeoutMs?: number) =>
  waitForProgress(h, id, what, check, timeoutMs);

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

describe('large messages', () => {
  it('keeps the state, what continue-as-new carries and the result bounded however much people send', async () => {
    const handle = await h.sessions.start({
      task: sim({ steps: 1, answer: 'a0' }),
      idleTimeoutS: 300,
      continueAsNewEvery: 2,
    });
    const id = handle.workflowId;
    await progressWhere(id, 'first answer', (p) => p.phase === 'awaiting_input' && p.answer === 'a0');
    const filler = 'x'.repeat(900_000);
    for (const n of [1, 2, 3]) {
      await h.sessions.send(id, `${sim({ steps: 1, answer: `a${n}` }, `turn ${n}`)} ${filler}`);
      await progressWhere(id, `answer a${n}`, (p) => p.phase === 'awaiting_input' && p.answer === `a${n}`);
    }
    // It continued as new at least once with 2.7 MB sent, and the carried state stayed far below Temporal's 2 MiB.
    const runs = await h.sessions.temporal.workflow.list({ query: `WorkflowId = '${id}'` });
    const closed: string[] = [];
    for await (const run of runs) if (run.status.name === 'CONTINUED_AS_NEW') closed.push(run.runId);
    expect(closed.length).toBeGreaterThan(0);
    const progress = await h.sessions.progress(id);
    expect(bytes(progress)).toBeLessThan(100_000);
    expect(progress.turns[1]?.message).toMatch(/turn 1.*bytes in all\]$/s);

    await h.sessions.cancel(id);
    const result = await handle.result();
    expect(result.status).toBe('cancelled');
    expect(result.turns.map((t) => t.answer)).toEqual(['a0', 'a1', 'a2', 'a3']);
    expect(bytes(result)).toBeLessThan(100_000);
    // The platform got every message whole: the state keeps previews, the platform keeps the text.
    const page = await h.hai.listEvents(result.sessionId, { size: 200 });
    const echoed = page.items.filter((e) => (e.data as { kind?: string; caller_id?: string }).kind === 'message_event');
    expect(echoed.some((e) => JSON.stringify(e.data).includes(filler))).toBe(true);
  });

  it('refuses any update over the size limit before it travels, and survives one sent raw', async () => {
    const handle = await h.sessions.start({
      task: sim({ steps: 1, answer: 'held' }),
      idleTimeoutS: 300,
      approval: {},
    });
    const id = handle.workflowId;
    await progressWhere(id, 'awaiting approval', (p) => p.phase === 'awaiting_approval');
    const huge = 'x'.repeat(3_000_000);
    const refused = await h.sessions.reject(id, { by: 'eve', reason: 'no', feedback: huge }).catch((e) => e);
    expect(refused).toBeInstanceOf(InvalidInputError);
    expect(refused.message).toMatch(/reject: the request is \d+ bytes, over the 1000000-byte limit/);

    // A raw 3 MB update cannot be stopped before it reaches the workflow: the caller gets an error, the workflow
    // task is not left failing, and a cancel sent meanwhile still ends the session.
    const raw = handle.executeUpdate(sendUpdate, { args: [{ message: huge }] }).catch((e: unknown) => e);
    const cancelled = h.sessions.cancel(id);
    expect(await raw).toBeInstanceOf(Error);
    await cancelled;
    const outcome = await handle.result().then(
      (r) => r.status,
      (e: unknown) => (e instanceof WorkflowFailedError ? 'workflow cancelled' : String(e)),
    );
    expect(['cancelled', 'workflow cancelled']).toContain(outcome);
    const status = (await h.hai.getStatus((await h.sessions.progress(id)).sessionId!)).status;
    expect(status).toBe('interrupted');
  }, 90_000);
});

describe('answer schemas', () => {
  const bad: Array<[string, Record<string, unknown>, RegExp]> = [
    ['an unknown type', { type: 'bogus' }, /answerSchema: not a valid JSON Schema/],
    ['properties that are not an object', { properties: 42 }, /answerSchema: not a valid JSON Schema/],
    ['a remote $ref', { $ref: 'https://example.com/schema.json' }, /answerSchema: cannot be compiled/],
  ];

  it.each(bad)('refuses %s in the client, naming why', async (_what, schema, why) => {
    const refused = await h.sessions.start({ task: 'x', answerSchema: schema }).catch((e) => e);
    expect(refused).toBeInstanceOf(InvalidInputError);
    expect(refused.message).toMatch(why);
  });

  it('fails a workflow started raw with a bad schema at once, before any platform session exists', async () => {
    const before = h.sim.stats().sessionsCreated;
    const handle = await h.sessions.temporal.workflow.start(SESSION_WORKFLOW_TYPE, {
      taskQueue: h.taskQueue,
      workflowId: `bad-schema-${Date.now()}`,
      args: [{ task: 'x', answerSchema: { type: 'bogus' } }],
    });
    const failure = await handle.result().catch((e) => e);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect(String(failure.cause?.message)).toMatch(/invalid session input: answerSchema: not a valid JSON Schema/);
    expect(h.sim.stats().sessionsCreated).toBe(before);
    expect(
      h.sim.stats().createsByIdempotencyKey[idempotencyKeyFor(handle.workflowId, handle.firstExecutionRunId)],
    ).toBeUndefined();
    // Status says it failed, and why.
    const progress = await h.sessions.progress(handle.workflowId);
    expect(progress.phase).toBe('ended');
    expect(progress.ending).toMatchObject({ outcome: 'failed', endedBy: 'workflow' });
    expect(progress.error).toMatch(/not a valid JSON Schema/);
  });
});

describe('deeply nested input', () => {
  it('refuses overrides nested thousands of levels deep at once, naming the field', async () => {
    let deep: unknown = 1;
    for (let i = 0; i < 5_000; i++) deep = { a: deep };
    const refused = await h.sessions.start({ task: 'x', overrides: { 'agent.x': deep } }).catch((e) => e);
    expect(refused).toBeInstanceOf(InvalidInputError);
    expect(refused.message).toMatch(/overrides: nested deeper than 64 levels/);
  });

  it('fails a raw start with absurd nesting on its first attempt, not after retries', async () => {
    let deep: unknown = 1;
    for (let i = 0; i < 200; i++) deep = { a: deep };
    const handle = await h.sessions.temporal.workflow.start(SESSION_WORKFLOW_TYPE, {
      taskQueue: h.taskQueue,
      workflowId: `deep-${Date.now()}`,
      args: [{ task: 'x', overrides: { 'agent.x': deep } }],
    });
    const failure = await handle.result().catch((e) => e);
    expect(String(failure.cause?.message)).toMatch(/overrides: nested deeper than 64 levels/);
    const history = await handle.fetchHistory();
    expect(createTries(history)).toBe(1);
  });
});

describe('a message while an answer awaits approval', () => {
  it('is refused with the reason, and the held answer is the one approved', async () => {
    const handle = await h.sessions.start({
      task: sim({ steps: 1, answer: 'turn 0 answer' }),
      idleTimeoutS: 300,
      approval: {},
    });
    const id = handle.workflowId;
    const held = await progressWhere(id, 'awaiting approval', (p) => p.phase === 'awaiting_approval');
    const messagesBefore = h.sim.stats().requestsByRoute['POST /sessions/{id}/messages'] ?? 0;

    const refused = await h.sessions.send(id, sim({ answer: 'other' }, 'change of plan')).catch((e) => e);
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(String(refused.cause?.message)).toMatch(/awaits a decision: approve it, or reject it with feedback/);
    const reply = await h.sessions.reply(id, 'a reply').catch((e) => e);
    expect(String(reply.cause?.message)).toMatch(/awaits a decision/);
    await handle.signal(sendSignal, { message: 'by signal' });
    await progressWhere(id, 'signal refused', (p) =>
      p.transitions.some((t) => t.kind === 'rejected' && /awaits a decision/.test(t.detail ?? '')),
    );

    const ack = await h.sessions.approve(id, { by: 'alice' });
    expect(ack).toMatchObject({ decision: 'approved', turn: 0 });
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'completed', endedBy: 'approval', answer: 'turn 0 answer' });
    expect(result.turns).toHaveLength(1);
    expect(h.sim.stats().requestsByRoute['POST /sessions/{id}/messages'] ?? 0).toBe(messagesBefore);
    expect(held.sessionId).toBe(result.sessionId);
  });
});
