// Bad specs are refused with a message naming the problem, and nothing is created.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../src/client';
import { ScheduleClient, type CreateScheduleOptions } from '../../src/schedule/client';
import { compilePolicies, compileSpec } from '../../src/schedule/spec';
import { readTasksFile } from '../../src/schedule/tasks-file';
import { localTime, renderTask } from '../../src/schedule/template';
import { type Harness, startHarness } from '../helpers/harness';

const refusals: [string, CreateScheduleOptions, RegExp][] = [
  ['a cron field out of range', { cron: '0 25 * * *' }, /field 2 \(hour\) "25": 25 is out of range 0-23/],
  ['a cron field that is not a number', { cron: '0 9 * * MOONDAY' }, /field 5 \(day of week\) "MOONDAY"/],
  ['a cron with too few fields', { cron: '0 9 *' }, /expected 5 fields .* got 3/],
  ['a cron range that ends before it starts', { cron: '0 9 * * 5-1' }, /range 5-1 ends before it starts/],
  ['an unknown cron shorthand', { cron: '@fortnightly' }, /unknown shorthand "@fortnightly"/],
  ['an unknown time zone', { every: '1h', timezone: 'Mars/Olympus_Mons' }, /unknown time zone "Mars\/Olympus_Mons"/],
  [
    'an end before the start',
    { every: '1h', start: '2031-01-02T00:00:00Z', end: '2031-01-01T00:00:00Z' },
    /end 2031-01-01T00:00:00.000Z is not after start 2031-01-02T00:00:00.000Z/,
  ],
  ['an end in the past', { every: '1h', end: '2001-01-01T00:00:00Z' }, /is in the past/],
  ['a start that is not a date', { every: '1h', start: 'tomorrow-ish' }, /start: expected a date and time/],
  ['an unknown overlap policy', { every: '1h', overlap: 'queue-up' as never }, /unknown overlap policy "queue-up"/],
  ['a zero interval', { every: '0s' }, /interval must be longer than zero/],
  ['a negative interval', { every: '-5m' }, /interval must not be negative/],
  ['an interval below a second', { every: '500ms' }, /interval must be at least 1s/],
  ['an interval that is not a duration', { every: 'often' }, /interval: expected a duration/],
  ['a negative jitter', { every: '1h', jitter: '-1m' }, /jitter must not be negative/],
  ['a jitter that is not a duration', { every: '1h', jitter: 'a bit' }, /jitter: expected a duration/],
  ['a jitter as long as the interval', { every: '1m', jitter: '1m' }, /jitter "1m" must be shorter than the interval/],
  ['a catch-up window under 10 s', { every: '1h', catchupWindow: '5s' }, /catch-up window must be at least 10s/],
  ['a calendar with an unknown field', { calendar: '{"weekday":"MONDAY"}' }, /unknown field "weekday"/],
  ['a calendar hour out of range', { calendar: { hour: 24 } }, /"hour" must be a whole number in 0-23, got 24/],
  ['a calendar that is not JSON', { calendar: '{hour: 9' }, /not valid JSON/],
  ['two kinds of spec at once', { cron: '0 9 * * *', every: '1h' }, /only one of cron, every or calendar/],
  ['no spec at all', {}, /give when to run/],
];

describe('schedule specs', () => {
  it.each(refusals)('refuses %s, naming the problem', (_what, opts, message) => {
    expect(() => {
      compileSpec(opts);
      compilePolicies(opts);
    }).toThrow(message);
  });

  it('accepts cron with names, steps and lists, intervals with an offset, calendars and a CRON_TZ prefix', () => {
    expect(compileSpec({ cron: '*/15 9-17 * JAN-MAR,DEC MON-FRI' }).cronExpressions).toEqual([
      '*/15 9-17 * JAN-MAR,DEC MON-FRI',
    ]);
    expect(compileSpec({ every: '1d/9h' }).intervals).toEqual([{ every: 86_400_000, offset: 32_400_000 }]);
    expect(
      compileSpec({ calendar: '{"dayOfWeek":[{"start":"MONDAY","end":"FRIDAY"}],"hour":9}' }).calendars,
    ).toHaveLength(1);
    expect(compileSpec({ cron: 'CRON_TZ=Asia/Tokyo 0 9 * * *' })).toMatchObject({
      timezone: 'Asia/Tokyo',
      cronExpressions: ['0 9 * * *'],
    });
  });

  it('defaults to skip on overlap, a one-minute catch-up window and no pause on failure', () => {
    expect(compilePolicies({})).toEqual({ overlap: 'SKIP', catchupWindow: 60_000, pauseOnFailure: false });
  });
});

