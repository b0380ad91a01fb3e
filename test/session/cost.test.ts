import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, sim, startHarness } from '../helpers/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.stop());

describe('session cost', () => {
  it("carries the platform's USD cost in the result", async () => {
    const result = await h.sessions.run({ task: sim({ steps: 5, stepMs: 5, answer: 'done' }) });
    const platform = await h.hai.getChanges(result.sessionId, { fromIndex: 0, includeEvents: false });
    expect(result.costUsd).toBeGreaterThan(0);
    expect(result.costUsd).toBeCloseTo(platform!.metrics!.total_cost!, 10);
  });

  it('forces an answer once the cost passes maxCostUsd, and only once', async () => {
    const result = await h.sessions.run({
      task: sim({ steps: 400, stepMs: 20, answer: 'full answer' }),
      maxCostUsd: 0.01,
    });
    expect(result.status).toBe('completed');
    expect(result.costUsd).toBeGreaterThanOrEqual(0.01);
    // Forced long before the script's 400 steps; a step costs about 0.001 USD on the simulator.
    expect(result.steps).toBeLessThan(100);
    const forced = (await h.sim.stats()).requestsByRoute?.['POST /sessions/{id}/force_answer'];
    expect(forced).toBe(1);
  });
});
