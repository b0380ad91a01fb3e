import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createTries, type Harness, sim, startHarness } from '../helpers/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.stop());

describe('a session run as a workflow', () => {
  it('returns the agent answer of a one-shot session', async () => {
    const result = await h.sessions.run({ task: sim({ steps: 3, answer: 'forty-two' }) });
    expect(result).toMatchObject({
      status: 'completed',
      platformStatus: 'completed',
      endedBy: 'agent',
      answer: 'forty-two',
    });
    expect(result.steps).toBe(3);
    expect(result.turns).toHaveLength(1);
    expect(result.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    const status = await h.hai.getStatus(result.sessionId);
    expect(status.status).toBe('completed');
  });

  it('validates a structured answer against a zod schema given by the library', async () => {
    const schema = z.object({ stories: z.array(z.string()) });
    const result = await h.sessions.run({
      task: sim({ steps: 1, answer: { stories: ['a', 'b', 'c'] } }),
      answerSchema: schema,
    });
    expect(result.answer).toEqual({ stories: ['a', 'b', 'c'] });
    expect(result.answerValid).toBe(true);
    // The schema went to the platform as the agent's answer format.
    const session = await h.hai.getSession(result.sessionId);
    expect(JSON.stringify(session.request)).toContain('"agent.answer_format"');
  });

  it('reports an answer that does not match the schema instead of hiding it', async () => {
    const result = await h.sessions.run({
      task: sim({ steps: 1, answer: { stories: 'not a list' } }),
      answerSchema: { type: 'object', properties: { stories: { type: 'array' } }, required: ['stories'] },
    });
    expect(result.status).toBe('completed');
    expect(result.answer).toEqual({ stories: 'not a list' });
    expect(result.answerValid).toBe(false);
    expect(result.answerErrors?.join(' ')).toMatch(/stories.*array/);
  });

  it('reports a platform failure as a failed result with the platform error', async () => {
    const result = await h.sessions.run({
      task: sim({ steps: 1, fail: 'browser crashed', failCode: 'environment_error' }),
    });
    expect(result).toMatchObject({
      status: 'failed',
      platformStatus: 'failed',
      error: 'browser crashed',
      errorCode: 'environment_error',
    });
  });

  it('reports a platform time-out as timed_out', async () => {
    const result = await h.sessions.run({ task: sim({ steps: 1, timeout: true }) });
    expect(result).toMatchObject({ status: 'timed_out', platformStatus: 'timed_out', errorCode: 'timeout' });
  });

  it('refuses an invalid input before starting, naming the field', async () => {
    await expect(h.sessions.start({ task: 'x', maxSteps: 0 })).rejects.toThrow(/maxSteps/);
    await expect(h.sessions.start({})).rejects.toThrow(/exactly one of "task" or "messages"/);
  });

  it('fails the workflow with the reason when the input reaches it invalid', async () => {
    const handle = await h.sessions.temporal.workflow.start('agentSession', {
      taskQueue: h.taskQueue,
      workflowId: `invalid-${Date.now()}`,
      args: [{ task: 'x', maxSteps: -1 }],
    });
    const error = await handle.result().catch((e) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect(String(error.cause?.message)).toMatch(/invalid session input: maxSteps/);
  });
});

describe('a session whose platform key is refused', () => {
  let bad: Harness;
  beforeAll(async () => {
    bad = await startHarness({ simulator: { apiKey: 'hk-right' }, apiKey: 'hk-wrong' });
  });
  afterAll(() => bad?.stop());

  it('fails fast with a clear error and never shows the key', async () => {
    const handle = await bad.sessions.start({ task: 'anything' });
    const error = await handle.result().catch((e) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect(String(error.cause?.message)).toMatch(/could not create the platform session: .*401/);
    const history = await handle.fetchHistory();
    // One try and one request: a 401 is final, not retried.
    expect(createTries(history)).toBe(1);
    expect(bad.sim.stats().requestsByRoute['POST /sessions']).toBe(1);
    expect(JSON.stringify(history)).not.toContain('hk-wrong');
    expect(bad.sim.stats().sessionsCreated).toBe(0);
  });
});
