// A small, fast slice of the chaos run (bench/chaos): mixed sessions on two child-process workers, each killed with
// SIGKILL mid-run and replaced, while the platform answers 503s, 429s with Retry-After and drops connections. Every
// session ends with its own answer, one platform session each, every event handled once, each reply delivered once.
// (The Temporal server is shared by the whole test run, so its kill is left to bench/chaos.)
import { mkdirSync, writeFileSync } from 'node:fs';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approveUpdate, replyUpdate, type SessionResult } from '../../src/shared/session';
import { eventually, type Harness, sim, startHarness } from '../helpers/harness';
import { replayOnThisCode } from '../helpers/replay';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

let h: Harness;
const workers: WorkerProcess[] = [];
const startWorker = async () => {
  const w = await startWorkerProcess({
    taskQueue: h.taskQueue,
    platformUrl: h.sim.url,
    args: ['--tools', 'bench/chaos/tools.ts'],
  });
  workers.push(w);
  return w;
};

beforeAll(async () => {
  h = await startHarness({
    noWorker: true,
    simulator: {
      stepMs: 300,
      faults: {
        errorRate: 0.1,
        errorStatus: 503,
        rateLimitRate: 0.05,
        retryAfterS: 1,
        latencyMs: 10,
        dropRate: 0.02,
        malformedRate: 0,
      },
    },
  });
  await Promise.all([startWorker(), startWorker()]);
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await h?.stop();
});

describe('chaos, small', () => {
  it('ends every mixed session with its own answer through two worker kills and platform faults', async () => {
    const started: { id: string; kind: string; expected?: unknown; reply?: string }[] = [];
    const start = async (
      kind: string,
      i: number,
      input: Parameters<Harness['sessions']['start']>[0],
      expected?: unknown,
    ) => {
      const handle = await h.sessions.start(input);
      started.push({
        id: handle.workflowId,
        kind,
        expected,
        ...(kind === 'interactive' ? { reply: `reply-${i}-please` } : {}),
      });
    };
    for (let i = 0; i < 3; i++)
      await start('one-shot', i, { task: sim({ steps: 4, answer: `answer ${i}` }) }, `answer ${i}`);
    for (let i = 0; i < 2; i++)
      await start(
        'structured',
        i,
        {
          task: sim({ steps: 3, answer: { n: i } }),
          answerSchema: { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] },
        },
        { n: i },
      );
    for (let i = 0; i < 3; i++)
      await start('interactive', i, { task: sim({ steps: 2, ask: `question ${i}?` }), idleTimeoutS: 600 });
    for (let i = 0; i < 2; i++)
      await start('approval', i, { task: sim({ steps: 3, answer: `draft ${i}` }), approval: {} }, `draft ${i}`);
    for (let i = 0; i < 2; i++)
      await start('tool', i, {
        task: sim({ steps: 1, tools: [{ tool_name: 'lookup_order', args: { id: `order-${i}` } }] }),
        tools: ['lookup_order'],
      });

    // First kill: every session started, none finished talking to its person yet.
    await workers[0]!.kill9();
    await startWorker();

    const people = started
      .filter((s) => s.kind === 'interactive' || s.kind === 'approval')
      .map(async (s, i) => {
        const waiting = s.kind === 'interactive' ? 'input' : 'approval';
        await eventually(
          `${s.id} awaiting ${waiting}`,
          async () => (await h.sessions.progress(s.id)).awaiting?.kind === waiting,
          90_000,
        );
        if (s.kind === 'approval') {
          await h.sessions
            .handle(s.id)
            .executeUpdate(approveUpdate, { args: [{ by: 'person' }], updateId: `approve-${i}` });
          return;
        }
        s.expected = `reply answer ${i}`;
        await h.sessions.handle(s.id).executeUpdate(replyUpdate, {
          args: [{ by: 'person', message: sim({ steps: 2, answer: s.expected }, s.reply!) }],
          updateId: `reply-${i}`,
        });
        await eventually(
          `${s.id} answered the reply`,
          async () => (await h.sessions.progress(s.id)).answer === s.expected,
          90_000,
        );
        await h.sessions.end(s.id);
      });
    // Second kill: while people answer.
    await workers[1]!.kill9();
    await startWorker();
    await Promise.all(people);

    const results = new Map<string, SessionResult>();
    for (const s of started) results.set(s.id, await h.sessions.handle(s.id).result());
    for (const s of started) {
      const r = results.get(s.id)!;
      expect(r.status, s.id).toBe('completed');
      if (s.kind === 'tool') expect(JSON.stringify(r.answer)).toContain('shipped');
      else expect(r.answer, s.id).toEqual(s.expected);
    }

    const stats = h.sim.stats();
    // Faults off for the checks' own reads: the sessions have all been driven through them by now.
    h.sim.setFaults({ errorRate: 0, rateLimitRate: 0, dropRate: 0, latencyMs: 0 });
    expect(stats.faultsInjected).toBeGreaterThan(0);
    expect(stats.sessionsCreated).toBe(started.length);
    expect(Object.values(stats.createsByIdempotencyKey).every((n) => n === 1)).toBe(true);
    for (const s of started) {
      const r = results.get(s.id)!;
      const events: unknown[] = [];
      for (let page = 1; ; page++) {
        const got = await h.hai.listEvents(r.sessionId, { page, size: 200 });
        events.push(...got.items);
        if (got.items.length === 0 || events.length >= got.total) break;
      }
      expect(r.events, `${s.id}: events handled`).toBe(events.length);
      const indexes = (await h.sessions.progress(s.id)).transitions.flatMap((t) =>
        t.eventIndex === null ? [] : [t.eventIndex],
      );
      expect(new Set(indexes).size, `${s.id}: an event index read twice`).toBe(indexes.length);
      if (s.reply) {
        const delivered = events.filter(
          (e) => JSON.stringify(e).includes('"caller_id":"user"') && JSON.stringify(e).includes(s.reply!),
        );
        expect(delivered, `${s.id}: reply deliveries`).toHaveLength(1);
      }
    }
    const running: string[] = [];
    for await (const wf of h.sessions.temporal.workflow.list({
      query: `TaskQueue = '${h.taskQueue}' AND ExecutionStatus = 'Running'`,
    }))
      running.push(wf.workflowId);
    expect(running).toEqual([]);

    // Histories written through kills and retries must replay on the same code: a query, or the next workflow task
    // on another worker, replays them. One that does not is kept in test-results/ for diagnosis.
    const unreplayable: string[] = [];
    for (const s of started) {
      const history = await h.sessions.handle(s.id).fetchHistory();
      try {
        await replayOnThisCode(history, s.id);
      } catch (err) {
        mkdirSync('test-results/unreplayable', { recursive: true });
        writeFileSync(`test-results/unreplayable/${s.id}.json`, historyToJSON(history));
        unreplayable.push(`${s.id}: ${(err as Error).message}`);
      }
    }
    expect(unreplayable).toEqual([]);
  }, 180_000);
});
