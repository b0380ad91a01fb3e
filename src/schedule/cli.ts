// `hai-temporal schedule …`: create, change and read schedules of agent runs; each command has `--json`.
import { type Command } from 'commander';
import type { SessionClient } from '../client';
import { EXIT } from '../cli/exit-codes';
import { printJson } from '../cli/output';
import { duration, httpUrl, nonEmpty, oneOf, positiveInt, positiveNumber, readJsonObjectFile } from '../cli/parse';
import { type CreateScheduleOptions, ScheduleClient, type ScheduleSessionOptions } from './client';
import type { OverlapPolicyName } from './definitions';
import { formatOverview, formatRun } from './format';
import { readTasksFile } from './tasks-file';

type Run = (action: (sessions: SessionClient) => Promise<number>) => Promise<void>;

interface ScheduleFlags {
  cron?: string;
  every?: string;
  calendar?: string;
  task?: string;
  tasks?: string;
  agent?: string;
  timezone?: string;
  overlap?: string;
  catchupWindow?: string;
  jitter?: string;
  start?: string;
  end?: string;
  paused?: boolean;
  note?: string;
  pauseOnFailure?: boolean;
  quotaWait?: string;
  maxSteps?: number;
  maxTime?: number;
  maxCost?: number;
  answerSchema?: string;
  groupId?: string;
  approval?: boolean;
  approvalTimeout?: number;
  onTimeout?: 'reject' | 'approve' | 'cancel';
  maxRounds?: number;
  notifyUrl?: string;
  tool?: string[];
  json?: boolean;
}

/** The options `create` and `update` share: when, what, policies and the session options of every run. */
function scheduleOptions(command: Command): Command {
  return command
    .option('--cron <expression>', 'cron expression, e.g. "0 9 * * MON-FRI" (in --timezone)')
    .option('--every <interval>', 'interval, e.g. 30m, 1h, 1d/9h (every day, offset 9 h from midnight UTC)')
    .option('--calendar <json>', 'Temporal calendar spec as JSON, e.g. \'{"dayOfWeek":"MONDAY","hour":9}\'')
    .option('--task <text>', "what the agent does each run; {{scheduledTime}} and {{date}} become the run's time")
    .option('--tasks <file>', 'a task list (one per line, or JSONL): each run is a batch of them')
    .option('-a, --agent <name>', 'platform agent')
    .option('--timezone <zone>', 'IANA time zone of the spec and of {{date}} (default UTC)')
    .option(
      '--overlap <policy>',
      'when a run is still going: skip (default), buffer-one, buffer-all, allow-all, cancel-other, terminate-other',
    )
    .option('--catchup-window <duration>', 'how late a missed run may still start after an outage (default 1m)')
    .option('--jitter <duration>', 'start each run up to this much later, at random')
    .option('--start <time>', 'no runs before this time (ISO 8601)')
    .option('--end <time>', 'no runs after this time (ISO 8601)')
    .option('--note <text>', 'a note shown with the schedule')
    .option('--pause-on-failure', 'pause the schedule when a run fails')
    .option(
      '--quota-wait <duration>',
      'wait this long for a free platform slot, else skip the run (default 10m; 0: skip at once)',
    )
    .option('--max-steps <n>', 'step cap of each session', positiveInt)
    .option('--max-time <seconds>', 'wall-clock cap of each session', positiveNumber)
    .option('--max-cost <usd>', 'force an answer once a session costs more than this', positiveNumber)
    .option('--answer-schema <file>', 'JSON Schema file the answer must match')
    .option('--group-id <id>', 'platform group tag')
    .option('--approval', "hold each run's answer until a person approves or rejects it")
    .option('--approval-timeout <duration>', 'how long a decision may take', duration)
    .option(
      '--on-timeout <action>',
      'what a decision timeout does: reject, approve or cancel',
      oneOf(['reject', 'approve', 'cancel']),
    )
    .option('--max-rounds <n>', 'answers that may be put up for approval', positiveInt)
    .option('--notify-url <url>', 'POST a signed notice here when a run waits for a person', httpUrl)
    .option('--tool <name...>', 'tools registered with the worker that the agent may call')
    .option('--json', 'machine-readable output');
}

