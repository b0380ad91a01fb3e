import { WorkflowFailedError, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/client';
import { progressQuery, sendSignal, sendUpdate, type SessionProgress } from '../../src/shared/session';
import { eventually, type Harness, sim, startHarness, progressWhere as waitForProgress } from '../helpers/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.stop());

const progressWhere = (id: string, what: string, check: (p: SessionProgress) => boolean, timeoutMs?: number) =>
  waitForProgress(h, id, what, check, timeoutMs);

describe('steering a running session', () => {
  it('runs an interactive session turn by turn through send, and ends it on request', async () => {
    const handle = await h.sessions.start({ task: sim({ steps: 2, answer: 'first answer' }), idleTimeoutS: 300 });
    const id = handle.workflowId;
    await progressWhere(id, 'first answer', (p) => p.phase === 'awaiting_input' && p.answer === 'first answer');

    const ack = await h.sessions.send(id, sim({ steps: 1, answer: 'second answer' }, 'and then?'));
    expect(ack.command).toBe('send');
    await progressWhere(id, 'second answer', (p) => p.phase === 'awaiting_input' && p.answer === 'second answer');

    await h.sessions.end(id);
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'completed', endedBy: 'end', answer: 'second answer' });
    expect(result.turns.map((t) => t.answer)).toEqual(['first answer', 'second answer']);
    expect(result.turns[1]?.message).toContain('and then?');
  });

  it('ends an interactive session when the platform idle window lapses', async () => {
    const result = await h.sessions.run({ task: sim({ steps: 1, answer: 'only answer' }), idleTimeoutS: 1 });
    expect(result).toMatchObject({ status: 'completed', endedBy: 'idle_timeout', answer: 'only answer' });
  });

  it('pauses and resumes a session, which then finishes with its answer', async () => {
    const handle = await h.sessions.start({ task: sim({ steps: 40, stepMs: 50, answer: 'after pause' }) });
    const id = handle.workflowId;
    await progressWhere(id, 'running', (p) => p.status === 'running');
    expect((await h.sessions.pause(id)).command).toBe('pause');
    const paused = await progressWhere(id, 'paused', (p) => p.status === 'paused');
    // Nothing moves while paused.
    const stepsWhilePaused = (await h.hai.getStatus(paused.sessionId!)).steps;
    expect((await h.hai.getStatus(paused.sessionId!)).status).toBe('paused');
    await h.sessions.resume(id);
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'completed', answer: 'after pause' });
    expect(result.steps).toBeGreaterThan(stepsWhilePaused);
  });

  it('shows live steps while the agent works between transitions', { timeout: 60_000 }, async () => {
    const handle = await h.sessions.start({ task: sim({ steps: 100_000, stepMs: 20 }) });
    const live = await eventually(
      'steps from the watch heartbeat',
      async () => {
        const p = await h.sessions.progress(handle.workflowId);
        return p.status === 'running' && p.steps >= 50 ? p : undefined;
      },
      40_000,
    );
    // The workflow's own state only moves on transitions; the live figure comes from the heartbeat.
    expect((await handle.query(progressQuery)).steps).toBeLessThan(live.steps);
    await h.sessions.cancel(handle.workflowId);
  });

  it('makes the agent answer at once on force answer', async () => {
    const handle = await h.sessions.start({ task: sim({ steps: 1000, stepMs: 20 }) });
    const id = handle.workflowId;
    const running = await progressWhere(id, 'running', (p) => p.status === 'running');
    await eventually('steps under way', async () => (await h.hai.getStatus(running.sessionId!)).steps > 0);
    await h.sessions.forceAnswer(id);
    const result = await handle.result();
    expect(result.status).toBe('completed');
    expect(result.answer).not.toBeNull();
    expect(result.steps).toBeLessThan(1000);
  });

  it('cancels the platform session on the cancel update', async () => {
    const handle = await h.sessions.start({ task: sim({ steps: 1000, stepMs: 20 }) });
    const id = handle.workflowId;
    const running = await progressWhere(id, 'running', (p) => p.status === 'running');
    await h.sessions.cancel(id, 'not needed');
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'cancelled', endedBy: 'cancel', platformStatus: 'interrupted' });
    expect((await h.hai.getStatus(running.sessionId!)).status).toBe('interrupted');
  });

  it('cancels the platform session when the workflow itself is cancelled', async () => {
    const handle = await h.sessions.start({ task: sim({ steps: 1000, stepMs: 20 }) });
    const running = await progressWhere(handle.workflowId, 'running', (p) => p.status === 'running');
    await handle.cancel();
    const error = await handle.result().catch((e) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect(error.cause).toBeInstanceOf(CancelledFailure);
    await eventually(
      'platform session interrupted',
      async () => (await h.hai.getStatus(running.sessionId!)).status === 'interrupted',
    );
  });

  it('takes steering by signal too', async () => {
    const handle = await h.sessions.start({ task: sim({ steps: 1, answer: 'one' }), idleTimeoutS: 300 });
    const id = handle.workflowId;
    await progressWhere(id, 'first answer', (p) => p.phase === 'awaiting_input');
    await handle.signal(sendSignal, { message: sim({ steps: 1, answer: 'two' }, 'more') });
    await progressWhere(id, 'second answer', (p) => p.answer === 'two' && p.phase === 'awaiting_input');
    await h.sessions.end(id);
    expect((await handle.result()).turns).toHaveLength(2);
  });
});

