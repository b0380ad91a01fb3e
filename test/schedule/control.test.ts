// A schedule's life through the library: overlap, pause and unpause, trigger, backfill, update and delete,
// against the run's Temporal dev server and a simulator over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScheduleClient } from '../../src/schedule/client';
import type { ScheduledRunEntry } from '../../src/schedule/history';
import { localTime } from '../../src/schedule/template';
import { eventually, type Harness, sim, startHarness } from '../helpers/harness';

let h: Harness;
let schedules: ScheduleClient;
const created: string[] = [];
const unique = (what: string) => {
  const name = `${what}-${Math.random().toString(36).slice(2, 8)}`;
  created.push(name);
  return name;
};
const completed = async (name: string, atLeast: number) => {
  const runs = (await schedules.runs(name, { skips: false })).filter((r) => r.status === 'completed');
  return runs.length >= atLeast ? runs : undefined;
};
const FAR_CRON = '0 0 1 1 *'; // once a year: fires only when asked to

beforeAll(async () => {
  h = await startHarness();
  schedules = ScheduleClient.fromSessions(h.sessions);
});
afterAll(async () => {
  await Promise.all(created.map((n) => schedules.delete(n).catch(() => undefined)));
  await h?.stop();
});

describe.concurrent('a schedule', () => {
  it('skips on overlap: one run at a time while a long session is still going, the skips shown with their reason', async () => {
    const name = unique('overlap');
    await schedules.create(name, { every: '1s', task: sim({ steps: 5, stepMs: 1000 }, 'long task') });
    const d = await eventually(
      'two fire times skipped while the first run goes on',
      async () => {
        const described = await schedules.describe(name);
        return described.actions.skippedOverlap >= 2 ? described : undefined;
      },
      30_000,
    );
    expect(d.actions.running).toBe(1);
    expect(d.actions.taken).toBe(1);
    const runs = await schedules.runs(name);
    const skipped = runs.filter((r) => r.skipped?.reason === 'overlap');
    expect(skipped.length).toBeGreaterThanOrEqual(1);
    expect(skipped[0]!.status).toBe('skipped');
    expect(skipped[0]!.skipped!.detail).toMatch(/was still going/);
    expect(runs.filter((r) => r.workflowId !== null)).toHaveLength(1);
    await schedules.pause(name);
  });

  it('takes no runs while paused and takes them again once unpaused', async () => {
    const name = unique('pause');
    await schedules.create(name, { every: '1s', task: sim({ steps: 0 }, 'quick task') });
    await eventually('a first run', () => completed(name, 1), 20_000);
    await schedules.pause(name, 'holiday');
    const paused = await schedules.describe(name);
    expect(paused.paused).toBe(true);
    expect(paused.note).toBe('holiday');
    const pausedAt = Date.now();
    const taken = paused.actions.taken;
    // Absence needs a window to be observed in: three fire times pass while paused.
    await eventually('three fire times to pass', () => Date.now() > pausedAt + 3_500);
    expect((await schedules.describe(name)).actions.taken).toBe(taken);

    await schedules.unpause(name);
    const resumedAt = Date.now();
    const after = await eventually(
      'a run after unpausing',
      async () =>
        (await schedules.runs(name)).find(
          (r) => r.scheduledTime.getTime() >= resumedAt - 1000 && r.status === 'completed',
        ),
      20_000,
    );
    expect(after.answer).toMatch(/quick task/);
    await schedules.pause(name);
  });

  it('starts a run now when triggered', async () => {
    const name = unique('trigger');
    await schedules.create(name, { cron: FAR_CRON, task: sim({ steps: 1 }, 'run me now') });
    const before = Date.now();
    await schedules.trigger(name);
    const [run] = (await eventually('the triggered run', () => completed(name, 1), 20_000)) as ScheduledRunEntry[];
    expect(run!.answer).toMatch(/run me now/);
    expect(run!.scheduledTime.getTime()).toBeGreaterThanOrEqual(before - 1000);
  });

  it("backfills a past window, each run's task carrying its own date", async () => {
    const name = unique('backfill');
    const timezone = 'Europe/Paris';
    await schedules.create(name, {
      cron: '0 9 * * *',
      timezone,
      task: sim({ steps: 0 }, 'summarise the news of {{date}}'),
    });
    const to = new Date();
    const from = new Date(to.getTime() - 3 * 86_400_000);
    expect(await schedules.backfill(name, { from, to })).toEqual({ runs: 3 });
    const runs = await eventually('three backfilled runs', () => completed(name, 3), 30_000);
    const dates = runs.map((r) => localTime(r.scheduledTime, timezone).date).sort();
    expect(new Set(dates).size).toBe(3);
    for (const r of runs) {
      const date = localTime(r.scheduledTime, timezone).date;
      expect(localTime(r.scheduledTime, timezone).scheduledTime).toMatch(/T09:00:00\+0[12]:00$/);
      expect(r.answer).toContain(`summarise the news of ${date}`);
      expect(r.task).toContain(`summarise the news of ${date}`);
    }
  });

  it('refuses a backfill with its window reversed or in the future, or that would start too many runs', async () => {
    const name = unique('backfill-bad');
    await schedules.create(name, { every: '1m', task: 'x' });
    const now = Date.now();
    await expect(schedules.backfill(name, { from: new Date(now), to: new Date(now - 60_000) })).rejects.toThrow(
      /is not after "from"/,
    );
    await expect(
      schedules.backfill(name, { from: new Date(now - 60_000), to: new Date(now + 3_600_000) }),
    ).rejects.toThrow(/is in the future/);
    await expect(schedules.backfill(name, { from: new Date(now - 3 * 3_600_000), to: new Date(now) })).rejects.toThrow(
      /would start 18\d runs \(more than 100\)/,
    );
    expect((await schedules.describe(name)).actions.taken).toBe(0);
  });

  it('runs the changed task from the next run on after an update', async () => {
    const name = unique('update');
    await schedules.create(name, { cron: FAR_CRON, task: sim({ steps: 0 }, 'old task') });
    await schedules.trigger(name);
    await eventually('the run with the old task', () => completed(name, 1), 20_000);
    const updated = await schedules.update(name, { task: sim({ steps: 0 }, 'new task'), timezone: 'Asia/Tokyo' });
    expect(updated.run.task).toContain('new task');
    expect(updated.timezone).toBe('Asia/Tokyo');
    expect(updated.spec.calendars).toHaveLength(1);
    await schedules.trigger(name);
    const runs = await eventually('the run with the new task', () => completed(name, 2), 20_000);
    expect(runs[0]!.answer).toMatch(/new task/);
    expect(runs[1]!.answer).toMatch(/old task/);
  });

  it('refuses a bad update and keeps the schedule as it was', async () => {
    const name = unique('update-bad');
    await schedules.create(name, { every: '1h', task: 'keep me' });
    await expect(schedules.update(name, { every: '0s' })).rejects.toThrow(/interval must be longer than zero/);
    await expect(schedules.update(name, { overlap: 'sometimes' as never })).rejects.toThrow(/unknown overlap policy/);
    const d = await schedules.describe(name);
    expect(d.spec.intervals?.map((i) => i.every)).toEqual([3_600_000]);
    expect(d.run.task).toBe('keep me');
  });

  it('leaves no schedule behind once deleted', async () => {
    const name = unique('delete');
    await schedules.create(name, { every: '1h', task: 'x' });
    await eventually('the schedule listed', async () => {
      for await (const s of schedules.list()) if (s.name === name) return true;
      return undefined;
    });
    await schedules.delete(name);
    await expect(schedules.describe(name)).rejects.toThrow(`no schedule named "${name}"`);
    await eventually('the schedule gone from the list', async () => {
      for await (const s of schedules.list()) if (s.name === name) return undefined;
      return true;
    });
  });
});

