import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import { idempotencyKeyFor } from '../../src/activities/create-session';
import type { WatchProgress } from '../../src/activities/watch-session';
import { progressQuery, sendSignal, type SessionProgress, type SessionResult } from '../../src/shared/session';
import { eventually, type Harness, sim, startHarness, progressWhere as waitForProgress } from '../helpers/harness';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

// A key no log line may show: the workers' output is searched for it at the end.
const KEY = 'hk-crash-secret-5b1e7c2d';
let h: Harness;
const workers: WorkerProcess[] = [];
beforeAll(async () => {
  h = await startHarness({ noWorker: true, apiKey: KEY, simulator: { stepMs: 20 } });
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await h?.stop();
});

const progressWhere = (id: string, what: string, check: (p: SessionProgress) => boolean, timeoutMs?: number) =>
  waitForProgress(h, id, what, check, timeoutMs);

/** The watch activity's heartbeat details as the server holds them (no worker needed). */
async function heartbeatOfWatch(workflowId: string): Promise<WatchProgress> {
  const described = await h.sessions.describe(workflowId);
  const watch = described.raw.pendingActivities?.find((a) => a.activityType?.name === 'watchSession');
  const payloads = watch?.heartbeatDetails?.payloads ?? [];
  return decodeFromPayloadsAtIndex<WatchProgress>(h.sessions.temporal.options.loadedDataConverter, 0, payloads);
}

/** Every platform event handled exactly once: the cursor ends at the platform's count, and no transition repeats an index. */
async function expectEventsHandledOnce(result: SessionResult, workflowId: string) {
  const total = (await h.hai.listEvents(result.sessionId, { size: 1 })).total;
  expect(result.events).toBe(total);
  const progress = await h.sessions.progress(workflowId);
  const indexes = progress.transitions.map((t) => t.eventIndex).filter((i): i is number => i !== null);
  expect(new Set(indexes).size).toBe(indexes.length);
  expect([...indexes].sort((a, b) => a - b)).toEqual(indexes);
}

