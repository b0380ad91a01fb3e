import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotencyKeyFor } from '../../src/activities/create-session';
import { eventually, type Harness, sim, startHarness } from '../helpers/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    simulator: {
      stepMs: 20,
      faults: {
        errorRate: 0.3,
        errorStatus: 503,
        rateLimitRate: 0.1,
        retryAfterS: 1,
        latencyMs: 100,
        dropRate: 0.05,
        malformedRate: 0.05,
      },
    },
  });
});
afterAll(() => h?.stop());

describe('sessions under a platform fault storm', () => {
  it(
    'all finish with their answers, steering included, and no session is created twice',
    { timeout: 180_000 },
    async () => {
      const oneShots = await Promise.all(
        [1, 2, 3, 4, 5].map((n) => h.sessions.start({ task: sim({ steps: 3, answer: `answer ${n}` }) })),
      );
      const chat = await h.sessions.start({ task: sim({ steps: 1, answer: 'hi' }), idleTimeoutS: 300 });
      await eventually(
        'chat answered',
        async () => (await h.sessions.progress(chat.workflowId)).phase === 'awaiting_input',
        90_000,
      );
      await h.sessions.send(chat.workflowId, sim({ steps: 1, answer: 'hi again' }, 'again'));
      await eventually(
        'follow-up answered',
        async () => (await h.sessions.progress(chat.workflowId)).answer === 'hi again',
        90_000,
      );
      await h.sessions.end(chat.workflowId);

      const results = await Promise.all(oneShots.map((s) => s.result()));
      expect(results.map((r) => r.answer)).toEqual([1, 2, 3, 4, 5].map((n) => `answer ${n}`));
      expect(results.every((r) => r.status === 'completed')).toBe(true);
      const chatResult = await chat.result();
      expect(chatResult.turns.map((t) => t.answer)).toEqual(['hi', 'hi again']);

      const creates = h.sim.stats().createsByIdempotencyKey;
      for (const handle of [...oneShots, chat]) {
        expect(creates[idempotencyKeyFor(handle.workflowId, handle.firstExecutionRunId)]).toBe(1);
      }
      // And no session was created under any other key: six workflows, six platform sessions.
      expect(h.sim.stats().sessionsCreated).toBe(6);
      expect(h.sim.stats().faultsInjected).toBeGreaterThan(10);
    },
  );
});