describe('bad steering input', () => {
  it('refuses bad updates with a clear reason and leaves the session unharmed', async () => {
    const handle = await h.sessions.start({ task: sim({ steps: 1, answer: 'fine' }), idleTimeoutS: 300 });
    const id = handle.workflowId;
    await progressWhere(id, 'answer', (p) => p.phase === 'awaiting_input');

    await expect(h.sessions.send(id, '   ')).rejects.toThrow(InvalidInputError);
    const empty = await handle.executeUpdate(sendUpdate, { args: [{ message: '   ' }] }).catch((e) => e);
    expect(empty).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(String(empty.cause?.message)).toMatch(/must not be empty/);
    const malformed = (await handle
      .executeUpdate('send', { args: [{ text: 'wrong field' }] })
      .catch((e) => e)) as WorkflowUpdateFailedError;
    expect(String(malformed.cause?.message)).toMatch(/send needs \{"message"/);

    // Over the limit: the library refuses it before it travels, and so does the workflow's validator.
    const huge = await h.sessions.send(id, 'x'.repeat(10_000_001)).catch((e) => e);
    expect(huge).toBeInstanceOf(InvalidInputError);
    expect(huge.message).toMatch(/10000001 bytes, over the 1000000-byte limit/);
    const large = await handle
      .executeUpdate(sendUpdate, { args: [{ message: 'x'.repeat(1_500_000) }] })
      .catch((e) => e);
    expect(large).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(String(large.cause?.message)).toMatch(/over the 1000000-byte limit/);

    const unknownCommand = (await handle.executeUpdate('reboot').catch((e) => e)) as WorkflowUpdateFailedError;
    expect(unknownCommand).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(String(unknownCommand.cause?.message)).toMatch(/reboot/);

    // Bad signals cannot be refused, so they are recorded as rejected and otherwise ignored.
    await handle.signal(sendSignal, { message: '' });
    await progressWhere(id, 'rejection recorded', (p) =>
      p.transitions.some((t) => t.kind === 'rejected' && /send/.test(t.detail ?? '')),
    );

    await h.sessions.send(id, sim({ steps: 1, answer: 'still fine' }, 'next'));
    await progressWhere(id, 'next answer', (p) => p.answer === 'still fine');
    await h.sessions.end(id);
    const result = await handle.result();
    expect(result.status).toBe('completed');
    expect(result.turns.map((t) => t.answer)).toEqual(['fine', 'still fine']);
  });

  it('refuses steering once the session has ended', async () => {
    const handle = await h.sessions.start({ task: sim({ steps: 1, answer: 'done' }), idleTimeoutS: 300 });
    await progressWhere(handle.workflowId, 'answer', (p) => p.phase === 'awaiting_input');
    await h.sessions.cancel(handle.workflowId);
    await handle.result();
    const late = await h.sessions.send(handle.workflowId, 'hello?').catch((e) => e);
    expect(late).toBeInstanceOf(Error);
    // The workflow has closed, so Temporal itself answers, and says why.
    expect(late).toBeInstanceOf(WorkflowNotFoundError);
    expect(late.message).toBe('workflow execution already completed');
  });
});