function sessionOptionsOf(o: ScheduleFlags): ScheduleSessionOptions {
  const asked = o.approval || o.approvalTimeout !== undefined || o.onTimeout !== undefined || o.maxRounds !== undefined;
  const session: ScheduleSessionOptions = {
    ...(o.agent ? { agent: o.agent } : {}),
    ...(o.maxSteps !== undefined ? { maxSteps: o.maxSteps } : {}),
    ...(o.maxTime !== undefined ? { maxTimeS: o.maxTime } : {}),
    ...(o.maxCost !== undefined ? { maxCostUsd: o.maxCost } : {}),
    ...(o.answerSchema ? { answerSchema: readJsonObjectFile(o.answerSchema, '--answer-schema') } : {}),
    ...(o.groupId ? { groupId: o.groupId } : {}),
    ...(o.notifyUrl ? { notifyUrl: o.notifyUrl } : {}),
    ...(o.tool ? { tools: o.tool } : {}),
  };
  if (asked)
    session.approval = {
      ...(o.approvalTimeout !== undefined ? { timeout: o.approvalTimeout } : {}),
      ...(o.onTimeout ? { onTimeout: o.onTimeout } : {}),
      ...(o.maxRounds !== undefined ? { maxRounds: o.maxRounds } : {}),
    };
  return session;
}

function optionsOf(o: ScheduleFlags): Partial<CreateScheduleOptions> {
  const defined = <T extends object>(value: T) =>
    Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
  return defined({
    cron: o.cron,
    every: o.every,
    calendar: o.calendar,
    task: o.task,
    tasks: o.tasks ? readTasksFile(o.tasks) : undefined,
    timezone: o.timezone,
    overlap: o.overlap as OverlapPolicyName | undefined,
    catchupWindow: o.catchupWindow,
    jitter: o.jitter,
    start: o.start,
    end: o.end,
    note: o.note,
    pauseOnFailure: o.pauseOnFailure,
    quotaWait: o.quotaWait,
  });
}

