// Follows one platform session until its next lifecycle transition (hai-api.md §4): long-polls /changes
// from a cursor, takes /status as the authority, drains every page once the session settles, and heartbeats
// its cursor so that a retried attempt (another worker, after a crash) resumes where this one stopped.
import { ApplicationFailure, CancelledFailure, CompleteAsyncError, Context } from '@temporalio/activity';
import type { HaiClient } from '../hai/client';
import { parseAnswer, type SessionChanges, type SessionStatus, type ToolRequest } from '../hai/schemas';
import { isSettledStatus } from '../hai/status';
import type { Transition, UsageEntry } from '../shared/session';
import { checkAnswer } from '../shared/answer-schema';
import { type AnswerEvent, readEvents } from './event-transitions';
import { eventPages } from './event-pages';
import { withPlatformErrors } from './failures';
import { whileHeartbeating } from './heartbeat';
import type { ParkedWatches } from './parked-watches';
import type { StatusSweep } from './status-sweep';

export interface WatchInput {
  sessionId: string;
  /** Count of events the workflow has handled. */
  cursor: number;
  /** The status the workflow knows; a different one is a transition. */
  status: string;
  /** Only from workflows started before answers were checked apart (`checkAnswers`); newer ones send none. */
  answerSchema?: Record<string, unknown>;
  /** Return after this long even without a transition, so no attempt outlives its start-to-close timeout. */
  budgetMs?: number;
  /** Return as soon as the platform's cost figure reaches this (USD): the workflow then forces an answer. */
  returnAtCostUsd?: number;
  waitForSeconds?: number;
  /**
   * `lean`: follow the status alone, through the worker's status sweep, and read the answer once settled: no event
   * pages, so no transitions from events, no live steps, no cost until the end. Absent: page every event.
   */
  mode?: 'lean';
}

export interface CheckedAnswer extends AnswerEvent {
  valid: boolean | null;
  errors?: string[];
}

export interface WatchResult {
  cursor: number;
  status: string;
  steps: number;
  usage: UsageEntry[];
  transitions: Transition[];
  answers: CheckedAnswer[];
  /** The platform's latest answer, read when the session settled (it may ride a later page than its event). */
  latestAnswer: CheckedAnswer | null;
  pendingToolCalls: ToolRequest[] | null;
  error: string | null;
  errorCode: string | null;
  outcome: string | null;
  /** The platform's USD cost so far (`metrics.total_cost`); null when unpriced or not reported yet. */
  costUsd: number | null;
}

/** What a heartbeat carries: enough to resume without losing or repeating an event, and live steps for `status`. */
export interface WatchProgress {
  cursor: number;
  status: string;
  steps: number;
  transitions: Transition[];
  answers: AnswerEvent[];
  pendingToolCalls: ToolRequest[] | null;
  lastEvent: string | null;
  costUsd?: number | null;
}

const DEFAULT_BUDGET_MS = 20 * 60_000;

/** HAI_TEMPORAL_WATCH_BUDGET_MS shortens every watch's time budget (tests of a session with no transition for long). */
function budgetCapMs(env = process.env): number {
  const cap = Number(env.HAI_TEMPORAL_WATCH_BUDGET_MS);
  return Number.isInteger(cap) && cap > 0 ? cap : Infinity;
}
const MAX_WAIT_FOR_SECONDS = 25;

const transitionNow = (kind: Transition['kind']): Transition => ({
  at: new Date().toISOString(),
  eventIndex: null,
  kind,
});

export function watchSessionActivity(client: HaiClient, sweep: StatusSweep, parking?: ParkedWatches) {
  return async function watchSession(input: WatchInput): Promise<WatchResult> {
    const ctx = Context.current();
    const resumed = ctx.info.heartbeatDetails as WatchProgress | undefined;
    const progress: WatchProgress = resumed ?? {
      cursor: input.cursor,
      status: input.status,
      steps: 0,
      transitions: [],
      answers: [],
      pendingToolCalls: null,
      lastEvent: null,
    };
    const deadline = Date.now() + Math.min(input.budgetMs ?? DEFAULT_BUDGET_MS, budgetCapMs());
    const watch = (signal: AbortSignal) => new SessionWatch(client, sweep, input, progress, deadline, signal);

    // A lean watch only waits for the sweep: it gives its slot back and is completed by its task token.
    if (input.mode === 'lean' && parking && !ctx.info.isLocal) {
      parking.park(
        ctx.info.taskToken,
        ctx.info.heartbeatTimeoutMs,
        () => progress,
        (signal) => typedFailures(watch(signal).followStatus()),
      );
      throw new CompleteAsyncError();
    }
    // Heartbeats run on their own clock, so a slow platform call never looks like a dead worker;
    // the SDK forwards at most one per 0.8 × heartbeatTimeout to the server.
    const session = watch(ctx.cancellationSignal);
    return typedFailures(
      whileHeartbeating(
        () => (input.mode === 'lean' ? session.followStatus() : session.follow()),
        () => progress,
      ),
    );
  };
}

