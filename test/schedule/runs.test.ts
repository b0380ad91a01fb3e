import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScheduleClient } from '../../src/schedule/client';
import { eventually, type Harness, sim, startHarness } from '../helpers/harness';

let h: Harness;
let schedules: ScheduleClient;
const created: string[] = [];
const unique = (what: string) => {
  const name = `${what}-${Math.random().toString(36).slice(2, 8)}`;
  created.push(name);
  return name;
};

beforeAll(async () => {
  h = await startHarness();
  schedules = ScheduleClient.fromSessions(h.sessions);
});
afterAll(async () => {
  await Promise.all(created.map((n) => schedules.delete(n).catch(() => undefined)));
  await h?.stop();
});

describe('a schedule firing every few seconds', () => {
  it('produces runs with answers and costs, listed by schedule runs and priced by describe', async () => {
    const name = unique('every');
    const overview = await schedules.create(name, {
      every: '2s',
      task: sim({ steps: 1 }, 'check the news of {{date}}'),
      timezone: 'Europe/Paris',
    });
    expect(overview.nextFireTimes.length).toBeGreaterThan(0);
    expect(overview.overlap).toBe('skip');
    expect(overview.catchupWindowMs).toBe(60_000);

    const runs = await eventually(
      'two completed runs',
      async () => {
        const r = (await schedules.runs(name)).filter((x) => x.status === 'completed');
        return r.length >= 2 ? r : undefined;
      },
      30_000,
    );
    await schedules.pause(name);
    for (const run of runs) {
      expect(run.answer).toMatch(/check the news of \d{4}-\d{2}-\d{2}/);
      expect(run.costUsd).toBeGreaterThan(0);
      expect(run.agentViewUrl).toMatch(/^https?:\/\//);
      expect(run.sessionWorkflowId).toBe(`${run.workflowId}/session`);
    }
    const described = await schedules.describe(name);
    expect(described.nextFireTimes.length).toBeGreaterThan(0);
    expect(described.cost.pricedRuns).toBeGreaterThanOrEqual(2);
    expect(described.cost.medianCostUsd).toBeGreaterThan(0);
    // Every 2 s is 43,200 runs a day.
    expect(described.cost.firesPerDay).toBeCloseTo(43_200, -2);
    expect(described.cost.projectedCostPerDayUsd).toBeCloseTo(
      described.cost.medianCostUsd! * described.cost.firesPerDay!,
    );
  });
});
