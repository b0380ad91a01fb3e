import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotencyKeyFor } from '../../src/activities/create-session';
import { BatchClient } from '../../src/batch/client';
import { BATCH_WORKFLOW_TYPE, type BatchProgress, childWorkflowId } from '../../src/batch/definitions';
import { BatchState } from '../../src/batch/state';
import type { ItemSpec } from '../../src/batch/file';
import { eventually, type Harness, sim, startHarness } from '../helpers/harness';

let h: Harness;
let batches: BatchClient;
beforeAll(async () => {
  h = await startHarness({ simulator: { concurrencyLimit: 1_000 } });
  batches = new BatchClient(h.sessions);
});
afterAll(() => h?.stop());

const items = (n: number, script: (i: number) => Record<string, unknown>): ItemSpec[] =>
  Array.from({ length: n }, (_, i) => ({ key: `item-${i}`, task: sim(script(i), `task ${i}`) }));

const progressWhere = (id: string, what: string, check: (p: BatchProgress) => boolean, timeoutMs = 60_000) =>
  eventually(
    what,
    async () => {
      const p = await batches.progress(id);
      return check(p) ? p : undefined;
    },
    timeoutMs,
  );

/** Platform sessions of a batch (its group) in a non-terminal status. */
const openOnPlatform = async (batchId: string) =>
  (
    await h.hai.listSessions({
      groupId: batchId,
      status: ['queued', 'pending', 'running', 'paused', 'idle', 'awaiting_tool_results'],
      size: 1,
    })
  ).total;

const requests = (route: string) => h.sim.stats().requestsByRoute[route] ?? 0;

