// Follows one platform session until its next lifecycle transition (hai-api.md §4): long-polls /changes
// from a cursor, takes /status as the authority, drains every page once the session settles, and heartbeats
// its cursor so that a retried attempt (another worker, after a crash) resumes where this one stopped.
import { ApplicationFailure, CancelledFailure, Context } from '@temporalio/activity';
import type { HaiClient } from '../hai/client';
import { parseAnswer, type SessionChanges, type SessionStatus, type ToolRequest } from '../hai/schemas';
import { isSettledStatus } from '../hai/status';
import type { Transition, UsageEntry } from '../shared/session';
import { checkAnswer } from '../shared/answer-schema';
import { type AnswerEvent, readEvents } from './event-transitions';
import { eventPages } from './event-pages';
import { withPlatformErrors } from './failures';
import { whileHeartbeating } from './heartbeat';
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

export function watchSessionActivity(client: HaiClient, sweep: StatusSweep) {
  return async function watchSession(input: WatchInput): Promise<WatchResult> {
    const ctx = Context.current();
    const call = { signal: ctx.cancellationSignal };
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
    const waitForSeconds = Math.min(input.waitForSeconds ?? MAX_WAIT_FOR_SECONDS, MAX_WAIT_FOR_SECONDS);
    let lastChanges: SessionChanges | undefined;

    const platform = async <T>(fn: () => Promise<T>): Promise<T> => {
      try {
        return await withPlatformErrors(fn);
      } catch (err) {
        if (ctx.cancellationSignal.aborted) throw new CancelledFailure('watch cancelled');
        throw err;
      }
    };
    const poll = async (wait: number): Promise<number> => {
      const changes = await platform(() =>
        client.getChanges(input.sessionId, { fromIndex: progress.cursor, waitForSeconds: wait }, call),
      );
      if (!changes) return 0;
      lastChanges = changes;
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
    };

    // Heartbeats run on their own clock, so a slow platform call never looks like a dead worker;
    // the SDK forwards at most one per 0.8 × heartbeatTimeout to the server.
    return whileHeartbeating(input.mode === 'lean' ? followStatus : follow, () => progress).catch((err) => {
      // Platform errors are already typed failures; anything else (a bug, a body we cannot read) would fail the
      // same way on every attempt, so it must not be retried forever.
      if (err instanceof ApplicationFailure || err instanceof CancelledFailure) throw err;
      throw ApplicationFailure.nonRetryable(`watching the session failed: ${(err as Error).message}`, 'WatchFailed');
    });

    async function follow(): Promise<WatchResult> {
      for (;;) {
        const remainingS = Math.max(0, Math.floor((deadline - Date.now()) / 1000));
        const received = await poll(Math.min(waitForSeconds, remainingS));
        // /changes carries the live status as a hint; /status is read whenever something may have moved.
        const mayHaveMoved =
          received === 0 ||
          lastChanges?.status !== progress.status ||
          progress.answers.length > 0 ||
          progress.pendingToolCalls;
        const status = mayHaveMoved ? await platform(() => client.getStatus(input.sessionId, call)) : undefined;
        if (status) progress.steps = status.steps ?? progress.steps;
        const changed = status !== undefined && status.status !== input.status;

        const settled = status !== undefined && isSettledStatus(status.status);
        const overBudget =
          input.returnAtCostUsd !== undefined && (progress.costUsd ?? 0) >= input.returnAtCostUsd && !settled;
        if (overBudget) return finish(status ?? (await platform(() => client.getStatus(input.sessionId, call))));
        // An answer alone returns only once the session settled: a one-shot session completes right after it.
        if (status && (changed || (settled && progress.answers.length > 0))) {
          if (settled) {
            while ((await poll(0)) > 0) {
              // Drain: the answer and the last events may ride pages after the one that showed the settled status.
            }
          }
          return finish(status);
        }
        if (Date.now() >= deadline) {
          return finish(status ?? (await platform(() => client.getStatus(input.sessionId, call))));
        }
      }
    }

    async function followStatus(): Promise<WatchResult> {
      for (;;) {
        await sweep.moved(input.sessionId, input.status, Math.max(0, deadline - Date.now()), ctx.cancellationSignal);
        const status = await platform(() => client.getStatus(input.sessionId, call));
        const changed = status.status !== input.status;
        if (!changed && Date.now() < deadline) continue;
        // Waiting for the workflow: the turn's events say what it waits for (tool calls, the answer), and leave the
        // cursor where the next watch, which follows events, starts.
        if (status.status === 'idle' || status.status === 'awaiting_tool_results') {
          while ((await poll(0)) > 0) {
            // Every page since the cursor.
          }
        }
        if (changed && progress.transitions.length === 0)
          progress.transitions.push({ ...transitionNow('status'), status: status.status });
        return finish(status);
      }
    }

    async function finalRead(): Promise<SessionChanges | undefined> {
      const final = await platform(() =>
        client.getChanges(input.sessionId, { fromIndex: 0, includeEvents: false, waitForSeconds: 0 }, call),
      );
      if (final?.metrics) {
        progress.costUsd = final.metrics.total_cost ?? progress.costUsd ?? null;
        progress.steps = final.metrics.steps ?? progress.steps;
      }
      return final;
    }

    /** The tool calls of the latest request in the whole event list, for a watch that joined after it. */
    async function findPendingToolCalls(): Promise<ToolRequest[] | null> {
      let found: ToolRequest[] | null = null;
      await platform(async () => {
        for await (const { events, firstIndex } of eventPages(client, input.sessionId, 0, call)) {
          found = readEvents(events, firstIndex).pendingToolCalls ?? found;
        }
      });
      return found;
    }

    async function finish(status: SessionStatus): Promise<WatchResult> {
      let latest: AnswerEvent | null = null;
      const answerable = status.status === 'completed' || status.status === 'idle';
      // A lean watch has read no page yet: one read without events gives the answer and the cost at the end.
      const lastRead = input.mode === 'lean' && isSettledStatus(status.status) ? await finalRead() : lastChanges;
      let raw = answerable ? lastRead?.answer : undefined;
      if (answerable && (raw === undefined || raw === null) && input.mode !== 'lean') raw = (await finalRead())?.answer;
      if (raw !== undefined && raw !== null) {
        latest = { eventIndex: -1, answer: parseAnswer(raw), outcome: status.outcome ?? lastRead?.outcome ?? null };
        if (input.mode === 'lean' && progress.answers.length === 0)
          progress.transitions.push({ ...transitionNow('answer'), detail: latest.outcome ?? undefined });
      }
      let pendingToolCalls = progress.pendingToolCalls;
      if (status.status === 'awaiting_tool_results' && !pendingToolCalls)
        pendingToolCalls = await findPendingToolCalls();
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
  };
}
