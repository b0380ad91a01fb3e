// What the session workflow says to the platform and how it takes the platform's refusals: the session input
// reaches POST /sessions under the contract's names, a reused workflow id makes a new session, the 1,000,000-byte
// input limit holds on both sides, and a 401, 403 or 404 after the create ends or refuses with the reason.
import { randomUUID } from 'node:crypto';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotencyKeyFor } from '../../src/activities/create-session';
import { InvalidInputError, toWorkflowInput } from '../../src/client';
import { SESSION_WORKFLOW_TYPE, sendSignal, type SessionProgress } from '../../src/shared/session';
import { eventually, type Harness, sim, startHarness, progressWhere as waitForProgress } from '../helpers/harness';

const KEY = 'hk-test';
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ apiKey: KEY, simulator: { apiKey: KEY, stepMs: 10 } });
});
afterAll(() => h?.stop());

const progressWhere = (id: string, what: string, check: (p: SessionProgress) => boolean, timeoutMs?: number) =>
  waitForProgress(h, id, what, check, timeoutMs);

describe('the session input on the platform', () => {
  it.concurrent('reaches POST /sessions under the names the contract gives them', async () => {
    const parent = randomUUID();
    const inline = { name: 'my-agent', description: 'An agent of our own.', model: 'h/holo-1' };
    const [withTask, withMessages] = await Promise.all([
      h.sessions.start({
        task: sim({ steps: 1, answer: 'one' }, 'the task'),
        agent: 'h/web-surfer-pro',
        maxSteps: 7,
        maxTimeS: 120,
        groupId: 'group-7',
        parentSessionId: parent,
        overrides: { 'agent.max_actions_per_step': 2 },
        queue: false,
      }),
      h.sessions.start({
        messages: [{ message: sim({ steps: 1, answer: 'two' }, 'first message') }],
        agent: inline,
        idleTimeoutS: 30,
      }),
    ]);
    const first = await withTask.result();
    const second = await eventually('second answered', async () => {
      const p = await h.sessions.progress(withMessages.workflowId);
      return p.answer === 'two' ? p : undefined;
    });
    await h.sessions.end(withMessages.workflowId);

    const sent = (await h.hai.getSession(first.sessionId)).request;
    expect(sent).toMatchObject({
      agent: 'h/web-surfer-pro',
      messages: [{ type: 'user_message', message: sim({ steps: 1, answer: 'one' }, 'the task') }],
      max_steps: 7,
      max_time_s: 120,
      group_id: 'group-7',
      parent_session_id: parent,
      overrides: { 'agent.max_actions_per_step': 2 },
      queue: false,
      idle_timeout_s: null,
    });
    const sentSecond = (await h.hai.getSession(second.sessionId!)).request;
    expect(sentSecond).toMatchObject({
      agent: inline,
      messages: [{ type: 'user_message', message: sim({ steps: 1, answer: 'two' }, 'first message') }],
      idle_timeout_s: 30,
      max_steps: null,
      group_id: null,
      queue: true,
    });
    await withMessages.result();
  });

  it.concurrent('of a workflow id used again after its workflow closed makes a new platform session', async () => {
    const workflowId = `reused-${randomUUID()}`;
    const createdBefore = h.sim.stats().sessionsCreated;
    const firstRun = await h.sessions.start({ task: sim({ steps: 1, answer: 'first' }) }, { workflowId });
    const first = await firstRun.result();
    const secondRun = await h.sessions.start({ task: sim({ steps: 1, answer: 'second' }) }, { workflowId });
    const second = await secondRun.result();
    expect([first.answer, second.answer]).toEqual(['first', 'second']);
    expect(second.sessionId).not.toBe(first.sessionId);
    expect(secondRun.firstExecutionRunId).not.toBe(firstRun.firstExecutionRunId);
    const creates = h.sim.stats().createsByIdempotencyKey;
    expect(creates[idempotencyKeyFor(workflowId, firstRun.firstExecutionRunId)]).toBe(1);
    expect(creates[idempotencyKeyFor(workflowId, secondRun.firstExecutionRunId)]).toBe(1);
    expect(h.sim.stats().sessionsCreated - createdBefore).toBeGreaterThanOrEqual(2);
  });

  it.concurrent('over 1,000,000 bytes is refused by the client and by the create activity', async () => {
    // The limit counts the input as the workflow gets it (JSON, UTF-8): here the agent and the task.
    const agent = 'h/web-surfer-flash';
    const overhead = JSON.stringify({ agent, task: '' }).length;
    const justUnder = { agent, task: 'x'.repeat(1_000_000 - overhead) };
    const justOver = { agent, task: 'x'.repeat(1_000_000 - overhead + 1) };
    expect(() => toWorkflowInput(justUnder)).not.toThrow();
    const refused = await h.sessions.start(justOver).catch((e) => e);
    expect(refused).toBeInstanceOf(InvalidInputError);
    expect(refused.message).toMatch(/1000001 bytes, over the 1000000-byte limit/);

    // Started around the client: the create activity refuses it before anything is created.
    const handle = await h.sessions.temporal.workflow.start(SESSION_WORKFLOW_TYPE, {
      taskQueue: h.taskQueue,
      workflowId: `too-large-${randomUUID()}`,
      args: [justOver],
    });
    const failure = await handle.result().catch((e) => e);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect(String(failure.cause?.message)).toMatch(/invalid session input: .*over the 1000000-byte limit/);
    expect(
      h.sim.stats().createsByIdempotencyKey[idempotencyKeyFor(handle.workflowId, handle.firstExecutionRunId)],
    ).toBeUndefined();
  });
});

