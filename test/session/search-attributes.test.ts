// A worker started on a namespace that lacks the session's search attributes registers them itself, and its
// sessions then run and are found by them. (The test setup registers them on the shared namespace, so this
// path needs a namespace of its own.) The worker's output never shows its platform key.
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionClient } from '../../src/client';
import { SEARCH_ATTRIBUTES } from '../../src/temporal/search-attributes';
import { eventually, type Harness, sim, startHarness } from '../helpers/harness';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

const KEY = 'hk-sa-secret-91d0c4e7';
let h: Harness;
let connection: Connection;
let worker: WorkerProcess | undefined;
beforeAll(async () => {
  h = await startHarness({ noWorker: true, apiKey: KEY });
  connection = await Connection.connect({ address: h.temporalAddress });
});
afterAll(async () => {
  await worker?.stop();
  await connection?.close();
  await h?.stop();
});

const registered = async (namespace: string) =>
  Object.keys((await connection.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {});

describe('a worker on a namespace without the search attributes', () => {
  it('registers them, and its sessions run and are found by them', { timeout: 120_000 }, async () => {
    const namespace = `fresh-${randomUUID().slice(0, 8)}`;
    await connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs('1 day'),
    });
    const missing = await eventually('the namespace usable', async () => {
      const names = await registered(namespace);
      return SEARCH_ATTRIBUTES.filter((k) => !names.includes(k.name));
    });
    expect(missing.map((k) => k.name)).toEqual(SEARCH_ATTRIBUTES.map((k) => k.name));

    worker = await startWorkerProcess({
      taskQueue: h.taskQueue,
      platformUrl: h.sim.url,
      apiKey: KEY,
      extraEnv: { TEMPORAL_NAMESPACE: namespace },
    });
    const names = await registered(namespace);
    for (const key of SEARCH_ATTRIBUTES) expect(names).toContain(key.name);

    const sessions = new SessionClient(new Client({ connection, namespace }), h.taskQueue);
    const result = await sessions.run({ task: sim({ steps: 1, answer: 'here' }) });
    expect(result).toMatchObject({ status: 'completed', answer: 'here' });
    const found = await eventually('found by HaiSessionId', async () => {
      for await (const s of sessions.list({ query: `HaiSessionId = '${result.sessionId}'` })) return s;
    });
    expect(found.workflowId).toBe(result.workflowId);
    expect(worker.output()).not.toContain(KEY);
  });
});
