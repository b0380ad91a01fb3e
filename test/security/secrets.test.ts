// The platform key never leaves the worker's environment: a full run (a question answered by a person, an approval,
// platform faults that make the worker retry and log) leaves it in no history, search attribute, memo or log line.
import { randomBytes } from 'node:crypto';
import proto from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redactSecrets } from '../../src/logging/redact';
import { approveUpdate, replyUpdate } from '../../src/shared/session';
import { eventually, type Harness, sim, startHarness } from '../helpers/harness';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

const { temporal } = proto;
// Not key-shaped on purpose: only the worker knowing its own key can keep this one out of its logs.
const KEY = `platform-secret-${randomBytes(12).toString('hex')}`;
let h: Harness;
let worker: WorkerProcess;

beforeAll(async () => {
  h = await startHarness({
    noWorker: true,
    simulator: {
      apiKey: KEY,
      faults: {
        errorRate: 0.15,
        errorStatus: 503,
        rateLimitRate: 0.05,
        retryAfterS: 1,
        latencyMs: 0,
        dropRate: 0,
        malformedRate: 0,
      },
    },
  });
  worker = await startWorkerProcess({
    taskQueue: h.taskQueue,
    platformUrl: h.sim.url,
    apiKey: KEY,
    args: ['--log-format', 'json'],
    extraEnv: { HAI_TEMPORAL_LOG_LEVEL: 'DEBUG' },
  });
});
afterAll(async () => {
  await worker?.stop();
  await h?.stop();
});

/** What Temporal keeps of a workflow, as stored bytes and as JSON: history, description, search attributes, memo. */
async function exported(workflowId: string): Promise<string> {
  const handle = h.sessions.handle(workflowId);
  const history = await handle.fetchHistory();
  const described = await handle.describe();
  return [
    Buffer.from(temporal.api.history.v1.History.encode(history).finish()).toString('latin1'),
    Buffer.from(
      temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse.encode(described.raw).finish(),
    ).toString('latin1'),
    JSON.stringify(described.searchAttributes),
    JSON.stringify(described.memo ?? {}),
    JSON.stringify(await described.staticSummary?.()),
    JSON.stringify(await described.staticDetails?.()),
  ].join('\n');
}

describe('the platform key', () => {
  it('appears in no history, search attribute, memo or worker log line of a full run', async () => {
    const asked = await h.sessions.start({
      task: sim({ steps: 2, ask: 'Which region?' }, 'Audit the Lisbon office'),
      idleTimeoutS: 300,
    });
    const approved = await h.sessions.start({
      task: sim({ steps: 2, answer: 'draft report' }, 'Draft the Lisbon report'),
      approval: {},
    });
    await eventually(
      'the question',
      async () => (await h.sessions.progress(asked.workflowId)).awaiting?.kind === 'input',
      60_000,
    );
    await asked.executeUpdate(replyUpdate, {
      args: [{ by: 'dana', message: sim({ steps: 1, answer: 'EU' }, 'EU please') }],
    });
    await eventually(
      'the reply answered',
      async () => (await h.sessions.progress(asked.workflowId)).answer === 'EU',
      60_000,
    );
    await h.sessions.end(asked.workflowId);
    await eventually(
      'the approval gate',
      async () => (await h.sessions.progress(approved.workflowId)).awaiting?.kind === 'approval',
      60_000,
    );
    await approved.executeUpdate(approveUpdate, { args: [{ by: 'alice' }] });
    expect((await asked.result()).turns.map((t) => t.answer)).toEqual(['Which region?', 'EU']);
    expect((await approved.result()).answer).toBe('draft report');
    expect(h.sim.stats().faultsInjected).toBeGreaterThan(0);

    const stored = (await exported(asked.workflowId)) + (await exported(approved.workflowId));
    // The export holds what the sessions carried (so the search can find text), and not the key.
    expect(stored).toContain('Audit the Lisbon office');
    expect(stored).toContain('draft report');
    expect(stored).not.toContain(KEY);

    const logs = worker.output();
    expect(logs).toContain(asked.workflowId);
    expect(logs).not.toContain(KEY);
  });
});

describe('log redaction', () => {
  it.each([
    ['an Authorization header', '{"headers":{"Authorization":"Bearer abc.def-123"}}', 'abc.def-123'],
    ['a lower-case authorization field', 'authorization: Bearer sk_live_99', 'sk_live_99'],
    ['a key-shaped string', 'request failed for hk-0123456789abcdef in body', 'hk-0123456789abcdef'],
    ['the configured key, whatever its shape', `retrying with ${KEY}`, KEY],
  ])('hides %s', (_what, line, secret) => {
    const out = redactSecrets(line, [KEY]);
    expect(out).not.toContain(secret);
    expect(out).toContain('[redacted]');
  });
});