describe('task placeholders', () => {
  it("render the run's scheduled time and date in the schedule's time zone", () => {
    const at = new Date('2026-03-01T02:30:00Z');
    expect(renderTask('news of {{date}} ({{ scheduledTime }})', at, 'America/New_York')).toBe(
      'news of 2026-02-28 (2026-02-28T21:30:00-05:00)',
    );
    expect(localTime(at, 'UTC')).toEqual({ date: '2026-03-01', scheduledTime: '2026-03-01T02:30:00Z' });
  });
});

describe('creating a schedule with a bad spec or task', () => {
  let h: Harness;
  let schedules: ScheduleClient;
  beforeAll(async () => {
    h = await startHarness({ noWorker: true });
    schedules = ScheduleClient.fromSessions(h.sessions);
  });
  afterAll(() => h?.stop());

  const bad: [string, CreateScheduleOptions, RegExp][] = [
    ...refusals.map(([what, opts, message]): [string, CreateScheduleOptions, RegExp] => [
      what,
      { task: 'summarise the news', ...opts },
      message,
    ]),
    ['an unknown placeholder', { every: '1h', task: 'news of {{day}}' }, /unknown placeholder\(s\) \{\{day\}\}/],
    ['an empty task', { every: '1h', task: '  ' }, /the task must not be empty/],
    ['no task', { every: '1h' }, /give the task/],
    ['a bad session option', { every: '1h', task: 'x', session: { maxSteps: 0 } }, /maxSteps/],
  ];

  it('creates nothing, whatever was wrong', async () => {
    for (const [what, opts, message] of bad) {
      const name = `bad-${Math.random().toString(36).slice(2, 8)}`;
      const refused = await schedules.create(name, opts).catch((err: unknown) => err);
      expect(refused, what).toBeInstanceOf(InvalidInputError);
      expect((refused as Error).message, what).toMatch(message);
      await expect(schedules.describe(name), what).rejects.toThrow(`no schedule named "${name}"`);
    }
  });

  it('refuses a bad name before reaching Temporal', async () => {
    await expect(schedules.create('no spaces please', { every: '1h', task: 'x' })).rejects.toThrow(
      /bad schedule name "no spaces please"/,
    );
  });
});

describe('a task list file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hai-schedule-'));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  it('reads one task per line, skipping blank lines and # comments, or JSONL strings and objects', () => {
    expect(readTasksFile(file('tasks.txt', '# morning\ncheck A on {{date}}\n\ncheck B\n'))).toEqual([
      'check A on {{date}}',
      'check B',
    ]);
    expect(readTasksFile(file('tasks.jsonl', '"check A"\n{"task": "check B"}\n'))).toEqual(['check A', 'check B']);
  });

  it('names the line that is wrong, and refuses an empty list', () => {
    expect(() => readTasksFile(file('bad.jsonl', '"ok"\n{"prompt": "x"}\n'))).toThrow(
      /bad.jsonl line 2: expected a task string or an object with "task"/,
    );
    expect(() => readTasksFile(file('empty.txt', '# nothing\n'))).toThrow(/holds no task/);
    expect(() => readTasksFile(join(dir, 'missing.txt'))).toThrow(/cannot read .*missing.txt: ENOENT/);
  });
});
