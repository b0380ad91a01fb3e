import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { approveUpdate } from '../../src/shared/session';
import { eventually, type Harness, sim, startHarness } from '../helpers/harness';
import { startWebhookReceiver } from '../helpers/webhook-receiver';
import { startWorkerProcess, type WorkerProcess } from '../helpers/worker-process';

const SECRET = 'whsec-crash';
const dir = mkdtempSync(join(tmpdir(), 'hai-crash-'));
const toolLog = join(dir, 'tools.log');
const release = join(dir, 'release');
let h: Harness;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  receiver = await startWebhookReceiver(SECRET);
  h = await startHarness({ noWorker: true, simulator: { stepMs: 10 } });
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await h?.stop();
  await receiver?.close();
});

const startWorker = async () => {
  const worker = await startWorkerProcess({
    taskQueue: h.taskQueue,
    platformUrl: h.sim.url,
    args: ['--tools', join(import.meta.dirname, '..', 'fixtures', 'tools.ts')],
    extraEnv: {
      HAI_TEMPORAL_NOTIFY_URL: receiver.url,
      HAI_TEMPORAL_WEBHOOK_SECRET: SECRET,
      HAI_TEST_TOOL_LOG: toolLog,
      HAI_TEST_RELEASE: release,
    },
  });
  workers.push(worker);
  return worker;
};
const toolRuns = () =>
  existsSync(toolLog)
    ? readFileSync(toolLog, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { name: string })
    : [];

describe('a worker killed with SIGKILL while people or tools are involved', () => {
  it('keeps a pending approval, its single notice and its audit trail', { timeout: 120_000 }, async () => {
    const worker = await startWorker();
    const handle = await h.sessions.start({ task: sim({ steps: 1, answer: 'to approve' }), approval: {} });
    await eventually(
      'awaiting approval',
      async () => (await h.sessions.progress(handle.workflowId)).awaiting?.kind === 'approval',
    );
    await eventually('notified', () => receiver.for(handle.workflowId).length === 1);
    // Once the notice's activity is recorded as completed, no restart may send it again. (A worker killed
    // between the receiver's answer and that record would resend it with the same delivery id.)
    await eventually('notice recorded in history', async () => {
      const events = (await handle.fetchHistory()).events ?? [];
      const scheduled = events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'notify');
      return events.some(
        (e) => String(e.activityTaskCompletedEventAttributes?.scheduledEventId) === String(scheduled?.eventId),
      );
    });
    await worker.kill9();
    await startWorker();

    await handle.executeUpdate(approveUpdate, { args: [{ by: 'alice', comment: 'after the crash' }] });
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'completed', endedBy: 'approval', answer: 'to approve' });
    expect(result.audit).toMatchObject([{ kind: 'approved', by: 'alice', comment: 'after the crash' }]);
    expect(receiver.for(handle.workflowId)).toHaveLength(1);
    expect(receiver.for(handle.workflowId)[0]?.verified).toBe(true);
  });

  it('does not run a completed tool again after a crash mid-call', { timeout: 120_000 }, async () => {
    const worker = workers.at(-1)!;
    const handle = await h.sessions.start({
      task: sim({
        steps: 1,
        tools: [
          { tool_name: 'lookup_order', args: { id: 'A1' } },
          { tool_name: 'slow_report', args: { topic: 'sales' } },
        ],
      }),
      tools: ['lookup_order', 'slow_report'],
    });
    await eventually('fast tool done, slow tool running', () => {
      const runs = toolRuns().map((r) => r.name);
      return runs.includes('lookup_order') && runs.includes('slow_report:start');
    });
    // Only a completion recorded in history is final: kill once the fast tool's is there (the slow one cannot
    // complete before its release), so a rerun after the crash would be a bug, not the race of a lost result.
    await eventually('fast tool completion recorded in history', async () => {
      const events = (await handle.fetchHistory()).events ?? [];
      const toolRuns = events
        .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'runTool')
        .map((e) => String(e.eventId));
      return events.some((e) =>
        toolRuns.includes(String(e.activityTaskCompletedEventAttributes?.scheduledEventId ?? '')),
      );
    });
    await worker.kill9();
    writeFileSync(release, 'go');
    await startWorker();

    const result = await handle.result();
    expect(result.status).toBe('completed');
    expect(JSON.stringify(result.answer)).toContain('report on sales');
    const runs = toolRuns().map((r) => r.name);
    expect(runs.filter((n) => n === 'lookup_order')).toHaveLength(1);
    expect(runs.filter((n) => n === 'slow_report')).toHaveLength(1);
  });
});
