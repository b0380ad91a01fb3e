// A 500-item batch survives its worker killed with SIGKILL twice: it completes, the platform saw exactly one
// create per item, and every item's result is there once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchClient } from '../../src/batch/client';
import { eventually, type Harness, sim, startHarness } from '../helpers/harness';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

let h: Harness;
let batches: BatchClient;
const workers: WorkerProcess[] = [];
beforeAll(async () => {
  h = await startHarness({ noWorker: true, simulator: { concurrencyLimit: 1_000 } });
  batches = new BatchClient(h.sessions);
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await h?.stop();
});

const succeededAtLeast = (id: string, n: number) =>
  eventually(`${n} items succeeded`, async () => (await batches.progress(id)).counts.succeeded >= n, 120_000);

describe('a batch whose worker is killed', () => {
  it('completes 500 items with exactly 500 creates and every result once', { timeout: 420_000 }, async () => {
    const platform = { taskQueue: h.taskQueue, platformUrl: h.sim.url };
    workers.push(await startWorkerProcess(platform));
    const id = `crash-${Date.now()}`;
    await batches.start(
      // Lean items whose dead worker's watches are taken over 30 s after it stopped heartbeating (10 minutes by default).
      Array.from({ length: 500 }, (_, i) => ({
        key: `k${i}`,
        task: sim({ steps: 3, stepMs: 20, answer: `r${i}` }),
        leanTakeoverAfter: '30s',
      })),
      { id, concurrency: 50 },
    );

    await succeededAtLeast(id, 100);
    await workers[0]!.kill9();
    workers.push(await startWorkerProcess(platform));
    await succeededAtLeast(id, 300);
    await workers[1]!.kill9();
    workers.push(await startWorkerProcess(platform));

    const result = await batches.result(id);
    expect(result.counts).toMatchObject({ received: 500, succeeded: 500, failed: 0, running: 0, pending: 0 });
    const stats = h.sim.stats();
    expect(stats.sessionsCreated).toBe(500);
    expect(Object.values(stats.createsByIdempotencyKey).every((n) => n === 1)).toBe(true);

    const results = await eventually('every result listed', async () => {
      const r = await batches.resultsOf(id);
      return r.length === 500 && r.every((x) => x.status === 'succeeded') ? r : undefined;
    });
    expect(new Set(results.map((r) => r.key)).size).toBe(500);
    expect(new Set(results.map((r) => r.sessionId)).size).toBe(500);
    for (const r of results) expect(r.answer).toBe(`r${r.key.slice(1)}`);
  });
});
