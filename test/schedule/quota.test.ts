// A full platform quota at fire time: the run waits for a slot up to its limit, or is recorded as skipped for
// quota (completed, not failed). The simulator here allows one session at a time.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ScheduleClient } from '../../src/schedule/client';
import { eventually, type Harness, sim, startHarness } from '../helpers/harness';

let h: Harness;
let schedules: ScheduleClient;
const names = [`quota-skip-${Date.now().toString(36)}`, `quota-wait-${Date.now().toString(36)}`];

beforeAll(async () => {
  h = await startHarness({ simulator: { concurrencyLimit: 1 } });
  schedules = ScheduleClient.fromSessions(h.sessions);
});
afterAll(async () => {
  await Promise.all(names.map((n) => schedules.delete(n).catch(() => undefined)));
  await h?.stop();
});

it('records a run as skipped for quota when no slot frees up in time, and runs one that waited for its slot', async () => {
  const [skipName, waitName] = names as [string, string];
  await schedules.create(skipName, { cron: '0 0 1 1 *', task: sim({ steps: 0 }, 'no room'), quotaWait: 0 });
  await schedules.create(waitName, {
    cron: '0 0 1 1 *',
    task: sim({ steps: 0 }, 'waited for a slot'),
    quotaWait: '60s',
    quotaPoll: '300ms',
  });
  const blocker = await h.sessions.start({ task: sim({ steps: 600, stepMs: 100 }, 'hold the only slot') });
  await eventually('the quota to be full', async () => (await h.hai.getQuota()).available === 0);

  await schedules.trigger(skipName);
  const [skipped] = await eventually('the skipped run', async () => {
    const runs = await schedules.runs(skipName);
    return runs[0]?.status === 'skipped' ? runs : undefined;
  });
  expect(skipped!.skipped).toEqual({ reason: 'quota', detail: 'platform quota full (1/1 sessions active)' });
  expect(skipped!.sessionWorkflowId).toBeNull();
  const described = await h.sessions.temporal.workflow.getHandle(skipped!.workflowId!).describe();
  expect(described.status.name).toBe('COMPLETED');

  await schedules.trigger(waitName);
  await eventually('the run waiting for quota', async () => {
    const runs = await schedules.runs(waitName);
    return runs[0]?.status === 'waiting_for_quota';
  });
  await h.sessions.cancel(blocker.workflowId);
  const [ran] = await eventually('the run that waited', async () => {
    const runs = await schedules.runs(waitName);
    return runs[0]?.status === 'completed' ? runs : undefined;
  });
  expect(ran!.answer).toMatch(/waited for a slot/);
  expect(ran!.skipped).toBeNull();
});