describe('a schedule with pause on failure', () => {
  it('pauses itself when a run fails, and the run shows as failed with its error', async () => {
    const name = unique('pause-on-failure');
    await schedules.create(name, {
      every: '1s',
      task: sim({ steps: 1, fail: 'the site was down' }, 'check the site'),
      pauseOnFailure: true,
    });
    const d = await eventually(
      'the schedule to pause itself',
      async () => {
        const described = await schedules.describe(name);
        return described.paused ? described : undefined;
      },
      20_000,
    );
    expect(d.actions.taken).toBe(1);
    // A fire time skipped for overlap while the run was still going is listed too, newer than the run.
    const run = (await schedules.runs(name)).find((r) => r.workflowId !== null);
    expect(run!.status).toBe('failed');
    expect(run!.error).toMatch(/the site was down/);
    expect(run!.sessionWorkflowId).toBe(`${run!.workflowId}/session`);
  });
});

describe('a schedule of a task list', () => {
  it("runs a batch of the tasks, each rendered with the run's date, and records the batch's counts and cost", async () => {
    const name = unique('tasks');
    await schedules.create(name, {
      cron: FAR_CRON,
      timezone: 'UTC',
      tasks: [sim({ steps: 1 }, 'first task of {{date}}'), sim({ steps: 1 }, 'second task of {{date}}')],
    });
    await schedules.trigger(name);
    const [run] = await eventually('the batch run', () => completed(name, 1), 30_000);
    expect(run!.sessionWorkflowId).toBe(`${run!.workflowId}/batch`);
    expect(run!.costUsd).toBeGreaterThan(0);
    const result = (await h.sessions.temporal.workflow.getHandle(run!.workflowId!).result()) as {
      batch: { total: number; counts: Record<string, number> };
    };
    expect(result.batch).toMatchObject({ total: 2, counts: { succeeded: 2, failed: 0 } });
    const date = run!.scheduledTime.toISOString().slice(0, 10);
    const answers = await Promise.all(
      ['1', '2'].map(async (key) => (await h.sessions.handle(`${run!.workflowId}/batch/${key}`).result()).answer),
    );
    expect(answers).toEqual([
      expect.stringContaining(`first task of ${date}`),
      expect.stringContaining(`second task of ${date}`),
    ]);
  });
});
