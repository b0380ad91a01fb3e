// Interactive sessions are not starved by batches: batch children run at a lower Temporal priority, so on a
// worker whose few activity slots a batch saturates, a session started on its own goes first.
import { temporal } from '@temporalio/proto';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { BatchClient } from '../../src/batch/client';
import { createSessionWorker } from '../../src/worker';
import { eventually, type Harness, sim, startHarness } from '../helpers/harness';

let stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.reverse()) await stop();
  stops = [];
});

/** A worker with two activity slots: each running session's watch holds one. */
async function smallWorker(h: Harness): Promise<void> {
  const connection = await NativeConnection.connect({ address: h.temporalAddress });
  const worker: Worker = await createSessionWorker({
    connection,
    namespace: 'default',
    taskQueue: h.taskQueue,
    hai: h.hai,
    workflowBundlePath: inject('workflowBundlePath'),
    tools: [],
    notify: {},
    tuning: { maxConcurrentActivities: 2, maxConcurrentWorkflowTasks: 20, maxCachedWorkflows: undefined },
  });
  const running = worker.run();
  stops.push(async () => {
    worker.shutdown();
    await running.catch(() => undefined);
    await connection.close();
  });
}

/**
 * Starts a batch of 200 items whose creates each hold an activity slot for 250 ms (platform latency), so the
 * worker's two slots have a backlog of about 25 s, then measures how long a session on its own takes to
 * reach running.
 */
async function interactiveWait(priority: number, tenant?: string): Promise<{ ms: number; createdFirst: number }> {
  const h = await startHarness({ noWorker: true, simulator: { concurrencyLimit: 1_000 } });
  stops.push(() => h.stop());
  await smallWorker(h);
  h.sim.setFaults({ latencyMs: 250, routes: ['POST /sessions'] });
  const batches = new BatchClient(h.sessions);
  const id = `prio-${priority}-${Date.now()}`;
  await batches.start(
    Array.from({ length: 200 }, () => ({ task: sim({ steps: 2, stepMs: 5 }) })),
    { id, concurrency: 200, priority, ...(tenant === undefined ? {} : { tenant }) },
  );
  // Saturated: every child started, most of them waiting for an activity slot.
  await eventually('batch saturating the worker', async () => {
    const p = await batches.progress(id);
    // ... with at least 140 creates still waiting in line (each holds a slot for 250 ms).
    return p.counts.running >= 180 && p.counts.succeeded < 5 && h.sim.stats().sessionsCreated <= 60;
  });
  // ... and their creates queued up as activity tasks (not still on their way through workflow tasks).
  await eventually('activity tasks in line', async () => (await activityBacklog(h)) >= 100);
  const started = Date.now();
  const createdBefore = h.sim.stats().sessionsCreated;
  const handle = await h.sessions.start({ task: sim({ steps: 1_000, stepMs: 25 }, 'interactive') });
  await eventually(
    'the interactive session running',
    async () => (await h.sessions.progress(handle.workflowId)).status === 'running',
    90_000,
  );
  // Batch sessions created while the interactive one waited: how far back in the line it was, whatever the CPU.
  return { ms: Date.now() - started, createdFirst: h.sim.stats().sessionsCreated - createdBefore - 1 };
}

async function activityBacklog(h: Harness): Promise<number> {
  const { stats } = await h.sessions.temporal.workflowService.describeTaskQueue({
    namespace: 'default',
    taskQueue: { name: h.taskQueue },
    taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
    reportStats: true,
  });
  return Number(stats?.approximateBacklogCount ?? 0);
}

describe('batch priority', () => {
  it('an interactive session started mid-batch reaches running within 5 s', { timeout: 120_000 }, async () => {
    const waited = await interactiveWait(4);
    console.log(`interactive session running after ${waited.ms} ms, ${waited.createdFirst} batch creates first`);
    expect(waited.ms).toBeLessThan(5_000);
    expect(waited.createdFirst).toBeLessThan(30);
  });

  it('without the lower priority, the same session waits behind the batch', { timeout: 150_000 }, async () => {
    // Priority 3 is an interactive session's own, and no fairness key: one line, first come first served (with the
    // batch's own fairness key, fairness alone lets the session in after about 15 creates). Counted
    // in creates that went first, not in seconds, so that a loaded machine cannot decide the outcome.
    const waited = await interactiveWait(3, '');
    console.log(`without priority: running after ${waited.ms} ms, ${waited.createdFirst} batch creates first`);
    expect(waited.createdFirst).toBeGreaterThanOrEqual(60);
  });
});
