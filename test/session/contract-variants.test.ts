// The platform contract leaves some behaviour open (hai-api.md GUESS points). The workflow must give the
// same results whichever way a faithful implementation answers them, so here the simulator answers the
// other way from its defaults.
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type Harness, sim, startHarness } from '../helpers/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    simulator: {
      stepMs: 10,
      messageToTerminal: 'reject',
      idleTimeoutStatus: 'timed_out',
      controlOnInactive: 'reject',
      answerAsJsonString: true,
      changesPageCap: 1,
      queuedCountsAgainstQuota: true,
      concurrencyLimit: 1,
    },
  });
});
afterAll(() => h?.stop());

describe('a platform that answers the open questions the other way', () => {
  it('reads a structured answer delivered as a JSON string, one event per page', async () => {
    const result = await h.sessions.run({
      task: sim({ steps: 3, answer: { total: 3 } }),
      answerSchema: { type: 'object', properties: { total: { type: 'integer' } }, required: ['total'] },
    });
    expect(result).toMatchObject({ status: 'completed', answer: { total: 3 }, answerValid: true });
    expect(result.events).toBe((await h.hai.listEvents(result.sessionId, { size: 1 })).total);
  });

  it('treats an idle window that lapses into timed_out as the end of an interactive session', async () => {
    const result = await h.sessions.run({ task: sim({ steps: 1, answer: 'bye' }), idleTimeoutS: 1 });
    expect(result).toMatchObject({
      status: 'completed',
      endedBy: 'idle_timeout',
      platformStatus: 'timed_out',
      answer: 'bye',
    });
  });

  it('reports a refused pause clearly and keeps the session going', async () => {
    const handle = await h.sessions.start({ task: sim({ steps: 1, answer: 'waiting' }), idleTimeoutS: 300 });
    await eventually('idle', async () => (await h.sessions.progress(handle.workflowId)).phase === 'awaiting_input');
    const refused = await h.sessions.pause(handle.workflowId).catch((e) => e);
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(String(refused.cause?.message)).toMatch(/pause failed: .*409/);
    await h.sessions.send(handle.workflowId, sim({ steps: 1, answer: 'still here' }, 'next'));
    await eventually('next answer', async () => (await h.sessions.progress(handle.workflowId)).answer === 'still here');
    await h.sessions.end(handle.workflowId);
    expect((await handle.result()).turns).toHaveLength(2);
  });

  it('waits through the queue when the concurrency quota is full', async () => {
    const [first, second] = await Promise.all([
      h.sessions.start({ task: sim({ steps: 5, answer: 'first' }) }),
      h.sessions.start({ task: sim({ steps: 1, answer: 'second' }) }),
    ]);
    const results = await Promise.all([first.result(), second.result()]);
    expect(results.map((r) => r.answer)).toEqual(['first', 'second']);
  });
});