describe('a worker killed with SIGKILL', () => {
  it(
    'loses no session: creating, watching (by events, and parked lean) and steering all resume on a new worker',
    { timeout: 300_000 },
    async () => {
      const platform = { taskQueue: h.taskQueue, platformUrl: h.sim.url, apiKey: KEY };
      workers.push(await startWorkerProcess(platform));

      // Watching: a long session, mid-run when the worker dies.
      const watching = await h.sessions.start({ task: sim({ steps: 100_000, stepMs: 100 }, 'long') });
      // Parked: a lean session, whose watch waits without an activity and heartbeats by task token.
      const parked = await h.sessions.start({
        task: sim({ steps: 100_000, stepMs: 100 }, 'lean'),
        watch: 'lean',
        leanTakeoverAfter: '30s',
      });
      // Steering: an interactive session waiting for its next message.
      const steering = await h.sessions.start({ task: sim({ steps: 1, answer: 'c1' }, 'chat'), idleTimeoutS: 600 });
      const watched = await progressWhere(watching.workflowId, 'watching mid-run', (p) => p.status === 'running');
      await eventually('steps under way', async () => (await h.hai.getStatus(watched.sessionId!)).steps > 2);
      // The watch attempt heartbeats a cursor past the one the workflow gave it (no transition in between).
      const workflowCursor = (await watching.query(progressQuery)).cursor;
      await eventually(
        'a heartbeated cursor past the workflow cursor',
        async () => (await h.sessions.progress(watching.workflowId)).cursor > workflowCursor,
        30_000,
      );
      await progressWhere(
        steering.workflowId,
        'first answer',
        (p) => p.phase === 'awaiting_input' && p.answer === 'c1',
      );
      await eventually('the lean watch parked', async () => {
        const described = await h.sessions.describe(parked.workflowId);
        return described.raw.pendingActivities?.some((a) => a.activityType?.name === 'watchSession' && a.attempt === 1);
      });

      // Hold creates and messages at the platform, so the worker dies while they are in flight.
      h.sim.setFaults({ latencyMs: 3_000, routes: ['POST /sessions', 'POST /sessions/{id}/messages'] });
      const before = h.sim.stats().requestsByRoute;
      const creating = await h.sessions.start({ task: sim({ steps: 2, answer: 'a' }, 'fresh') });
      await steering.signal(sendSignal, { message: sim({ steps: 1, answer: 'c2' }, 'follow-up') });
      await eventually('create and message in flight', () => {
        const now = h.sim.stats().requestsByRoute;
        return (
          (now['POST /sessions'] ?? 0) > (before['POST /sessions'] ?? 0) &&
          (now['POST /sessions/{id}/messages'] ?? 0) > (before['POST /sessions/{id}/messages'] ?? 0)
        );
      });
      await workers[0]!.kill9();
      h.sim.setFaults({ latencyMs: 0, routes: [] });
      // What the server holds now is what the retried attempt gets: read it once the worker is dead.
      const heartbeated = (await heartbeatOfWatch(watching.workflowId)).cursor;
      expect(heartbeated).toBeGreaterThan(workflowCursor);
      const pollsBeforeKill = (h.sim.stats().changesFromIndex[watched.sessionId!] ?? []).length;

      workers.push(await startWorkerProcess(platform));

      const created = await creating.result();
      expect(created).toMatchObject({ status: 'completed', answer: 'a' });

      await progressWhere(
        steering.workflowId,
        'follow-up answered',
        (p) => p.answer === 'c2' && p.phase === 'awaiting_input',
        90_000,
      );
      await h.sessions.end(steering.workflowId);
      const chat = await steering.result();
      expect(chat.turns.map((t) => t.answer)).toEqual(['c1', 'c2']);

      // The retried watch's first /changes starts at the heartbeated cursor, not at the workflow's.
      const resumedFrom = await eventually(
        'the retried watch polling',
        () => h.sim.stats().changesFromIndex[watched.sessionId!]?.[pollsBeforeKill],
        90_000,
      );
      expect(resumedFrom).toBe(heartbeated);
      // The answer can only arrive through a watch resumed (from its heartbeated cursor) after the dead
      // worker's heartbeat timed out.
      await h.sessions.forceAnswer(watching.workflowId);
      const long = await watching.result();
      expect(long.status).toBe('completed');
      // Its dead worker's parked watch is retried once its heartbeat timeout passes, and sees the forced answer.
      await h.sessions.forceAnswer(parked.workflowId);
      const lean = await parked.result();
      expect(lean).toMatchObject({ status: 'completed', endedBy: 'agent' });
      expect(
        h.sim.stats().createsByIdempotencyKey[idempotencyKeyFor(parked.workflowId, parked.firstExecutionRunId)],
      ).toBe(1);

      for (const [handle, result] of [
        [creating, created],
        [steering, chat],
        [watching, long],
      ] as const) {
        expect(
          h.sim.stats().createsByIdempotencyKey[idempotencyKeyFor(handle.workflowId, handle.firstExecutionRunId)],
        ).toBe(1);
        await expectEventsHandledOnce(result, handle.workflowId);
      }
      // Four workflows, four platform sessions: none created under another key either.
      expect(h.sim.stats().sessionsCreated).toBe(4);
      // The platform key is in the workers' environment only, never in what they print.
      for (const worker of workers) {
        expect(worker.output()).toContain('worker ready');
        expect(worker.output()).not.toContain(KEY);
      }
      // The follow-up reached the platform exactly once.
      const events = await h.hai.listEvents(chat.sessionId, { size: 200 });
      const echoes = events.items.filter((e) => {
        const data = e.data as { kind?: string; content?: unknown[] };
        return data.kind === 'message_event' && String(data.content?.[0]).startsWith('follow-up');
      });
      expect(echoes).toHaveLength(1);
    },
  );
});