describe('a batch run', () => {
  it('follows its items by their status alone unless an item asks for its events', { timeout: 60_000 }, async () => {
    const changes = requests('GET /sessions/{id}/changes');
    const id = `batch-lean-${Date.now()}`;
    await batches.start(
      [
        ...items(10, (i) => ({ steps: 30, stepMs: 10, answer: `lean ${i}` })),
        { key: 'by-events', task: sim({ steps: 30, stepMs: 10, answer: 'events' }), watch: 'events' },
      ],
      { id, concurrency: 11 },
    );
    const result = await batches.result(id);
    expect(result.counts.succeeded).toBe(11);
    const eventsRead = async (key: string) =>
      (await h.sessions.temporal.workflow.getHandle(childWorkflowId(id, key)).result()).events;
    // 30 steps make 60+ events: the item that asked for them read them all, the others none.
    expect(await eventsRead('by-events')).toBeGreaterThan(30);
    for (let i = 0; i < 10; i++) expect(await eventsRead(`item-${i}`)).toBe(0);
    // Lean: about 3 reads of /changes per session (start, answer); by events, a page of 3 events each.
    expect(requests('GET /sessions/{id}/changes') - changes).toBeLessThan(11 * 3 + 30);
  });

  it(
    'runs 200 items at concurrency 20, reports the failed ones, and retry-failed completes only those',
    { timeout: 180_000 },
    async () => {
      // The platform refuses the first 20 creates (an agent that cannot start): those items fail, once.
      h.sim.setFaults({ errorRate: 1, errorStatus: 400, routes: ['POST /sessions'], remaining: 20 });
      const id = `batch-200-${Date.now()}`;
      let peak = 0;
      await batches.start(
        items(200, (i) => ({ steps: 2, stepMs: 5, answer: `answer ${i}` })),
        { id, concurrency: 20 },
      );
      // One query at a time: under a loaded suite a query took seconds, and overlapping ones piled up on the batch
      // workflow until its later queries timed out.
      let sampling: Promise<void> | undefined;
      const sampler = setInterval(() => {
        sampling ??= batches
          .progress(id)
          .then(
            (p) => void (peak = Math.max(peak, p.counts.running)),
            () => undefined,
          )
          .finally(() => (sampling = undefined));
      }, 100);
      const first = await batches.result(id).finally(() => clearInterval(sampler));
      h.sim.setFaults({ errorRate: 0, remaining: 0, routes: [] });

      expect(first.counts).toMatchObject({ received: 200, succeeded: 180, failed: 20, pending: 0, running: 0 });
      expect(first.failed).toHaveLength(20);
      expect(first.failed[0]!.error).toMatch(/400|create/i);
      expect(peak).toBeLessThanOrEqual(20);
      expect(peak).toBeGreaterThan(1);

      // Read at once: the children are listed through visibility, which resultsOf waits for.
      const before = await batches.resultsOf(id);
      expect(before).toHaveLength(200);
      expect(before.every((x) => x.workflowId)).toBe(true);
      const succeeded = before.filter((r) => r.status === 'succeeded');
      expect(succeeded).toHaveLength(180);
      for (const r of succeeded) expect(r.answer).toBe(`answer ${r.key.slice('item-'.length)}`);
      expect(
        before
          .filter((r) => r.status === 'failed')
          .map((r) => r.key)
          .sort(),
      ).toEqual(first.failed.map((f) => f.key).sort());
      const createsBefore = h.sim.stats().sessionsCreated;

      expect(await batches.retryFailed(id)).toEqual({ retried: 20 });
      // While they run again, each retried item is pending, running or done, once, never its earlier failure.
      const during = await batches.resultsOf(id);
      expect(new Set(during.map((x) => x.key)).size).toBe(200);
      expect(during).toHaveLength(200);
      expect(during.filter((r) => r.status === 'failed').map((r) => r.key)).toEqual([]);
      const second = await eventually(
        'the retried batch ended',
        async () => {
          const r = await batches.result(id);
          return r.counts.failed === 0 ? r : undefined;
        },
        120_000,
      );
      expect(second.counts).toMatchObject({ received: 200, succeeded: 200, failed: 0 });

      // Only the failed items ran again: 20 more platform sessions, none for an item that had succeeded.
      expect(h.sim.stats().sessionsCreated - createsBefore).toBe(20);
      const after = await batches.resultsOf(id);
      expect(after.filter((r) => r.status !== 'succeeded').map((r) => `${r.key}: ${r.status}`)).toEqual([]);
      expect(after).toHaveLength(200);
      for (const r of after) expect(r.answer).toBe(`answer ${r.key.slice('item-'.length)}`);
      for (const r of succeeded) expect(after.find((a) => a.key === r.key)!.sessionId).toBe(r.sessionId);
    },
  );

  it('pauses (starts nothing new while running ones finish) and resumes to the end', { timeout: 120_000 }, async () => {
    const id = `batch-pause-${Date.now()}`;
    await batches.start(
      items(30, () => ({ steps: 20, stepMs: 10 })),
      { id, concurrency: 5 },
    );
    await progressWhere(id, 'some items done', (p) => p.counts.succeeded >= 5);
    const paused = await batches.pause(id);
    expect(paused.state).toBe('paused');
    const drained = await progressWhere(id, 'running ones finished', (p) => p.counts.running === 0);
    const created = h.sim.stats().sessionsCreated;
    expect(drained.counts.pending).toBeGreaterThan(0);
    // Still nothing new after the running ones ended, across a few more workflow tasks.
    await batches.pause(id);
    const still = await batches.progress(id);
    expect(still.counts.pending).toBe(drained.counts.pending);
    expect(h.sim.stats().sessionsCreated).toBe(created);

    expect((await batches.resume(id)).state).toBe('running');
    const result = await batches.result(id);
    expect(result.counts).toMatchObject({ succeeded: 30, failed: 0, pending: 0 });
  });

  it('cancel stops the batch and leaves no platform session running', { timeout: 120_000 }, async () => {
    const id = `batch-cancel-${Date.now()}`;
    await batches.start(
      items(20, () => ({ steps: 100_000, stepMs: 50 })),
      { id, concurrency: 5 },
    );
    await eventually('5 sessions running on the platform', async () => (await openOnPlatform(id)) === 5);
    await batches.cancel(id);
    const result = await batches.result(id);
    expect(result.status).toBe('cancelled');
    expect(result.counts).toMatchObject({ cancelled: 20, succeeded: 0, running: 0, pending: 0 });
    expect(await openOnPlatform(id)).toBe(0);
    // Read at once, as a user would: visibility may still list a child that just closed as running.
    const results = await batches.resultsOf(id);
    expect(results.filter((r) => r.status === 'cancelled')).toHaveLength(20);
  });

  it('stops starting items once the budget is spent and reports the rest as budget_exhausted', async () => {
    const id = `batch-budget-${Date.now()}`;
    // A step costs about 0.001 USD on the simulator: an item about 0.01 USD.
    await batches.start(
      items(20, (i) => ({ steps: 10, stepMs: 5, answer: `b${i}` })),
      {
        id,
        concurrency: 2,
        maxCostUsd: 0.03,
      },
    );
    const result = await batches.result(id);
    const c = result.counts;
    expect(c.budgetExhausted).toBeGreaterThan(0);
    expect(c.succeeded).toBeGreaterThanOrEqual(3);
    expect(c.succeeded + c.budgetExhausted).toBe(20);
    // Never more than the window's worth of items past the budget.
    expect(result.costUsd).toBeLessThan(0.03 + 2 * 0.015);
    const results = await eventually('results listed', async () => {
      const r = await batches.resultsOf(id);
      return r.filter((x) => x.status === 'succeeded').length === c.succeeded ? r : undefined;
    });
    expect(results).toHaveLength(20);
    expect(results.filter((r) => r.status === 'budget_exhausted')).toHaveLength(c.budgetExhausted);
    expect(results.filter((r) => r.sessionId)).toHaveLength(c.succeeded);
  });

  it('counts a child of an earlier run that was terminated without reporting', { timeout: 90_000 }, async () => {
    // What continue-as-new hands the next run: a child still running, whose result that run does not await.
    const id = `batch-carried-${Date.now()}`;
    const orphan = await h.sessions.start(
      { task: sim({ steps: 500, stepMs: 100 }, 'long') },
      { workflowId: `${id}/orphan` },
    );
    await orphan.terminate('gone without a word');
    const snapshot = BatchState.initial({ concurrency: 2, priorityKey: 4, tenant: id, defaults: {} }, Date.now()).s;
    Object.assign(snapshot, { sealed: true, pages: 1, running: { orphan: { line: 1, reserveUsd: 0 } } });
    snapshot.counts.received = 1;
    await h.sessions.temporal.workflow.start(BATCH_WORKFLOW_TYPE, {
      workflowId: id,
      taskQueue: h.sessions.taskQueue,
      args: [{ settings: snapshot.settings, resumeFrom: snapshot }],
    });
    const result = await batches.result(id);
    expect(result.counts).toMatchObject({ received: 1, failed: 1, running: 0 });
    expect(result.failed).toEqual([{ key: 'orphan', line: 1, error: expect.stringMatching(/terminated/) }]);
  });
});

