// Lean watches wait parked (async activity completion): they hold no activity slot, heartbeat by task token, and a
// worker that stops hands them over at once instead of after their heartbeat timeout.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { temporal } from '@temporalio/proto';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../../src/activities';
import { idempotencyKeyFor } from '../../src/activities/create-session';
import { eventually, type Harness, scheduledWatches, sim, startHarness } from '../helpers/harness';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

const { PENDING_ACTIVITY_STATE_STARTED, PENDING_ACTIVITY_STATE_SCHEDULED } = temporal.api.enums.v1.PendingActivityState;
const endless = (name: string) => sim({ steps: 100_000, stepMs: 100 }, name);

async function pendingWatch(h: Harness, workflowId: string) {
  const described = await h.sessions.describe(workflowId);
  return described.raw.pendingActivities?.find((a) => a.activityType?.name === 'watchSession');
}

describe('a worker with two activity slots', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ simulator: { concurrencyLimit: 50 }, tuning: { maxConcurrentActivities: 2 } });
  });
  afterAll(() => h?.stop());

  it('follows twelve lean sessions at once, heartbeating each, and completes them', { timeout: 200_000 }, async () => {
    const handles = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        h.sessions.start({ task: endless(`lean ${i}`), watch: 'lean', leanTakeoverAfter: '60s' }),
      ),
    );
    // With a slot per watch, ten of them would wait on the task queue, scheduled but not started.
    await eventually(
      'every lean watch started',
      async () => {
        const watches = await Promise.all(handles.map((x) => pendingWatch(h, x.workflowId)));
        return watches.every((w) => w?.state === PENDING_ACTIVITY_STATE_STARTED);
      },
      30_000,
    );
    // The first beat is due at 0.8 × the 60 s heartbeat timeout; a watch that sent none would be retried at 60 s.
    const beat = await eventually(
      'a heartbeat by task token',
      async () => {
        const w = await pendingWatch(h, handles[0]!.workflowId);
        return w?.lastHeartbeatTime ? w : undefined;
      },
      58_000,
    );
    expect(beat.attempt).toBe(1);

    await Promise.all(handles.map((x) => h.sessions.forceAnswer(x.workflowId)));
    const results = await Promise.all(handles.map((x) => x.result()));
    for (const r of results) expect(r).toMatchObject({ status: 'completed', endedBy: 'agent' });
    expect(new Set(results.map((r) => r.sessionId)).size).toBe(12);
    // Every watch scheduled with the session's 60 s.
    for (const x of handles) expect(new Set(await leanWatchTimeouts(x.workflowId))).toEqual(new Set([60]));
  });

  it('gives a lean watch 10 minutes to be taken over unless the session says otherwise', async () => {
    const handle = await h.sessions.start({ task: endless('default takeover'), watch: 'lean' });
    await eventually('the lean watch scheduled', async () => (await leanWatchTimeouts(handle.workflowId)).length > 0);
    await h.sessions.forceAnswer(handle.workflowId);
    expect(await handle.result()).toMatchObject({ status: 'completed', endedBy: 'agent' });
    expect(new Set(await leanWatchTimeouts(handle.workflowId))).toEqual(new Set([600]));
  });

  /** The heartbeat timeout (s) of each watch the workflow scheduled. */
  async function leanWatchTimeouts(workflowId: string): Promise<number[]> {
    const history = await h.sessions.temporal.workflow.getHandle(workflowId).fetchHistory();
    return scheduledWatches(history).map((w) => Number(w.heartbeatTimeout?.seconds ?? 0));
  }
});

describe('a worker that shuts down', () => {
  let h: Harness;
  const workers: WorkerProcess[] = [];
  beforeAll(async () => {
    h = await startHarness({ noWorker: true });
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await h?.stop();
  });

  it('hands its parked lean watches over at once, and another worker finishes them', { timeout: 90_000 }, async () => {
    const platform = { taskQueue: h.taskQueue, platformUrl: h.sim.url };
    workers.push(await startWorkerProcess(platform));
    const handles = await Promise.all(
      [0, 1, 2].map((i) => h.sessions.start({ task: endless(`handed over ${i}`), watch: 'lean' })),
    );
    await eventually('every lean watch parked', async () => {
      const watches = await Promise.all(handles.map((x) => pendingWatch(h, x.workflowId)));
      return watches.every((w) => w?.state === PENDING_ACTIVITY_STATE_STARTED);
    });

    await workers[0]!.stop();
    // Failed as retryable by the stopping worker, not timed out 150 s later: each waits for the next worker.
    const handedOver = await Promise.all(handles.map((x) => pendingWatch(h, x.workflowId)));
    for (const w of handedOver) {
      expect(w).toMatchObject({ state: PENDING_ACTIVITY_STATE_SCHEDULED, attempt: 2 });
      expect(w?.lastFailure?.message).toMatch(/worker shut down/);
    }

    workers.push(await startWorkerProcess(platform));
    await eventually('the next worker following them', async () => {
      const watches = await Promise.all(handles.map((x) => pendingWatch(h, x.workflowId)));
      return watches.every((w) => w?.state === PENDING_ACTIVITY_STATE_STARTED && w.attempt === 2);
    });
    await Promise.all(handles.map((x) => h.sessions.forceAnswer(x.workflowId)));
    for (const x of handles) {
      expect(await x.result()).toMatchObject({ status: 'completed', endedBy: 'agent' });
      expect(h.sim.stats().createsByIdempotencyKey[idempotencyKeyFor(x.workflowId, x.firstExecutionRunId)]).toBe(1);
    }
  });
});

describe('a worker built from createActivities alone', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ noWorker: true });
  });
  afterAll(() => h?.stop());

  it('follows a lean session inside its activity, with nowhere to park it', async () => {
    const connection = await NativeConnection.connect({ address: h.temporalAddress });
    try {
      const worker = await Worker.create({
        connection,
        taskQueue: h.taskQueue,
        workflowBundle: { codePath: inject('workflowBundlePath') },
        activities: createActivities(h.hai),
      });
      const result = await worker.runUntil(
        h.sessions.run({ task: sim({ steps: 5, answer: 'followed in place' }), watch: 'lean' }),
      );
      expect(result).toMatchObject({ status: 'completed', answer: 'followed in place' });
    } finally {
      await connection.close();
    }
  });
});