/**
 * Platform errors are already typed failures; anything else (a bug, a body we cannot read) would fail the same way on
 * every attempt, so it must not be retried forever.
 */
function typedFailures<T>(watching: Promise<T>): Promise<T> {
  return watching.catch((err) => {
    if (err instanceof ApplicationFailure || err instanceof CancelledFailure) throw err;
    throw ApplicationFailure.nonRetryable(`watching the session failed: ${(err as Error).message}`, 'WatchFailed');
  });
}

/** One watch of one session, from a progress (fresh, or a retried attempt's last heartbeat) to its next transition. */
class SessionWatch {
  private readonly call: { signal: AbortSignal };
  private readonly waitForSeconds: number;
  private lastChanges: SessionChanges | undefined;

  constructor(
    private readonly client: HaiClient,
    private readonly sweep: StatusSweep,
    private readonly input: WatchInput,
    private readonly progress: WatchProgress,
    private readonly deadline: number,
    private readonly signal: AbortSignal,
  ) {
    this.call = { signal };
    this.waitForSeconds = Math.min(input.waitForSeconds ?? MAX_WAIT_FOR_SECONDS, MAX_WAIT_FOR_SECONDS);
  }

  /** Follows the session's events (long-polling /changes), with /status as the authority. */
  async follow(): Promise<WatchResult> {
    const { input, progress } = this;
    for (;;) {
      const remainingS = Math.max(0, Math.floor((this.deadline - Date.now()) / 1000));
      const received = await this.poll(Math.min(this.waitForSeconds, remainingS));
      // /changes carries the live status as a hint; /status is read whenever something may have moved.
      const mayHaveMoved =
        received === 0 ||
        this.lastChanges?.status !== progress.status ||
        progress.answers.length > 0 ||
        progress.pendingToolCalls;
      const status = mayHaveMoved ? await this.readStatus() : undefined;
      if (status) progress.steps = status.steps ?? progress.steps;
      const changed = status !== undefined && status.status !== input.status;

      const settled = status !== undefined && isSettledStatus(status.status);
      const overBudget =
        input.returnAtCostUsd !== undefined && (progress.costUsd ?? 0) >= input.returnAtCostUsd && !settled;
      if (overBudget) return this.finish(status ?? (await this.readStatus()));
      // An answer alone returns only once the session settled: a one-shot session completes right after it.
      if (status && (changed || (settled && progress.answers.length > 0))) {
        if (settled) {
          while ((await this.poll(0)) > 0) {
            // Drain: the answer and the last events may ride pages after the one that showed the settled status.
          }
        }
        return this.finish(status);
      }
      if (Date.now() >= this.deadline) return this.finish(status ?? (await this.readStatus()));
    }
  }

  /** Follows the session's status alone, through the worker's status sweep (`mode: 'lean'`). */
  async followStatus(): Promise<WatchResult> {
    const { input, progress } = this;
    for (;;) {
      await this.sweep.moved(input.sessionId, input.status, Math.max(0, this.deadline - Date.now()), this.signal);
      const status = await this.readStatus();
      const changed = status.status !== input.status;
      if (!changed && Date.now() < this.deadline) continue;
      // Waiting for the workflow: the turn's events say what it waits for (tool calls, the answer), and leave the
      // cursor where the next watch, which follows events, starts.
      if (status.status === 'idle' || status.status === 'awaiting_tool_results') {
        while ((await this.poll(0)) > 0) {
          // Every page since the cursor.
        }
      }
      if (changed && progress.transitions.length === 0)
        progress.transitions.push({ ...transitionNow('status'), status: status.status });
      return this.finish(status);
    }
  }

