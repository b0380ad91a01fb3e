// The library face of schedules: create, change and read Temporal Schedules whose every run is a `scheduledRun`
// workflow (one agent session, or a batch for a task list). Specs and inputs are checked before anything is sent,
// so a bad one creates or changes nothing.
import {
  type Client,
  ScheduleAlreadyRunning,
  type ScheduleDescription,
  type ScheduleHandle,
  ScheduleNotFoundError,
  type ScheduleSpec,
  WorkflowFailedError,
  type WorkflowExecutionInfo,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { msNumberToTs, tsToDate } from '@temporalio/common/lib/time';
import { PAGE_ITEMS } from '../batch/definitions';
import { InvalidInputError, type SessionClient, type StartSessionInput, toWorkflowInput } from '../client';
import {
  DEFAULT_QUOTA_WAIT_MS,
  type OverlapPolicyName,
  SCHEDULED_RUN_WORKFLOW_TYPE,
  type ScheduledRunInput,
  type ScheduledRunResult,
  type ScheduledSessionOptions,
  scheduledRunProgressQuery,
  TEMPORAL_SCHEDULED_BY_ID,
  TEMPORAL_SCHEDULED_START_TIME,
} from './definitions';
import { type CostProjection, overlapSkips, projectCost, type ScheduledRunEntry } from './history';
import {
  checkTimeZone,
  compilePolicies,
  compileSpec,
  durationMs,
  overlapName,
  overlapPolicy,
  type SchedulePolicyOptions,
  type ScheduleTiming,
} from './spec';
import { renderTask, unknownPlaceholders } from './template';

/** Session options for every run; the answer schema may be a zod schema. */
export type ScheduleSessionOptions = Omit<StartSessionInput, 'task' | 'messages' | 'reportTo'>;

export interface ScheduleRunOptions {
  /** What the agent should do; `{{scheduledTime}}` and `{{date}}` become the run's scheduled time. */
  task?: string;
  /** A task list: each run starts a batch of these (with the same placeholders). */
  tasks?: string[];
  session?: ScheduleSessionOptions;
  /** Wait this long for a free slot in the platform's quota before the run is skipped; default 10m, 0 skips at once. */
  quotaWait?: string | number;
  /** How often a waiting run reads the quota again (default 15s). */
  quotaPoll?: string | number;
}

export interface CreateScheduleOptions extends ScheduleTiming, SchedulePolicyOptions, ScheduleRunOptions {
  /** Create it paused. */
  paused?: boolean;
  /** Shown with the schedule, e.g. why it is paused. */
  note?: string;
}

export type UpdateScheduleOptions = Partial<Omit<CreateScheduleOptions, 'paused'>>;

export interface ScheduleOverview {
  name: string;
  paused: boolean;
  note: string | null;
  spec: ScheduleDescription['spec'];
  timezone: string;
  overlap: OverlapPolicyName;
  catchupWindowMs: number;
  pauseOnFailure: boolean;
  run: ScheduledRunInput;
  nextFireTimes: Date[];
  actions: { taken: number; skippedOverlap: number; missedCatchupWindow: number; running: number };
  createdAt: Date;
  lastUpdatedAt: Date | null;
  /** Median cost of the recent runs and what a day of runs would cost at that rate; nulls until runs are priced. */
  cost: CostProjection;
}

export interface ScheduleListEntry {
  name: string;
  paused: boolean;
  note: string | null;
  nextFireTimes: Date[];
  lastRunAt: Date | null;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;
const checkName = (name: string): string => {
  if (!NAME.test(name))
    throw new InvalidInputError(
      `bad schedule name ${JSON.stringify(name)}: use letters, digits, ".", "_" and "-" (at most 200, starting with a letter or digit)`,
    );
  return name;
};

const quote = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

export class ScheduleClient {
  constructor(
    readonly temporal: Client,
    readonly taskQueue: string,
  ) {}

  static fromSessions(sessions: SessionClient): ScheduleClient {
    return new ScheduleClient(sessions.temporal, sessions.taskQueue);
  }

  /** Creates a schedule; refuses a bad spec, policy or task (naming the problem) and a name already taken. */
  async create(name: string, opts: CreateScheduleOptions): Promise<ScheduleOverview> {
    checkName(name);
    const spec = compileSpec(opts);
    const policies = compilePolicies(opts);
    const run = runInput(name, opts, spec.timezone ?? 'UTC');
    try {
      await this.temporal.schedule.create({
        scheduleId: name,
        spec,
        policies,
        action: {
          type: 'startWorkflow',
          workflowType: SCHEDULED_RUN_WORKFLOW_TYPE,
          workflowId: name,
          taskQueue: this.taskQueue,
          args: [run],
          staticSummary: summaryOf(name, run),
        },
        state: { paused: opts.paused ?? false, ...(opts.note ? { note: opts.note } : {}) },
      });
    } catch (err) {
      if (err instanceof ScheduleAlreadyRunning)
        throw new InvalidInputError(`a schedule named "${name}" already exists`);
      throw err;
    }
    return this.describe(name);
  }

  async *list(): AsyncGenerator<ScheduleListEntry> {
    for await (const s of this.temporal.schedule.list()) {
      if (s.action?.workflowType !== SCHEDULED_RUN_WORKFLOW_TYPE) continue;
      const recent = s.info.recentActions;
      yield {
        name: s.scheduleId,
        paused: s.state.paused,
        note: s.state.note || null,
        nextFireTimes: s.info.nextActionTimes,
        lastRunAt: recent.length ? recent[recent.length - 1]!.scheduledAt : null,
      };
    }
  }

  /** The schedule, its next fire times and, once runs are priced, the median cost per run and per day. */
  async describe(name: string, opts: { costRuns?: number } = {}): Promise<ScheduleOverview> {
    const d = await this.described(name);
    const runs = await this.runs(name, { limit: opts.costRuns ?? 20, skips: false });
    return overviewOf(d, projectCost(runs, d.info.nextActionTimes));
  }

  async pause(name: string, note?: string): Promise<void> {
    await this.call(name, (h) => h.pause(note ?? 'paused with hai-temporal'));
  }

  async unpause(name: string, note?: string): Promise<void> {
    await this.call(name, (h) => h.unpause(note ?? 'unpaused with hai-temporal'));
  }

  /** Starts a run now (by default even while another runs: it was asked for). */
  async trigger(name: string, overlap?: OverlapPolicyName): Promise<void> {
    const policy = overlap ? overlapPolicy(overlap) : undefined;
    await this.call(name, (h) => h.trigger(policy));
  }

  /**
   * Runs the schedule for a past window as if its time passed now: one run per fire time, each with its own
   * scheduled time (and date in its task). Runs one after another by default (buffer-all). Refuses a window with
   * more than `maxRuns` fire times (default 100): a backfill is paid runs.
   */
  async backfill(
    name: string,
    opts: { from: Date | string; to: Date | string; overlap?: OverlapPolicyName; maxRuns?: number },
  ): Promise<{ runs: number }> {
    const from = dateOf(opts.from, 'from');
    const to = dateOf(opts.to, 'to');
    if (to <= from)
      throw new InvalidInputError(`backfill "to" ${to.toISOString()} is not after "from" ${from.toISOString()}`);
    if (to.getTime() > Date.now() + 1000)
      throw new InvalidInputError(`backfill "to" ${to.toISOString()} is in the future: backfill runs past fire times`);
    const overlap = overlapPolicy(opts.overlap ?? 'buffer-all');
    await this.described(name);
    const times = await this.matchingTimes(name, from, to);
    const maxRuns = opts.maxRuns ?? 100;
    if (times.length > maxRuns)
      throw new InvalidInputError(
        `backfill from ${from.toISOString()} to ${to.toISOString()} would start ${times.length} runs (more than ${maxRuns}); backfill a shorter window`,
      );
    if (times.length) await this.call(name, (h) => h.backfill({ start: from, end: to, overlap }));
    return { runs: times.length };
  }

  /** Changes what is given and keeps the rest; checked first, so a bad change changes nothing. */
  async update(name: string, changes: UpdateScheduleOptions): Promise<ScheduleOverview> {
    const current = await this.described(name);
    const previous = current.action.args?.[0] as ScheduledRunInput | undefined;
    if (current.action.workflowType !== SCHEDULED_RUN_WORKFLOW_TYPE || !previous)
      throw new InvalidInputError(`schedule "${name}" was not made by hai-temporal`);
    const spec = updatedSpec(current.spec, changes);
    const policies = compilePolicies({
      overlap: changes.overlap ?? overlapName(current.policies.overlap),
      catchupWindow: changes.catchupWindow ?? current.policies.catchupWindow,
      pauseOnFailure: changes.pauseOnFailure ?? current.policies.pauseOnFailure,
    });
    const taskGiven = changes.task !== undefined || changes.tasks !== undefined;
    const run = runInput(
      name,
      {
        ...(taskGiven ? { task: changes.task, tasks: changes.tasks } : { task: previous.task, tasks: previous.tasks }),
        session: { ...previous.session, ...changes.session },
        quotaWait: changes.quotaWait ?? previous.quotaWaitMs,
        quotaPoll: changes.quotaPoll ?? previous.quotaPollMs,
      },
      spec.timezone || 'UTC',
    );
    await this.call(name, (h) =>
      h.update((prev) => ({
        spec,
        policies,
        action: { ...prev.action, args: [run], staticSummary: summaryOf(name, run) },
        state: {
          paused: prev.state.paused,
          ...((changes.note ?? prev.state.note) ? { note: changes.note ?? prev.state.note } : {}),
        },
      })),
    );
    return this.describe(name);
  }

  async delete(name: string): Promise<void> {
    await this.call(name, (h) => h.delete());
  }

  /**
   * Recent runs, newest first: each run's scheduled time, status, answer, cost and Agent View URL, runs skipped
   * for quota (the run's own result) and fire times skipped by the overlap policy.
   */
  async runs(name: string, opts: { limit?: number; skips?: boolean } = {}): Promise<ScheduledRunEntry[]> {
    const limit = opts.limit ?? 20;
    const query = `${TEMPORAL_SCHEDULED_BY_ID.name} = ${quote(checkName(name))}`;
    const infos: WorkflowExecutionInfo[] = [];
    for await (const wf of this.temporal.workflow.list({ query })) {
      infos.push(wf);
      if (infos.length >= limit) break;
    }
    if (!infos.length) await this.described(name);
    const runs = await Promise.all(infos.map((wf) => this.entryOf(wf)));
    let skips: ScheduledRunEntry[] = [];
    if (opts.skips !== false && runs.length) {
      const d = await this.described(name);
      const skipped = d.info.numActionsSkippedOverlap;
      if (skipped > 0) {
        const from = new Date(Math.min(...runs.map((r) => r.scheduledTime.getTime())));
        skips = overlapSkips(await this.matchingTimes(name, from, new Date()), runs, skipped);
      }
    }
    return [...runs, ...skips].sort((a, b) => b.scheduledTime.getTime() - a.scheduledTime.getTime()).slice(0, limit);
  }

  private async entryOf(wf: WorkflowExecutionInfo): Promise<ScheduledRunEntry> {
    const base: ScheduledRunEntry = {
      workflowId: wf.workflowId,
      scheduledTime: scheduledTimeOf(wf),
      status: 'running',
      skipped: null,
      task: null,
      answer: null,
      costUsd: null,
      agentViewUrl: null,
      sessionWorkflowId: null,
      error: null,
      startTime: wf.startTime,
      closeTime: wf.closeTime ?? null,
    };
    const handle = this.temporal.workflow.getHandle(wf.workflowId, wf.runId);
    switch (wf.status.name) {
      case 'RUNNING': {
        const progress = await handle.query(scheduledRunProgressQuery).catch(() => null);
        return {
          ...base,
          status: progress?.phase === 'waiting_for_quota' ? 'waiting_for_quota' : 'running',
          task: progress?.task ?? null,
          sessionWorkflowId: progress?.sessionWorkflowId ?? null,
        };
      }
      case 'COMPLETED':
        return withResult(base, (await handle.result()) as ScheduledRunResult);
      case 'FAILED':
        try {
          await handle.result();
        } catch (err) {
          const cause = err instanceof WorkflowFailedError ? err.cause : undefined;
          const detail =
            cause instanceof ApplicationFailure ? (cause.details?.[0] as ScheduledRunResult | undefined) : undefined;
          const error = cause?.message ?? (err as Error).message;
          return detail ? { ...withResult(base, detail), error } : { ...base, status: 'failed', error };
        }
        return { ...base, status: 'failed' };
      case 'TERMINATED':
        return { ...base, status: 'terminated' };
      case 'CANCELLED':
        return { ...base, status: 'cancelled' };
      case 'TIMED_OUT':
        return { ...base, status: 'timed_out' };
      default:
        return { ...base, status: 'failed', error: `workflow ${wf.status.name.toLowerCase()}` };
    }
  }

  private async matchingTimes(name: string, from: Date, to: Date): Promise<Date[]> {
    const response = await this.temporal.workflowService.listScheduleMatchingTimes({
      namespace: this.temporal.options.namespace,
      scheduleId: name,
      startTime: msNumberToTs(from.getTime()),
      endTime: msNumberToTs(to.getTime()),
    });
    return (response.startTime ?? []).map((t) => tsToDate(t));
  }

  private described(name: string): Promise<ScheduleDescription> {
    return this.call(name, (h) => h.describe());
  }

  private async call<T>(name: string, fn: (handle: ScheduleHandle) => Promise<T>): Promise<T> {
    try {
      return await fn(this.temporal.schedule.getHandle(checkName(name)));
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) throw new InvalidInputError(`no schedule named "${name}"`);
      throw err;
    }
  }
}

function withResult(base: ScheduledRunEntry, r: ScheduledRunResult): ScheduledRunEntry {
  return {
    ...base,
    status: r.status,
    skipped: r.skipped,
    task: r.task,
    answer: r.answer,
    costUsd: r.costUsd,
    agentViewUrl: r.agentViewUrl,
    sessionWorkflowId: r.sessionWorkflowId,
    error: r.error,
    ...(r.batch ? { batch: r.batch } : {}),
  };
}

/** Checks the task (or task list) and the session options, and builds what each run is started with. */
function runInput(name: string, opts: ScheduleRunOptions, timezone: string): ScheduledRunInput {
  if ((opts.task === undefined) === (opts.tasks === undefined))
    throw new InvalidInputError(
      opts.task === undefined
        ? 'give the task for each run (or a task list)'
        : 'give either a task or a task list, not both',
    );
  const tasks = opts.tasks ?? [opts.task!];
  if (opts.tasks && !opts.tasks.length) throw new InvalidInputError('the task list is empty');
  if (opts.tasks && opts.tasks.length > PAGE_ITEMS)
    throw new InvalidInputError(`a task list holds at most ${PAGE_ITEMS} tasks, got ${opts.tasks.length}`);
  const sample = new Date();
  let session: ScheduledSessionOptions = {};
  tasks.forEach((task, i) => {
    const what = opts.tasks ? `task ${i + 1}` : 'the task';
    if (typeof task !== 'string' || !task.trim()) throw new InvalidInputError(`${what} must not be empty`);
    const unknown = unknownPlaceholders(task);
    if (unknown.length)
      throw new InvalidInputError(
        `${what} has unknown placeholder(s) ${unknown.join(', ')} (known: {{scheduledTime}}, {{date}})`,
      );
    // The session input each run would start with, checked as the session client checks it.
    const { task: _rendered, ...checked } = toWorkflowInput({
      ...opts.session,
      task: renderTask(task, sample, timezone),
    });
    session = checked;
  });
  const quotaWaitMs =
    opts.quotaWait === undefined
      ? DEFAULT_QUOTA_WAIT_MS
      : durationMs(opts.quotaWait, 'quota wait', { allowZero: true });
  return {
    scheduleId: name,
    timezone,
    ...(opts.tasks ? { tasks: opts.tasks } : { task: opts.task! }),
    session,
    quotaWaitMs,
    ...(opts.quotaPoll !== undefined ? { quotaPollMs: durationMs(opts.quotaPoll, 'quota poll') } : {}),
  };
}

/** The spec after an update: a new cron/every/calendar replaces the old; other fields change only when given. */
function updatedSpec(prev: ScheduleDescription['spec'], changes: UpdateScheduleOptions): ScheduleSpec {
  const timing: ScheduleTiming = {
    timezone: changes.timezone ?? (prev.timezone || undefined),
    jitter: changes.jitter ?? prev.jitter ?? undefined,
    start: changes.start ?? prev.startAt,
    end: changes.end ?? prev.endAt,
  };
  if (changes.cron !== undefined || changes.every !== undefined || changes.calendar !== undefined) {
    return compileSpec({ ...timing, cron: changes.cron, every: changes.every, calendar: changes.calendar });
  }
  // Keep the spec's times; check the changed fields by compiling them with a placeholder interval.
  const checked = compileSpec({ ...timing, every: prev.intervals?.[0]?.every ?? 86_400_000 });
  if (changes.timezone !== undefined) checkTimeZone(changes.timezone);
  return {
    ...(prev.calendars?.length ? { calendars: prev.calendars } : {}),
    ...(prev.intervals?.length ? { intervals: prev.intervals } : {}),
    ...(prev.skip?.length ? { skip: prev.skip } : {}),
    ...(checked.timezone ? { timezone: checked.timezone } : {}),
    ...(checked.jitter !== undefined ? { jitter: checked.jitter } : {}),
    ...(checked.startAt ? { startAt: checked.startAt } : {}),
    ...(checked.endAt ? { endAt: checked.endAt } : {}),
  };
}

function overviewOf(d: ScheduleDescription, cost: CostProjection): ScheduleOverview {
  return {
    name: d.scheduleId,
    paused: d.state.paused,
    note: d.state.note || null,
    spec: d.spec,
    timezone: d.spec.timezone || 'UTC',
    overlap: overlapName(d.policies.overlap),
    catchupWindowMs: d.policies.catchupWindow,
    pauseOnFailure: d.policies.pauseOnFailure,
    run: d.action.args?.[0] as ScheduledRunInput,
    nextFireTimes: d.info.nextActionTimes,
    actions: {
      taken: d.info.numActionsTaken,
      skippedOverlap: d.info.numActionsSkippedOverlap,
      missedCatchupWindow: d.info.numActionsMissedCatchupWindow,
      running: d.info.runningActions.length,
    },
    createdAt: d.info.createdAt,
    lastUpdatedAt: d.info.lastUpdatedAt ?? null,
    cost,
  };
}

function summaryOf(name: string, run: ScheduledRunInput): string {
  const what = run.tasks ? `${run.tasks.length} tasks` : run.task!;
  return `schedule ${name}: ${what}`.slice(0, 200);
}

/** The run's scheduled time from visibility, else from its workflow id (`<name>-<RFC 3339 time>`). */
function scheduledTimeOf(wf: WorkflowExecutionInfo): Date {
  const typed = wf.typedSearchAttributes.get(TEMPORAL_SCHEDULED_START_TIME);
  if (typed instanceof Date && !Number.isNaN(typed.getTime())) return typed;
  const raw = wf.searchAttributes?.[TEMPORAL_SCHEDULED_START_TIME.name]?.[0];
  const parsed = raw instanceof Date ? raw : typeof raw === 'string' ? new Date(raw) : undefined;
  if (parsed && !Number.isNaN(parsed.getTime())) return parsed;
  const suffix = /-(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z)$/.exec(wf.workflowId)?.[1];
  return suffix ? new Date(suffix) : wf.startTime;
}

function dateOf(value: Date | string, what: string): Date {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime()))
    throw new InvalidInputError(
      `${what}: expected a date and time like 2026-01-31T09:00:00Z, got ${JSON.stringify(String(value))}`,
    );
  return date;
}
