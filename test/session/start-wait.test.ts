// A create waits for its session to start, sparing the workflow a watch whose only news would be `pending` →
// `running`; but a waiting create holds a workflow-task slot, so past `maxStartWaits` the watch waits instead, and
// past 7 s too.
import type { temporal } from '@temporalio/proto';
import { afterEach, describe, expect, it } from 'vitest';
import type { WorkerTuning } from '../../src/config';
import { type Harness, scheduledWatches, sim, startHarness } from '../helpers/harness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const watchesIn = (history: temporal.api.history.v1.IHistory) => scheduledWatches(history).length;

const workflowTasksIn = (history: temporal.api.history.v1.IHistory) =>
  (history.events ?? []).filter((e) => e.workflowTaskStartedEventAttributes).length;

/** A one-shot session on a platform that takes `bootMs` to boot: its answer, its watches and its workflow tasks. */
async function oneShot(
  tuning?: Partial<WorkerTuning>,
  bootMs = 1_500,
): Promise<{ answer: unknown; watches: number; workflowTasks: number }> {
  h = await startHarness({ simulator: { stepMs: 10, bootMs }, ...(tuning ? { tuning } : {}) });
  const handle = await h.sessions.start({ task: sim({ steps: 3, answer: 'booted' }) });
  const { answer } = await handle.result();
  const history = await handle.fetchHistory();
  return { answer, watches: watchesIn(history), workflowTasks: workflowTasksIn(history) };
}

describe('waiting for a session to start', () => {
  it('is done by the create, so one watch follows the session to its answer', async () => {
    expect(await oneShot()).toEqual({ answer: 'booted', watches: 1, workflowTasks: 2 });
  });

  it('is handed to the watch when the worker may not hold more waits', async () => {
    expect(await oneShot({ maxStartWaits: 0 })).toEqual({ answer: 'booted', watches: 2, workflowTasks: 3 });
  });

  // Held past 8 s, the create's workflow task would need a heartbeat: one workflow task more than the watch costs.
  it('is handed to the watch before the first workflow task would need a heartbeat', async () => {
    expect(await oneShot(undefined, 12_000)).toEqual({ answer: 'booted', watches: 2, workflowTasks: 3 });
  }, 90_000);
});
