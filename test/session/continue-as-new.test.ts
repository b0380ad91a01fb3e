// Continue-as-new carries a session whole: steering sent while it is due reaches the platform exactly once and in
// order (the workflow drains its steering queue first), the cursor it carries is the count of events it read (none
// lost, none read twice), and Temporal's own `continueAsNewSuggested` triggers it without `continueAsNewEvery`.
import { randomUUID } from 'node:crypto';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { idempotencyKeyFor } from '../../src/activities/create-session';
import { HaiClient } from '../../src/hai/client';
import { SessionClient } from '../../src/client';
import { sendSignal, type SessionProgress } from '../../src/shared/session';
import { startSimulator } from '../../src/simulator';
import { devServerExecutable } from '../../src/temporal/cli-binary';
import { SEARCH_ATTRIBUTES } from '../../src/temporal/search-attributes';
import { createSessionWorker } from '../../src/worker';
import type { SessionCarryOver } from '../../src/workflows/agent-session';
import { eventually, type Harness, scheduledWatches, sim, startHarness } from '../helpers/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ simulator: { stepMs: 5 } });
});
afterAll(() => h?.stop());

/** The user messages the platform received, in order. */
const platformMessages = async (hai: HaiClient, sessionId: string) =>
  (await hai.listEvents(sessionId, { size: 200 })).items.flatMap((e) => {
    const data = (e.data ?? {}) as { kind?: string; caller_id?: string; content?: unknown[] };
    return data.kind === 'message_event' && data.caller_id === 'user' ? [String(data.content?.[0])] : [];
  });

/** Every run of a workflow id, first to last, with the state each carried into the next. */
async function runChain(sessions: SessionClient, workflowId: string) {
  const runs: Array<{ runId: string; carried: SessionCarryOver | null }> = [];
  for await (const wf of sessions.temporal.workflow.list({ query: `WorkflowId = '${workflowId}'` })) {
    const history = await sessions.temporal.workflow.getHandle(workflowId, wf.runId).fetchHistory();
    const last = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes;
    const carried = last?.input?.payloads
      ? await decodeFromPayloadsAtIndex<SessionCarryOver>(
          sessions.temporal.options.loadedDataConverter,
          1,
          last.input.payloads,
        )
      : null;
    runs.push({ runId: wf.runId, carried });
  }
  return runs.reverse(); // listed newest first
}

/** The cursor a run's first watch started from (its activity input). */
async function firstWatchCursor(sessions: SessionClient, workflowId: string, runId: string): Promise<number> {
  const history = await sessions.temporal.workflow.getHandle(workflowId, runId).fetchHistory();
  const [scheduled] = scheduledWatches(history);
  const input = await decodeFromPayloadsAtIndex<{ cursor: number }>(
    sessions.temporal.options.loadedDataConverter,
    0,
    scheduled?.input?.payloads ?? [],
  );
  return input.cursor;
}