describe('the platform refusing a session after its create', () => {
  it.concurrent(
    '403 on a steer: the update fails saying so, a signal is recorded as refused, and the session goes on',
    async () => {
      const handle = await h.sessions.start({ task: sim({ steps: 1, answer: 'hello' }), idleTimeoutS: 300 });
      await progressWhere(handle.workflowId, 'first answer', (p) => p.phase === 'awaiting_input');
      const forbidden = 'POST /sessions/{id}/messages';
      const postsBefore = h.sim.stats().requestsByRoute[forbidden] ?? 0;
      h.sim.setFaults({ errorRate: 1, errorStatus: 403, routes: [forbidden] });
      let refused: unknown;
      try {
        refused = await h.sessions.send(handle.workflowId, 'may I?').catch((e) => e);
        await handle.signal(sendSignal, { message: 'and now?' });
        // Both refusals noted (the update's and the signal's), not just the first.
        await progressWhere(
          handle.workflowId,
          'signal refused',
          (p) => p.transitions.filter((t) => t.kind === 'rejected' && /403/.test(t.detail ?? '')).length >= 2,
        );
      } finally {
        h.sim.setFaults({ errorRate: 0, routes: [] });
      }
      expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
      expect(String((refused as WorkflowUpdateFailedError).cause?.message)).toMatch(/send failed: .*403/);
      // Refused, not retried: exactly one attempt per command reached the platform.
      expect((h.sim.stats().requestsByRoute[forbidden] ?? 0) - postsBefore).toBe(2);

      await h.sessions.send(handle.workflowId, sim({ steps: 1, answer: 'allowed' }, 'now allowed'));
      await progressWhere(handle.workflowId, 'second answer', (p) => p.answer === 'allowed');
      await h.sessions.end(handle.workflowId);
      const result = await handle.result();
      expect(result).toMatchObject({ status: 'completed', endedBy: 'end' });
      expect(result.turns.map((t) => t.answer)).toEqual(['hello', 'allowed']);
    },
  );

  // Not concurrent: these change what the whole simulator answers.
  it('404 mid-watch: the session fails at once, saying the platform no longer knows it', async () => {
    const handle = await h.sessions.start({ task: sim({ steps: 100_000, stepMs: 20 }) });
    await progressWhere(handle.workflowId, 'running', (p) => p.status === 'running');
    h.sim.setFaults({
      errorRate: 1,
      errorStatus: 404,
      routes: ['GET /sessions/{id}/changes', 'GET /sessions/{id}/status'],
    });
    try {
      const result = await handle.result();
      expect(result).toMatchObject({ status: 'failed', endedBy: 'platform' });
      expect(result.error).toMatch(/lost track of the platform session: .*404/);
    } finally {
      h.sim.setFaults({ errorRate: 0, routes: [] });
    }
  });

  it('401 mid-watch (the key revoked): the session fails at once, saying the platform refused the key', async () => {
    const handle = await h.sessions.start({ task: sim({ steps: 100_000, stepMs: 20 }) });
    const running = await progressWhere(handle.workflowId, 'running', (p) => p.status === 'running');
    const changesBefore = h.sim.stats().requestsByRoute['GET /sessions/{id}/changes'] ?? 0;
    h.sim.setOptions({ apiKey: 'hk-rotated' });
    try {
      const result = await handle.result();
      expect(result).toMatchObject({ status: 'failed', endedBy: 'platform' });
      expect(result.error).toMatch(/lost track of the platform session: .*401/);
      // Not retried: a handful of requests at most after the key was revoked.
      expect((h.sim.stats().requestsByRoute['GET /sessions/{id}/changes'] ?? 0) - changesBefore).toBeLessThan(5);
    } finally {
      h.sim.setOptions({ apiKey: KEY });
    }
    await h.hai.cancel(running.sessionId!);
  });
});
