// `hai-temporal schedule …` as a user runs it: a real process against the test's Temporal and simulator.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes';
import { ScheduleClient } from '../../src/schedule/client';
import { eventually, type Harness, sim, startHarness } from '../helpers/harness';
import { runCli, jsonLines } from '../helpers/cli';

let h: Harness;
const name = `cli-${Math.random().toString(36).slice(2, 8)}`;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await ScheduleClient.fromSessions(h.sessions)
    .delete(name)
    .catch(() => undefined);
  await h?.stop();
});

const cli = (args: string[]) => runCli(h, ['schedule', ...args]);

describe('hai-temporal schedule', () => {
  it('refuses a bad spec with exit code 2 and a message naming the problem, creating nothing', async () => {
    const [bad, zone] = await Promise.all([
      cli(['create', name, '--cron', '61 9 * * *', '--task', 'x']),
      cli(['create', name, '--every', '1h', '--timezone', 'Europe/Pariss', '--task', 'x']),
    ]);
    expect(bad.code).toBe(EXIT.usage);
    expect(bad.stderr).toContain('field 1 (minute) "61": 61 is out of range 0-59');
    expect(zone.code).toBe(EXIT.usage);
    expect(zone.stderr).toContain('unknown time zone "Europe/Pariss"');
    const missing = await cli(['describe', name]);
    expect(missing.code).toBe(EXIT.usage);
    expect(missing.stderr).toContain(`no schedule named "${name}"`);
  });

  it('creates a schedule whose runs show their answer and cost, and whose describe shows the next fire times', async () => {
    const created = await cli([
      'create',
      name,
      '--every',
      '2s',
      '--task',
      sim({ steps: 1 }, 'report of {{date}}'),
      '--timezone',
      'Asia/Tokyo',
      '--max-steps',
      '5',
      '--json',
    ]);
    expect(created.code, created.stderr).toBe(EXIT.ok);
    expect(jsonLines(created.stdout)[0]).toMatchObject({ name, overlap: 'skip', catchupWindowMs: 60_000 });

    const schedules = ScheduleClient.fromSessions(h.sessions);
    await eventually(
      'a completed run',
      async () => (await schedules.runs(name, { skips: false })).some((r) => r.status === 'completed'),
      30_000,
    );
    await schedules.pause(name, 'enough');

    const [json, text, described] = await Promise.all([
      cli(['runs', name, '--json']),
      cli(['runs', name]),
      cli(['describe', name]),
    ]);
    const runs = jsonLines(json.stdout).filter((r) => r.status === 'completed');
    expect(runs.length).toBeGreaterThanOrEqual(1);
    for (const run of runs) {
      expect(run.answer).toMatch(/report of \d{4}-\d{2}-\d{2}/);
      expect(run.costUsd).toBeGreaterThan(0);
      expect(run.agentViewUrl).toMatch(/^https?:\/\//);
    }
    expect(text.stdout).toMatch(/completed\s+\$\d+\.\d+\s+Answer to: report of \d{4}-\d{2}-\d{2}/);

    expect(described.code).toBe(EXIT.ok);
    expect(described.stdout).toMatch(/next runs\s+\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/);
    expect(described.stdout).toMatch(
      /cost\s+median \$\d+\.\d+ per run \(\d+ runs\), projected \$[\d.]+ per day at 43200 runs a day/,
    );
    expect(described.stdout).toContain('(paused)');
    expect(described.stdout).toContain('note         enough');

    const deleted = await cli(['delete', name, '--json']);
    expect(jsonLines(deleted.stdout)[0]).toEqual({ name, done: 'delete' });
  });
});
