// A create waits for its session to start, sparing the workflow a watch whose only news would be `pending` →
// `running`; but a waiting create holds a workflow-task slot, so past `maxStartWaits` the watch waits instead.
import type { temporal } from '@temporalio/proto';
import { afterEach, describe, expect, it } from 'vitest';
import type { WorkerTuning } from '../../src/config';
import { type Harness, sim, startHarness } from '../helpers/harness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const watchesIn = (history: temporal.api.history.v1.IHistory) =>
  (history.events ?? []).filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'watchSession')
    .length;

/** A one-shot session on a platform that takes 1.5 s to boot: its answer, and how many watches followed it. */
async function oneShot(tuning?: Partial<WorkerTuning>): Promise<{ answer: unknown; watches: number }> {
  h = await startHarness({ simulator: { stepMs: 10, bootMs: 1_500 }, ...(tuning ? { tuning } : {}) });
  const handle = await h.sessions.start({ task: sim({ steps: 3, answer: 'booted' }) });
  const { answer } = await handle.result();
  return { answer, watches: watchesIn(await handle.fetchHistory()) };
}

describe('waiting for a session to start', () => {
  it('is done by the create, so one watch follows the session to its answer', async () => {
    expect(await oneShot()).toEqual({ answer: 'booted', watches: 1 });
  });

  it('is handed to the watch when the worker may not hold more waits', async () => {
    expect(await oneShot({ maxStartWaits: 0 })).toEqual({ answer: 'booted', watches: 2 });
  });
});
