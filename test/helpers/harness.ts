// A test's world: the run's Temporal dev server, a fresh simulator over HTTP, and an in-process worker on
// a task queue of the test's own, so test files run in parallel without seeing each other's sessions.
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { NativeConnection, Runtime, DefaultLogger, type Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import { SessionClient } from '../../src/client';
import type { SessionProgress } from '../../src/shared/session';
import { HaiClient } from '../../src/hai/client';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../src/simulator';
import { loadWorkerTuning, type NotifySettings, type WorkerTuning } from '../../src/config';
import type { Tool } from '../../src/tools/registry';
import { createSessionWorker } from '../../src/worker';

let runtimeInstalled = false;
function quietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({ logger: new DefaultLogger((process.env.HAI_TEST_LOG_LEVEL as 'WARN' | undefined) ?? 'ERROR') });
}

export interface Harness {
  sessions: SessionClient;
  sim: RunningSimulator;
  hai: HaiClient;
  taskQueue: string;
  temporalAddress: string;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  simulator?: Partial<SimulatorOptions>;
  /** Start no worker (for tests that run the worker as a child process). */
  noWorker?: boolean;
  /** The key the worker's platform client sends (default: one the simulator accepts). */
  apiKey?: string;
  tools?: Tool[];
  notify?: NotifySettings;
  /** Worker settings over the defaults. */
  tuning?: Partial<WorkerTuning>;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  quietRuntime();
  const temporalAddress = inject('temporalAddress');
  const sim = await startSimulator({ stepMs: 10, ...opts.simulator });
  const hai = new HaiClient({ baseUrl: sim.url, apiKey: opts.apiKey ?? 'hk-test', retryDeadlineMs: 30_000 });
  const taskQueue = `test-${randomUUID()}`;
  const connection = await Connection.connect({ address: temporalAddress });
  const sessions = new SessionClient(new Client({ connection }), taskQueue);

  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  let nativeConnection: NativeConnection | undefined;
  if (!opts.noWorker) {
    nativeConnection = await NativeConnection.connect({ address: temporalAddress });
    worker = await createSessionWorker({
      connection: nativeConnection,
      namespace: 'default',
      taskQueue,
      hai,
      workflowBundlePath: inject('workflowBundlePath'),
      tools: opts.tools ?? [],
      notify: opts.notify ?? {},
      ...(opts.tuning ? { tuning: { ...loadWorkerTuning({}), ...opts.tuning } } : {}),
    });
    running = worker.run();
  }

  return {
    sessions,
    sim,
    hai,
    taskQueue,
    temporalAddress,
    async stop() {
      if (worker && worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await nativeConnection?.close();
      await connection.close();
      await hai.close();
      await sim.close();
    },
  };
}

/** Waits until `check` returns a value (not undefined/false), polling; fails with `what` after the deadline. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A scripted-agent directive for the simulator, embedded in a task as any faithful platform would treat text. */
export const sim = (script: Record<string, unknown>, task = 'test task') => `${task} [sim ${JSON.stringify(script)}]`;

/** Waits until a session's progress passes `check`, and returns that progress. */
export function progressWhere(
  h: { sessions: SessionClient },
  workflowId: string,
  what: string,
  check: (p: SessionProgress) => boolean,
  timeoutMs?: number,
): Promise<SessionProgress> {
  return eventually(
    what,
    async () => {
      const p = await h.sessions.progress(workflowId);
      return check(p) ? p : undefined;
    },
    timeoutMs,
  );
}

type HistoryEvents = { events?: temporal.api.history.v1.IHistoryEvent[] | null };

/**
 * How many times a session workflow tried to create its platform session, from its history: its first try in a
 * workflow task (a local activity marker) and the create activity's attempts after it.
 */
export function createTries(history: HistoryEvents): number {
  const events = history.events ?? [];
  const here = events.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity').length;
  const attempts = events.map((e) => e.activityTaskStartedEventAttributes?.attempt ?? 0);
  return here + Math.max(0, ...attempts);
}

/** The watches a session workflow scheduled, in order: each one's scheduled event (its options and input). */
export function scheduledWatches(
  history: HistoryEvents,
): temporal.api.history.v1.IActivityTaskScheduledEventAttributes[] {
  return (history.events ?? []).flatMap((e) => {
    const scheduled = e.activityTaskScheduledEventAttributes;
    return scheduled?.activityType?.name === 'watchSession' ? [scheduled] : [];
  });
}
