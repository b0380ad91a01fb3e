// `hai-temporal worker --log-format json`: one JSON object per line, with the workflow and platform session a line
// is about, and the platform key in none of them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging/logger';
import { eventually, type Harness, sim, startHarness } from '../helpers/harness';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

const KEY = 'hk-logs-test-secret-key';
let h: Harness;
let worker: WorkerProcess;

beforeAll(async () => {
  h = await startHarness({ noWorker: true, simulator: { apiKey: KEY } });
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

const jsonLines = (text: string) =>
  text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('JSON logs', () => {
  it('write every stdout line as a JSON object with level and message, workflow and session ids where known', async () => {
    const result = await h.sessions.run({ task: sim({ steps: 2, answer: 'logged' }) });
    expect(result.status).toBe('completed');
    const ofSession = await eventually('workflow and activity log lines of the session', () => {
      const all = jsonLines(
        worker
          .output()
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .join('\n'),
      ).filter((l) => l.workflowId === result.workflowId && l.sessionId === result.sessionId);
      // Activity lines (watchSession works on a platform session) and workflow lines both carry it.
      const activity = all.some((l) => l.activityType === 'watchSession');
      const workflow = all.some((l) => l.activityType === undefined && l.workflowType === 'agentSession');
      return activity && workflow ? all : undefined;
    });
    expect(ofSession.length).toBeGreaterThan(1);

    const stdout = worker.output();
    // Every line the worker wrote is one JSON object (parsing throws otherwise).
    const every = jsonLines(stdout);
    expect(every.length).toBe(stdout.split('\n').filter((l) => l.trim()).length);
    for (const line of every) {
      expect(line).toMatchObject({ level: expect.any(String), message: expect.any(String), time: expect.any(String) });
    }
    expect(every.some((l) => String(l.message).startsWith('worker ready'))).toBe(true);

    expect(stdout).not.toContain(KEY);
  });

  it('redact Authorization headers and key-shaped strings wherever they appear', () => {
    const written: string[] = [];
    const logger = createLogger({ level: 'INFO', format: 'json', write: (l) => written.push(l), env: {} });
    logger.warn('request failed for hk-abc123XYZ', {
      headers: { Authorization: 'Bearer sk-not-key-shaped-but-a-header' },
      error: new Error('echo: Bearer hk-zzz999'),
    });
    const line = JSON.parse(written[0]!) as Record<string, unknown>;
    expect(line.level).toBe('WARN');
    expect(written[0]).not.toMatch(/hk-abc123XYZ|sk-not-key-shaped|hk-zzz999/);
    expect(line.message).toBe('request failed for [redacted]');
  });

  it('redact the configured key even when it is not key-shaped, in text form too', () => {
    const written: string[] = [];
    const logger = createLogger({
      level: 'INFO',
      format: 'text',
      write: (l) => written.push(l),
      env: { HAI_API_KEY: 'plain-secret-value' },
    });
    logger.info('key is plain-secret-value');
    expect(written[0]).toContain('[INFO] key is [redacted]');
  });
});