describe('continue-as-new', () => {
  it('delivers signals and updates sent while it is due exactly once, in order, and carries the cursor', async () => {
    const createdBefore = h.sim.stats().sessionsCreated;
    const handle = await h.sessions.start({
      task: sim({ steps: 1, answer: 'a0' }, 'task'),
      idleTimeoutS: 300,
      continueAsNewEvery: 1,
    });
    const id = handle.workflowId;
    const first = await eventually('first answer', async () => {
      const p: SessionProgress = await h.sessions.progress(id);
      return p.phase === 'awaiting_input' && p.answer === 'a0' ? p : undefined;
    });
    const sessionId = first.sessionId!;

    // Back to back, each delivery slowed down: the first one's transition makes a continue-as-new due while the
    // others still wait in the steering queue.
    h.sim.setFaults({ latencyMs: 300, routes: ['POST /sessions/{id}/messages'] });
    const texts = [1, 2, 3, 4, 5, 6].map((n) => sim({ steps: 1, answer: `a${n}` }, `message ${n}`));
    for (const message of texts.slice(0, 4)) await handle.signal(sendSignal, { message });
    // (Signals alone first: pending updates would hold the continue-as-new back by themselves.)
    await eventually('the signals delivered', async () => (await platformMessages(h.hai, sessionId)).length >= 5);
    const acks = await Promise.all(texts.slice(4).map((m) => h.sessions.send(id, m)));
    expect(acks.map((a) => a.command)).toEqual(['send', 'send']);
    h.sim.setFaults({ latencyMs: 0, routes: [] });

    const expected = ['task', ...texts.map((t) => t.split(' [sim')[0]!)];
    await eventually(
      'every message delivered and the session idle',
      async () => {
        const [messages, status] = await Promise.all([platformMessages(h.hai, sessionId), h.hai.getStatus(sessionId)]);
        return messages.length >= expected.length && status.status === 'idle';
      },
      40_000,
    );
    // Exactly once each, in the order sent (the updates, sent together, may come in either order).
    const delivered = (await platformMessages(h.hai, sessionId)).map((m) => m.split(' [sim')[0]!);
    expect(delivered.slice(0, 5)).toEqual(expected.slice(0, 5));
    expect(delivered.slice(5).sort()).toEqual(expected.slice(5).sort());
    expect(delivered).toHaveLength(expected.length);

    // The latest run has read every event the platform has, once the session settled.
    const total = (await h.hai.listEvents(sessionId, { size: 1 })).total;
    const settled = await eventually('the workflow caught up', async () => {
      const p = await h.sessions.progress(id);
      return p.phase === 'awaiting_input' && p.cursor === total ? p : undefined;
    });
    expect(settled.sessionId).toBe(sessionId);
    // No event handled twice: each transition's event index appears once, in order, across the runs.
    const indexes = settled.transitions.map((t) => t.eventIndex).filter((i): i is number => i !== null);
    expect(new Set(indexes).size).toBe(indexes.length);
    expect([...indexes].sort((a, b) => a - b)).toEqual(indexes);
    await h.sessions.end(id);
    const result = await handle.result();
    expect(result.events).toBe((await h.hai.listEvents(sessionId, { size: 1 })).total);

    // It continued as new several times; each run carried a cursor no smaller than the one before.
    const runs = await runChain(h.sessions, id);
    const carried = runs.flatMap((r) => (r.carried ? [r.carried.state.cursor] : []));
    expect(carried.length).toBeGreaterThanOrEqual(3);
    expect([...carried].sort((a, b) => a - b)).toEqual(carried);
    expect(carried.at(-1)!).toBeLessThanOrEqual(result.events);
    // Each new run watches from exactly the cursor the run before it carried.
    for (const [i, run] of runs.entries()) {
      if (i === 0 || !runs[i - 1]!.carried?.state.sessionId) continue;
      expect(await firstWatchCursor(h.sessions, id, run.runId)).toBe(runs[i - 1]!.carried!.state.cursor);
    }
    expect(runs.every((r) => !r.carried?.pendingSignals?.length)).toBe(true);
    expect(h.sim.stats().createsByIdempotencyKey[idempotencyKeyFor(id, handle.firstExecutionRunId)]).toBe(1);
    expect(h.sim.stats().sessionsCreated - createdBefore).toBe(1);
  });

  it(
    'happens when Temporal suggests it (a server whose history limit suggests it after 40 events)',
    { timeout: 120_000 },
    async () => {
      const env = await TestWorkflowEnvironment.createLocal({
        server: {
          executable: devServerExecutable(),
          searchAttributes: SEARCH_ATTRIBUTES,
          extraArgs: [
            '--dynamic-config-value',
            'limit.historyCount.suggestContinueAsNew=40',
            '--dynamic-config-value',
            'frontend.enableUpdateWorkflowExecution=true',
          ],
        },
      });
      const simulator = await startSimulator({ stepMs: 5 });
      const hai = new HaiClient({ baseUrl: simulator.url, apiKey: 'hk-test' });
      const connection = await NativeConnection.connect({ address: env.address });
      const clientConnection = await Connection.connect({ address: env.address });
      const taskQueue = `suggested-${randomUUID()}`;
      const sessions = new SessionClient(new Client({ connection: clientConnection }), taskQueue);
      const worker = await createSessionWorker({
        connection,
        namespace: 'default',
        taskQueue,
        hai,
        workflowBundlePath: inject('workflowBundlePath'),
        notify: {},
      });
      const running = worker.run();
      try {
        const handle: WorkflowHandle = await sessions.start({
          task: sim({ steps: 1, answer: 'a0' }, 'task'),
          idleTimeoutS: 300,
        });
        const id = handle.workflowId;
        const answered = (answer: string) =>
          eventually(`answer ${answer}`, async () => {
            const p = await sessions.progress(id);
            return p.phase === 'awaiting_input' && p.answer === answer ? p : undefined;
          });
        const { sessionId } = await answered('a0');
        // Each turn adds about ten events: a few turns pass the limit of 40.
        for (const n of [1, 2, 3, 4, 5]) {
          await sessions.send(id, sim({ steps: 1, answer: `a${n}` }, `turn ${n}`));
          await answered(`a${n}`);
        }
        await sessions.end(id);
        const result = await sessions.handle(id).result();
        expect(result.sessionId).toBe(sessionId);
        expect(result.turns.map((t) => t.answer)).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'a5']);
        expect(result.events).toBe((await hai.listEvents(sessionId!, { size: 1 })).total);
        const runs = await runChain(sessions, id);
        expect(runs.filter((r) => r.carried).length).toBeGreaterThanOrEqual(1);
        expect(simulator.stats().sessionsCreated).toBe(1);
      } finally {
        worker.shutdown();
        await running;
        await connection.close();
        await clientConnection.close();
        await hai.close();
        await simulator.close();
        await env.teardown();
      }
    },
  );
});