describe('a batch within the platform quota', () => {
  let q: Harness;
  let qb: BatchClient;
  beforeAll(async () => {
    q = await startHarness({ simulator: { concurrencyLimit: 5 } });
    qb = new BatchClient(q.sessions);
  });
  afterAll(() => q?.stop());

  it(
    'with queue=false, follows a quota of 5 and then a raised quota, and no item fails',
    { timeout: 120_000 },
    async () => {
      const id = `batch-quota-${Date.now()}`;
      await qb.start(
        Array.from({ length: 40 }, (_, i) => ({ task: sim({ steps: 20, stepMs: 10, answer: `q${i}` }) })),
        { id, concurrency: 20, defaults: { queue: false } },
      );
      let peakOpen = 0;
      const sample = async () => {
        const open = (await q.hai.getQuota()).active;
        peakOpen = Math.max(peakOpen, open);
      };
      const narrow = await eventually('window follows the quota', async () => {
        await sample();
        const p = await qb.progress(id);
        return p.window.quota && p.counts.succeeded > 0 ? p : undefined;
      });
      expect(narrow.window.allowed).toBeLessThanOrEqual(5);
      q.sim.setOptions({ concurrencyLimit: 12 });
      const wide = await eventually('window grows back', async () => {
        const p = await qb.progress(id);
        return p.window.allowed > 5 || p.state === 'completed' ? p : undefined;
      });
      expect(wide.window.allowed).toBeGreaterThan(5);
      expect(wide.window.allowed).toBeLessThanOrEqual(12);
      const result = await qb.result(id);
      expect(result.counts).toMatchObject({ succeeded: 40, failed: 0 });
      expect(peakOpen).toBeLessThanOrEqual(12);
      for (let i = 0; i < 40; i++) {
        const key = idempotencyKeyFor(`${id}/${i + 1}`, (await q.sessions.describe(`${id}/${i + 1}`)).runId);
        expect(q.sim.stats().createsByIdempotencyKey[key]).toBe(1);
      }
    },
  );
});
