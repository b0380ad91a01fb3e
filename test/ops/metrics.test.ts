// The worker's Prometheus endpoint (HAI_TEMPORAL_METRICS_PORT), scraped after real sessions ran through a worker
// process: Temporal's own metrics and the project's, with their values.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRICS } from '../../src/metrics/names';
import { eventually, type Harness, sim, startHarness } from '../helpers/harness';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';
import { freePort } from './free-port';

let h: Harness;
let worker: WorkerProcess;
let metricsUrl: string;

beforeAll(async () => {
  h = await startHarness({ noWorker: true, simulator: { stepMs: 20 } });
  const port = await freePort();
  metricsUrl = `http://127.0.0.1:${port}/metrics`;
  worker = await startWorkerProcess({
    taskQueue: h.taskQueue,
    platformUrl: h.sim.url,
    extraEnv: { HAI_TEMPORAL_METRICS_PORT: String(port), HAI_TEMPORAL_METRICS_HOST: '127.0.0.1' },
  });
});
afterAll(async () => {
  await worker?.stop();
  await h?.stop();
});

/** Value of the one series of `name` whose labels include all of `labels`; undefined when there is none. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  let total: number | undefined;
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) total = (total ?? 0) + Number(m[3]);
  }
  return total;
}

const scrape = async () => (await fetch(metricsUrl)).text();

describe('worker metrics', () => {
  it("expose sessions by outcome, platform requests, tokens, cost and waiting time next to Temporal's own", async () => {
    const done = await h.sessions.run({ task: sim({ steps: 3, answer: 'ok' }) });
    expect(done.status).toBe('completed');
    const failed = await h.sessions.run({ task: sim({ steps: 1, fail: 'no luck' }) });
    expect(failed.status).toBe('failed');

    const gated = await h.sessions.start({ task: sim({ steps: 1, answer: 'draft' }), approval: { timeout: '1h' } });
    await eventually(
      'the approval gate',
      async () => (await h.sessions.progress(gated.workflowId)).awaiting?.kind === 'approval',
    );
    await h.sessions.approve(gated.workflowId, { by: 'metrics-test' });
    expect((await gated.result()).status).toBe('completed');

    // Workflow metrics carry Temporal's own labels (taskQueue, workflowType), platform requests only theirs.
    const queue = { taskQueue: h.taskQueue, workflowType: 'agentSession' };
    const text = await eventually('the session metrics on the endpoint', async () => {
      const t = await scrape();
      return (sample(t, METRICS.sessionsEnded, { ...queue, outcome: 'completed' }) ?? 0) >= 2 ? t : undefined;
    });

    expect(sample(text, METRICS.sessionsStarted, queue)).toBe(3);
    expect(sample(text, METRICS.sessionsEnded, { ...queue, outcome: 'completed' })).toBe(2);
    expect(sample(text, METRICS.sessionsEnded, { ...queue, outcome: 'failed' })).toBe(1);

    expect(sample(text, METRICS.platformRequests, { route: 'POST /sessions', status_code: '201' })).toBe(3);
    expect(
      sample(text, METRICS.platformRequests, { route: 'GET /sessions/{id}/status', status_code: '200' }),
    ).toBeGreaterThan(0);
    expect(sample(text, `${METRICS.platformRequestSeconds}_count`, { route: 'POST /sessions' })).toBe(3);

    expect(sample(text, METRICS.tokens, { ...queue, kind: 'input' })).toBeGreaterThan(0);
    expect(sample(text, `${METRICS.costUsd}_count`, queue)).toBeGreaterThanOrEqual(2);
    expect(sample(text, `${METRICS.costUsd}_sum`, queue)).toBeGreaterThan(0);

    expect(sample(text, `${METRICS.personWaitSeconds}_count`, { ...queue, kind: 'approval' })).toBe(1);
    expect(sample(text, `${METRICS.personWaitSeconds}_sum`, { ...queue, kind: 'approval' })).toBeGreaterThan(0);

    // Temporal's own worker metrics share the endpoint.
    const sdk = { task_queue: h.taskQueue };
    expect(sample(text, 'temporal_workflow_completed', sdk)).toBe(3);
    // Each session's create ran once, in its first workflow task (a local activity).
    expect(
      sample(text, 'temporal_local_activity_execution_latency_count', { ...sdk, activity_type: 'createSession' }),
    ).toBe(3);
  });
});
