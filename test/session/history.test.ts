import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotencyKeyFor } from '../../src/activities/create-session';
import type { SessionProgress } from '../../src/shared/session';
import { eventually, type Harness, sim, startHarness } from '../helpers/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ simulator: { stepMs: 1 } });
});
afterAll(() => h?.stop());

const historyLength = async (workflowId: string) =>
  (await h.sessions.handle(workflowId).fetchHistory()).events?.length ?? 0;

describe('workflow history', () => {
  it('grows with transitions, not steps: 10 and 1,000 steps give about the same history', async () => {
    const [short, long] = await Promise.all([
      h.sessions.start({ task: sim({ steps: 10, stepMs: 1, answer: 'short' }) }),
      h.sessions.start({ task: sim({ steps: 1000, stepMs: 1, answer: 'long' }) }),
    ]);
    const [shortResult, longResult] = await Promise.all([short.result(), long.result()]);
    expect(shortResult).toMatchObject({ answer: 'short', steps: 10 });
    expect(longResult).toMatchObject({ answer: 'long', steps: 1000 });
    // Every platform event was read: the cursor ends at the platform's own event count.
    expect(longResult.events).toBe((await h.hai.listEvents(longResult.sessionId, { size: 1 })).total);
    const [shortLength, longLength] = await Promise.all([
      historyLength(short.workflowId),
      historyLength(long.workflowId),
    ]);
    // At most one more watch round trip (activity + workflow task + search attribute events), whatever the steps.
    expect(Math.abs(longLength - shortLength)).toBeLessThanOrEqual(10);
    expect(longLength).toBeLessThan(60);
  });

  it('continues as new without losing the session or its turns (steering across it: continue-as-new.test.ts)', async () => {
    const createdBefore = h.sim.stats().sessionsCreated;
    const handle = await h.sessions.start({
      task: sim({ steps: 1, answer: 'a1' }),
      idleTimeoutS: 300,
      continueAsNewEvery: 2,
    });
    const id = handle.workflowId;
    const waitAnswer = (answer: string) =>
      eventually(`answer ${answer}`, async () => {
        const p: SessionProgress = await h.sessions.progress(id);
        return p.phase === 'awaiting_input' && p.answer === answer ? p : undefined;
      });
    const first = await waitAnswer('a1');
    for (const n of [2, 3, 4]) {
      await h.sessions.send(id, sim({ steps: 1, answer: `a${n}` }, `turn ${n}`));
      await waitAnswer(`a${n}`);
    }
    await h.sessions.end(id);
    const result = await h.sessions.handle(id).result();
    expect(result.sessionId).toBe(first.sessionId);
    expect(result.turns.map((t) => t.answer)).toEqual(['a1', 'a2', 'a3', 'a4']);
    const firstRun = await h.sessions.temporal.workflow.getHandle(id, handle.firstExecutionRunId).describe();
    expect(firstRun.status.name).toBe('CONTINUED_AS_NEW');
    expect(h.sim.stats().createsByIdempotencyKey[idempotencyKeyFor(id, handle.firstExecutionRunId)]).toBe(1);
    expect(h.sim.stats().sessionsCreated - createdBefore).toBe(1);
  });
});
