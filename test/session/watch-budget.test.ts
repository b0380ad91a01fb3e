// A session with no transition for longer than a watch's time budget: the watch returns at its budget (so no
// attempt outlives its start-to-close timeout), the workflow issues the next one from the same cursor, and nothing
// is lost. The budget (20 min) is shortened for this worker with HAI_TEMPORAL_WATCH_BUDGET_MS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type Harness, scheduledWatches, sim, startHarness } from '../helpers/harness';

const BUDGET_MS = 1_000;
let h: Harness;
beforeAll(async () => {
  process.env.HAI_TEMPORAL_WATCH_BUDGET_MS = String(BUDGET_MS);
  h = await startHarness({ simulator: { stepMs: 10 } });
});
afterAll(async () => {
  await h?.stop();
  delete process.env.HAI_TEMPORAL_WATCH_BUDGET_MS;
});

describe('a session quiet for longer than the watch budget', () => {
  it('is watched again and again from the same cursor, and ends with its answer and every event', async () => {
    // One step that takes 5 s: no event, no transition, for five budgets.
    const handle = await h.sessions.start({ task: sim({ steps: 1, stepMs: 5_000, answer: 'worth the wait' }) });
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'completed', answer: 'worth the wait', steps: 1 });
    expect(result.events).toBe((await h.hai.listEvents(result.sessionId, { size: 1 })).total);

    const history = await handle.fetchHistory();
    const events = history.events ?? [];
    const watches = scheduledWatches(history);
    // Several watches, each returned at its budget: none was retried (a timed-out attempt would be).
    expect(watches.length).toBeGreaterThanOrEqual(4);
    const attempts = events.flatMap((e) =>
      e.activityTaskStartedEventAttributes ? [e.activityTaskStartedEventAttributes.attempt ?? 1] : [],
    );
    expect(attempts.every((a) => a === 1)).toBe(true);
    // No event handled twice across the watches.
    const progress = await eventually('progress', () => h.sessions.progress(handle.workflowId));
    const indexes = progress.transitions.map((t) => t.eventIndex).filter((i): i is number => i !== null);
    expect(new Set(indexes).size).toBe(indexes.length);
  });
});