export function addScheduleCommands(program: Command, run: Run): void {
  const schedule = program.command('schedule').description('recurring agent runs on Temporal Schedules');
  const withSchedules = (action: (schedules: ScheduleClient) => Promise<number>) =>
    run((sessions) => action(ScheduleClient.fromSessions(sessions)));
  const show = (json: boolean | undefined, value: object, text: string) =>
    json ? printJson(value) : console.log(text);

  scheduleOptions(
    schedule
      .command('create')
      .description('create a schedule: (--cron | --every | --calendar) and (--task | --tasks)')
      .argument('<name>', 'schedule id, e.g. daily-news'),
  )
    .option('--paused', 'create it paused')
    .action((name: string, o: ScheduleFlags) =>
      withSchedules(async (schedules) => {
        const session = sessionOptionsOf(o);
        const overview = await schedules.create(name, {
          ...optionsOf(o),
          ...(Object.keys(session).length ? { session } : {}),
          ...(o.paused ? { paused: true } : {}),
        });
        show(o.json, overview, formatOverview(overview));
        return EXIT.ok;
      }),
    );

  scheduleOptions(
    schedule
      .command('update')
      .description('change a schedule: only what is given changes (the next run uses it)')
      .argument('<name>'),
  ).action((name: string, o: ScheduleFlags) =>
    withSchedules(async (schedules) => {
      const session = sessionOptionsOf(o);
      const overview = await schedules.update(name, {
        ...optionsOf(o),
        ...(Object.keys(session).length ? { session } : {}),
      });
      show(o.json, overview, formatOverview(overview));
      return EXIT.ok;
    }),
  );

  schedule
    .command('list')
    .description('schedules of agent runs')
    .option('--json', 'machine-readable output (one object per line)')
    .action((o: { json?: boolean }) =>
      withSchedules(async (schedules) => {
        for await (const s of schedules.list()) {
          show(
            o.json,
            s,
            `${s.name}  ${s.paused ? 'paused ' : 'active '} next ${s.nextFireTimes[0]?.toISOString() ?? '-'}  last ${s.lastRunAt?.toISOString() ?? '-'}${s.note ? `  (${s.note})` : ''}`,
          );
        }
        return EXIT.ok;
      }),
    );

  schedule
    .command('describe')
    .description('a schedule: its spec, policies, next fire times and, once runs exist, cost per run and per day')
    .argument('<name>')
    .option('--json', 'machine-readable output')
    .action((name: string, o: { json?: boolean }) =>
      withSchedules(async (schedules) => {
        const overview = await schedules.describe(name);
        show(o.json, overview, formatOverview(overview));
        return EXIT.ok;
      }),
    );

  const simple = (
    command: string,
    description: string,
    call: (schedules: ScheduleClient, name: string, o: { note?: string; overlap?: string }) => Promise<unknown>,
    done: string,
    configure: (c: Command) => Command = (c) => c,
  ) =>
    configure(schedule.command(command).description(description).argument('<name>'))
      .option('--json', 'machine-readable output')
      .action((name: string, o: { json?: boolean; note?: string; overlap?: string }) =>
        withSchedules(async (schedules) => {
          await call(schedules, name, o);
          show(o.json, { name, done: command }, `${name}: ${done}`);
          return EXIT.ok;
        }),
      );
  simple(
    'pause',
    'stop taking runs until unpaused',
    (s, n, o) => s.pause(n, o.note),
    'paused',
    (c) => c.option('--note <text>', 'why'),
  );
  simple(
    'unpause',
    'take runs again',
    (s, n, o) => s.unpause(n, o.note),
    'unpaused',
    (c) => c.option('--note <text>', 'why'),
  );
  simple(
    'trigger',
    'start a run now',
    (s, n, o) => s.trigger(n, o.overlap as OverlapPolicyName | undefined),
    'run started',
    (c) => c.option('--overlap <policy>', 'overlap policy for this run (default allow-all: it was asked for)'),
  );
  simple('delete', 'delete the schedule (its past runs stay in Temporal)', (s, n) => s.delete(n), 'deleted');

  schedule
    .command('backfill')
    .description('run the schedule for a past window, one run per fire time, each with its own date')
    .argument('<name>')
    .requiredOption('--from <time>', 'window start (ISO 8601)', nonEmpty('--from'))
    .requiredOption('--to <time>', 'window end (ISO 8601)', nonEmpty('--to'))
    .option('--overlap <policy>', 'how the runs overlap (default buffer-all: one after another)')
    .option('--json', 'machine-readable output')
    .action((name: string, o: { from: string; to: string; overlap?: string; json?: boolean }) =>
      withSchedules(async (schedules) => {
        const { runs } = await schedules.backfill(name, {
          from: o.from,
          to: o.to,
          ...(o.overlap ? { overlap: o.overlap as OverlapPolicyName } : {}),
        });
        show(o.json, { name, runs }, `${name}: backfill of ${runs} run(s) started`);
        return EXIT.ok;
      }),
    );

  schedule
    .command('runs')
    .description('recent runs: scheduled time, status, cost, answer, Agent View URL; skipped runs with the reason')
    .argument('<name>')
    .option('--limit <n>', 'at most this many', positiveInt, 20)
    .option('--json', 'machine-readable output (one object per line)')
    .action((name: string, o: { limit: number; json?: boolean }) =>
      withSchedules(async (schedules) => {
        for (const r of await schedules.runs(name, { limit: o.limit })) show(o.json, r, formatRun(r));
        return EXIT.ok;
      }),
    );
}