  private async platform<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await withPlatformErrors(fn);
    } catch (err) {
      if (this.signal.aborted) throw new CancelledFailure('watch cancelled');
      throw err;
    }
  }

  private readStatus(): Promise<SessionStatus> {
    return this.platform(() => this.client.getStatus(this.input.sessionId, this.call));
  }

  private async poll(wait: number): Promise<number> {
    const { progress } = this;
    const changes = await this.platform(() =>
      this.client.getChanges(this.input.sessionId, { fromIndex: progress.cursor, waitForSeconds: wait }, this.call),
    );
    if (!changes) return 0;
    this.lastChanges = changes;
    progress.steps = changes.metrics?.steps ?? progress.steps;
    progress.costUsd = changes.metrics?.total_cost ?? progress.costUsd ?? null;
    const events = changes.new_events ?? [];
    const page = readEvents(events, progress.cursor);
    progress.cursor += events.length;
    progress.transitions.push(...page.transitions);
    progress.answers.push(...page.answers);
    if (page.pendingToolCalls) progress.pendingToolCalls = page.pendingToolCalls;
    progress.lastEvent = page.lastEvent ?? progress.lastEvent;
    return events.length;
  }

  private async finalRead(): Promise<SessionChanges | undefined> {
    const { progress } = this;
    const final = await this.platform(() =>
      this.client.getChanges(
        this.input.sessionId,
        { fromIndex: 0, includeEvents: false, waitForSeconds: 0 },
        this.call,
      ),
    );
    if (final?.metrics) {
      progress.costUsd = final.metrics.total_cost ?? progress.costUsd ?? null;
      progress.steps = final.metrics.steps ?? progress.steps;
    }
    return final;
  }

  /** The tool calls of the latest request in the whole event list, for a watch that joined after it. */
  private async findPendingToolCalls(): Promise<ToolRequest[] | null> {
    let found: ToolRequest[] | null = null;
    await this.platform(async () => {
      for await (const { events, firstIndex } of eventPages(this.client, this.input.sessionId, 0, this.call)) {
        found = readEvents(events, firstIndex).pendingToolCalls ?? found;
      }
    });
    return found;
  }

  private async finish(status: SessionStatus): Promise<WatchResult> {
    const { input, progress } = this;
    let latest: AnswerEvent | null = null;
    const answerable = status.status === 'completed' || status.status === 'idle';
    // A lean watch has read no page yet: one read without events gives the answer and the cost at the end.
    const lastRead =
      input.mode === 'lean' && isSettledStatus(status.status) ? await this.finalRead() : this.lastChanges;
    let raw = answerable ? lastRead?.answer : undefined;
    if (answerable && (raw === undefined || raw === null) && input.mode !== 'lean')
      raw = (await this.finalRead())?.answer;
    if (raw !== undefined && raw !== null) {
      latest = { eventIndex: -1, answer: parseAnswer(raw), outcome: status.outcome ?? lastRead?.outcome ?? null };
      if (input.mode === 'lean' && progress.answers.length === 0)
        progress.transitions.push({ ...transitionNow('answer'), detail: latest.outcome ?? undefined });
    }
    let pendingToolCalls = progress.pendingToolCalls;
    if (status.status === 'awaiting_tool_results' && !pendingToolCalls)
      pendingToolCalls = await this.findPendingToolCalls();
    const check = (a: AnswerEvent): CheckedAnswer =>
      input.answerSchema ? { ...a, ...checkAnswer(input.answerSchema, a.answer) } : { ...a, valid: null };
    return {
      cursor: progress.cursor,
      status: status.status,
      steps: status.steps ?? progress.steps,
      usage: (status.usage_per_model ?? []) as UsageEntry[],
      transitions: progress.transitions,
      answers: progress.answers.map(check),
      latestAnswer: latest ? check(latest) : null,
      pendingToolCalls: status.status === 'awaiting_tool_results' ? pendingToolCalls : null,
      error: status.error ?? lastRead?.error ?? null,
      errorCode: status.error_code ?? lastRead?.error_code ?? null,
      outcome: status.outcome ?? lastRead?.outcome ?? null,
      costUsd: progress.costUsd ?? null,
    };
  }
}
